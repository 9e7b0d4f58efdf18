module leakhound.test/httpdeadline

go 1.19
