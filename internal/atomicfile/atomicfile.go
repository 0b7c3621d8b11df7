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
//
// Only a regular file is replaced by renaming. A target that exists and is
// not one — a device such as /dev/null, a FIFO, a terminal, /dev/stdout —
// is opened and written directly: renaming over it would put a file in its
// place (as root, over /dev/stdout). A symbolic link is followed to its
// target, which is replaced; the link stays.
package atomicfile

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// File is an output file being written.
type File struct {
	*os.File
	path   string
	direct bool // written in place: the target is not a regular file
	done   bool
}

// Create starts writing path, to be created with mode 0666 less the umask.
// Call Commit to publish it, or Abort (safe to defer after Commit) to throw
// it away.
func Create(path string) (*File, error) { return CreateMode(path, 0o666) }

// CreateMode starts writing path, to be created with perm less the umask:
// 0600 for a file only its owner may read.
func CreateMode(path string, perm os.FileMode) (*File, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return nil, &os.PathError{Op: "create", Path: path, Err: errors.New("is a directory")}
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &File{File: f, path: path, direct: true}, nil
	}
	target, err := resolve(path)
	if err != nil {
		return nil, err
	}
	if target == "" {
		// A link through /proc or /dev (/dev/stdout to a file the shell
		// opened): the kernel's name for an open file, not a place to
		// make files in.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return nil, err
		}
		return &File{File: f, path: path, direct: true}, nil
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := CreateTemp(dir, "."+base+".tmp-", perm)
	if err != nil {
		return nil, err
	}
	return &File{File: f, path: target}, nil
}

// resolve follows path's symbolic links, if any, to the file they name
// (which need not exist yet): the file to rename over, so that the link
// stays a link. It returns "" when a link leads into /proc or /dev.
func resolve(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return path, nil
		}
		if special(path) {
			return "", nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", &os.PathError{Op: "create", Path: path, Err: errors.New("too many levels of symbolic links")}
}

// special reports whether path is in the kernel's file systems, where a
// link names an open file rather than a path.
func special(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return true
	}
	return strings.HasPrefix(abs, "/proc/") || strings.HasPrefix(abs, "/dev/")
}

// Direct reports whether the file is written in place (a device, FIFO or
// terminal) rather than renamed into place on Commit: what was written
// cannot be taken back by Abort.
func (f *File) Direct() bool { return f.direct }

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
	if f.direct {
		return f.File.Close()
	}
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

// Abort removes the temporary file; after Commit it does nothing. A file
// written in place is only closed.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	if !f.direct {
		os.Remove(f.File.Name())
	}
}
