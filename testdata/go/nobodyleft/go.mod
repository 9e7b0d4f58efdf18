module leakhound.test/nobodyleft

go 1.19
