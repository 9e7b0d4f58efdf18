module hangtest

go 1.19
