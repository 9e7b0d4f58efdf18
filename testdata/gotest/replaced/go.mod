module example.com/replaced

go 1.19

require example.com/gotest v0.0.0

replace example.com/gotest => ../
