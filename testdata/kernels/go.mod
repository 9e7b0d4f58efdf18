module leakhound.test/kernels

go 1.19
