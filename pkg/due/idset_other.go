//go:build !unix

package due

import (
	"io"
	"os"
)

// mapFile reads the first size bytes of f into memory: without mmap the
// runs are on the heap, 16 bytes an id, and memory grows with the file.
func mapFile(f *os.File, size int) ([]byte, func(), error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, int64(size)), b); err != nil {
		return nil, nil, err
	}
	return b, nil, nil
}
