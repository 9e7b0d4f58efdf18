module soakfaults

go 1.19
