module leakhound.test/lockcycle

go 1.19
