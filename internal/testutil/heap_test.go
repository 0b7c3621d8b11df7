package testutil

import (
	"runtime"
	"testing"
	"time"
)

func TestSampleHeapSeesAnAllocation(t *testing.T) {
	stop := SampleHeap()
	b := make([]byte, 48<<20)
	for i := range b {
		b[i] = byte(i)
	}
	time.Sleep(30 * time.Millisecond) // a few samples while b is live
	runtime.KeepAlive(b)
	peak := stop()
	if peak < 48<<20 {
		t.Fatalf("peak %d MiB, want at least the 48 MiB held", peak>>20)
	}
	if again := stop(); again != peak {
		t.Fatalf("a second stop changed the peak: %d, %d", peak, again)
	}
	if CPUTime() <= 0 {
		t.Fatal("CPUTime is not measured")
	}
}
