module example.com/withgoleak

go 1.19

require go.uber.org/goleak v1.2.1
