package query

import (
	"runtime"
	"sync"
)

// fillParallel runs fill over the rows [0, n) in pieces on all cores
// when there are many: filling new columns of tens of thousands of rows
// is mostly first touches of fresh pages, which cores take side by side.
func fillParallel(n int, fill func(lo, hi int)) {
	const piece = 8192
	k := min(runtime.GOMAXPROCS(0), n/piece)
	if k < 2 {
		fill(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range k {
		wg.Go(func() { fill(i*n/k, (i+1)*n/k) })
	}
	wg.Wait()
}
