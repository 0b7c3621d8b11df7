//go:build unix

package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestNotRegular: a FIFO, a device and a link to one are written in place,
// never replaced by a file; a link to a regular file stays a link and its
// target gets the content; a dangling link makes its target.
func TestNotRegular(t *testing.T) {
	dir := t.TempDir()

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() {
		r, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(r)
		r.Close()
		got <- string(b)
	}()
	write(t, fifo, "through the pipe")
	if s := <-got; s != "through the pipe" {
		t.Errorf("FIFO reader got %q", s)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("FIFO replaced: %v %v", fi.Mode(), err)
	}

	null := filepath.Join(dir, "null")
	if err := os.Symlink("/dev/null", null); err != nil {
		t.Fatal(err)
	}
	write(t, null, "gone")
	if target, err := os.Readlink(null); err != nil || target != "/dev/null" {
		t.Errorf("link to /dev/null: %q %v", target, err)
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("/dev/null: %v %v", fi.Mode(), err)
	}

	real, link := filepath.Join(dir, "real.csv"), filepath.Join(dir, "link.csv")
	os.WriteFile(real, []byte("old"), 0o644)
	os.Symlink("real.csv", link)
	write(t, link, "new")
	if target, err := os.Readlink(link); err != nil || target != "real.csv" {
		t.Errorf("link replaced: %q %v", target, err)
	}
	if b, _ := os.ReadFile(real); string(b) != "new" {
		t.Errorf("target holds %q, want new", b)
	}

	dangling := filepath.Join(dir, "dangling.csv")
	os.Symlink("sub/made.csv", dangling)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	write(t, dangling, "made")
	if b, _ := os.ReadFile(filepath.Join(dir, "sub", "made.csv")); string(b) != "made" {
		t.Errorf("dangling link's target holds %q", b)
	}

	if _, err := Create(dir); err == nil || err.Error() != "create "+dir+": is a directory" {
		t.Errorf("directory: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := "[dangling.csv link.csv null pipe real.csv sub]"; fmtList(names) != want {
		t.Errorf("left in dir: %v, want %s", names, want)
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

func write(t *testing.T, path, text string) {
	t.Helper()
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
}
