module leakhound.test/waitchain

go 1.19
