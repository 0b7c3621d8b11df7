package pain008

import (
	"runtime"
	"time"
)

// samplePeak samples the heap in use every few milliseconds until stop is
// closed, then sends the peak.
func samplePeak(stop <-chan struct{}, peak chan<- uint64) {
	var max uint64
	var ms runtime.MemStats
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > max {
			max = ms.HeapInuse
		}
		select {
		case <-stop:
			peak <- max
			return
		case <-tick.C:
		}
	}
}
