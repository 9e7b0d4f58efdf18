module aftermain

go 1.19
