module example.com/cidemo

go 1.19
