// Package atomicfile writes a file so that readers see either nothing or the
// whole of it: data goes to a temporary file in the same directory, which is
// synced and renamed over the target only on Commit. A job killed half-way
// leaves at most a stray temporary file, never a half-written output.
//
// The file gets the mode asked for less the process's umask, as a file
// made with os.Create would: 0666 &^ umask for ordinary output (Create),
// or a narrower mode for secret or personal data (CreateMode with 0600).
// The temporary file is created with that mode, so the data is never
// readable more widely than the result, even for a moment.
package atomicfile

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// File is an output file being written.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts writing path, to be created with mode 0666 less the umask.
// Call Commit to publish it, or Abort (safe to defer after Commit) to throw
// it away.
func Create(path string) (*File, error) { return CreateMode(path, 0o666) }

// CreateMode starts writing path, to be created with perm less the umask:
// 0600 for a file only its owner may read.
func CreateMode(path string, perm os.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := CreateTemp(dir, "."+base+".tmp-", perm)
	if err != nil {
		return nil, err
	}
	return &File{File: f, path: path}, nil
}

// CreateTemp creates a new file in dir named prefix and a random number,
// with perm less the umask (os.CreateTemp always makes 0600), for writers
// that rename their output into place themselves.
func CreateTemp(dir, prefix string, perm os.FileMode) (*os.File, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm.Perm())
		if errors.Is(err, os.ErrExist) && try < 100 {
			continue
		}
		return f, err
	}
}

// Commit syncs, closes and renames the file into place.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("atomicfile: %s already committed or aborted", f.path)
	}
	f.done = true
	if err := f.File.Sync(); err != nil {
		f.File.Close()
		os.Remove(f.File.Name())
		return err
	}
	if err := f.File.Close(); err != nil {
		os.Remove(f.File.Name())
		return err
	}
	if err := os.Rename(f.File.Name(), f.path); err != nil {
		os.Remove(f.File.Name())
		return err
	}
	return nil
}

// Abort removes the temporary file; after Commit it does nothing.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.File.Name())
}
