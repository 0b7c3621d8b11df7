package main

import (
	"os"
	"runtime/debug"
)

// statementGC sets the garbage collector's pace (debug.SetGCPercent) while
// inspect and statement convert read statement files, and returns what
// restores the setting. They run it at 400, a quarter as often as the
// default. The readers keep a few MiB live and allocate a few
// objects per entry, so at the default GOGC=100 the collector ran every few
// MiB allocated and took a third of inspect's CPU on a CODA file; at 400
// peak RSS grows by about 15 MB. Not for commands whose live heap is large
// (reconcile's ledger, collect build's duplicate sets). GOGC set in the
// environment wins.
func statementGC(percent int) (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(percent)
	return func() { debug.SetGCPercent(old) }
}
