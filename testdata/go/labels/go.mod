module labels

go 1.27
