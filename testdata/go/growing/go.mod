module growing

go 1.19
