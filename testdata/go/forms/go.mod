module forms

go 1.25
