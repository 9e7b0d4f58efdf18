package cidemo

// Sum adds xs in a goroutine and waits for it: nothing is left behind.
func Sum(xs []int) int {
	ch := make(chan int, 1)
	go func() {
		s := 0
		for _, x := range xs {
			s += x
		}
		ch <- s
	}()
	return <-ch
}
