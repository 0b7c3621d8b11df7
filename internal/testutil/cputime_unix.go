//go:build unix

package testutil

import (
	"syscall"
	"time"
)

// CPUTime returns the user+system CPU time of the process, so benchmarks can
// report throughput per CPU-second, which a loaded machine distorts less than
// wall-clock MB/s.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
