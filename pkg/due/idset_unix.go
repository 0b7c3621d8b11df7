//go:build unix

package due

import (
	"os"
	"syscall"
)

// mapFile maps the first size bytes of f read-only: the run's pages are
// the kernel's page cache, read in as lookups touch them and dropped under
// memory pressure, never part of the Go heap.
func mapFile(f *os.File, size int) ([]byte, func(), error) {
	b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, func() { syscall.Munmap(b) }, nil
}
