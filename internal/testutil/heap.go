package testutil

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// SampleHeap collects garbage, then samples the heap in use every few
// milliseconds until the returned function is called; that function
// returns the peak in bytes. Heap tests wrap a streaming read or write of a
// large generated input with it to prove memory stays flat.
func SampleHeap() (stop func() uint64) {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	return func() uint64 {
		once.Do(func() { close(done); wg.Wait() })
		return peak.Load()
	}
}
