//go:build !unix

package coda

import "time"

// cpuTime is not measured on this system; figures fall back to wall time.
func cpuTime() time.Duration { return 0 }
