package main

import (
	"os"
	"runtime/debug"
)

// gcPercent sets the garbage collector's pace (debug.SetGCPercent) for a
// command and returns what restores it; GOGC set in the environment wins.
// The pace is the command's, not a library's: it holds for the whole
// process.
//   - 400 (a quarter as often as the default) while inspect and statement
//     convert read statement files: the readers keep a few MiB live and
//     allocate a few objects per entry, so at 100 the collector took a third
//     of inspect's CPU on a CODA file; peak RSS grows by about 15 MB.
//   - 200 for a CODA or camt file converted in parts: the blocks waiting
//     for their turn are live (a few MiB). With a part's entries reused
//     the garbage is decimals and text: against 100, 10% fewer
//     instructions for 100 MB of CODA to CSV, peak RSS 33 -> 38 MB
//     (JSON Lines 48 -> 66 MB); 400 saved 15% for 51 and 74 MB.
//   - 100 (the default) for collect build: what stays live is due.Reader's
//     table of end-to-end ids (at most 16 MiB, no pointers) and the
//     writer's buffers (about 4 MiB), the rest is garbage of the rows in
//     flight. 50 kept the peak heap at 39 MiB instead of 50-52, but once
//     the rows cost a quarter less CPU its 148 collections of a million
//     rows (76 at 100) cost 12-17% of the command's user CPU time
//     (interleaved runs, busy machine).
func gcPercent(percent int) (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(percent)
	return func() { debug.SetGCPercent(old) }
}
