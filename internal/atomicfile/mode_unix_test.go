//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestModeRespectsUmask: a file gets the mode asked for less the umask,
// while it is written and once committed.
func TestModeRespectsUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, tc := range []struct {
		umask int
		perm  os.FileMode // 0: Create
		want  os.FileMode
	}{
		{0o022, 0, 0o644},
		{0o002, 0, 0o664},
		{0o027, 0, 0o640},
		{0o077, 0, 0o600},
		{0o000, 0, 0o666},
		{0o000, 0o600, 0o600},
		{0o022, 0o600, 0o600},
		{0o077, 0o640, 0o600},
	} {
		syscall.Umask(tc.umask)
		out := filepath.Join(t.TempDir(), "out.csv")
		var f *File
		var err error
		if tc.perm == 0 {
			f, err = Create(out)
		} else {
			f, err = CreateMode(out, tc.perm)
		}
		if err != nil {
			t.Fatal(err)
		}
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		writing := fi.Mode().Perm()
		f.WriteString("x")
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
		fi, err = os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != tc.want || writing != tc.want {
			t.Errorf("umask %04o perm %04o: mode %04o while written, %04o committed; want %04o", tc.umask, tc.perm, writing, got, tc.want)
		}
	}
}
