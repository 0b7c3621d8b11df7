// Package secretfile reads files that hold a secret (an API token, a
// private key, a password, an HMAC secret) and refuses one that users other
// than its owner may read: a secret that anyone on the machine can read is
// no longer a secret, and the mistake is silent until it is exploited.
package secretfile

import (
	"fmt"
	"io"
	"os"
	"runtime"
)

// maxSize bounds what is read: secrets are small.
const maxSize = 1 << 20

// ModeError is the refusal of a secret file readable by group or others.
type ModeError struct {
	Path string
	Mode os.FileMode
}

func (e *ModeError) Error() string {
	return fmt.Sprintf("%s is readable by others (mode %v); chmod 600 it", e.Path, e.Mode.Perm())
}

// Read returns the content of the secret file at path. On Unix it refuses
// (with a *[ModeError]) a file whose permission bits give group or others
// any access; the mode is taken from the open file, so the file checked is
// the file read.
func Read(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, &ModeError{Path: path, Mode: st.Mode()}
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSize {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a secret file", path, maxSize)
	}
	return b, nil
}
