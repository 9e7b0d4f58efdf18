module leakhound.test/syscallexit

go 1.26
