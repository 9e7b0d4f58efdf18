module benign

go 1.19
