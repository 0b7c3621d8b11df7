package secretfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestRead(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		mode os.FileMode
		want string // error text; "" to read
	}{
		{0o600, ""},
		{0o400, ""},
		{0o640, "key is readable by others (mode -rw-r-----); chmod 600 it"},
		{0o644, "key is readable by others (mode -rw-r--r--); chmod 600 it"},
		{0o604, "key is readable by others (mode -rw----r--); chmod 600 it"},
		{0o620, "key is readable by others (mode -rw--w----); chmod 600 it"},
	} {
		p := filepath.Join(dir, "key")
		os.Remove(p)
		if err := os.WriteFile(p, []byte("s3cr3t\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, tc.mode); err != nil {
			t.Fatal(err)
		}
		b, err := Read(p)
		var me *ModeError
		switch {
		case tc.want == "" && (err != nil || string(b) != "s3cr3t\n"):
			t.Errorf("%v: %q %v", tc.mode, b, err)
		case tc.want != "" && (err == nil || !errors.As(err, &me) || err.Error() != filepath.Join(dir, tc.want)):
			t.Errorf("%v: %v, want %s", tc.mode, err, tc.want)
		}
	}
	if _, err := Read(filepath.Join(dir, "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
