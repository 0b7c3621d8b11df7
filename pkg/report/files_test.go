package report

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRelativeTo: the HTML page links to the run's other reports relative
// to its own folder.
func TestRelativeTo(t *testing.T) {
	for _, c := range []struct{ page, file, want string }{
		{"r.html", "r.csv", "r.csv"},
		{"out/r.html", "out/r.csv", "r.csv"},
		{"out/r.html", "out/sub/r #1.xlsx", "sub/r #1.xlsx"},
		{"out/r.html", "r.json", "../r.json"},
		{"/work/r.html", "/tmp/r.csv", "../tmp/r.csv"},
	} {
		if got := relativeTo(c.page, c.file); got != c.want {
			t.Errorf("relativeTo(%q, %q) = %q, want %q", c.page, c.file, got, c.want)
		}
	}
}

// TestFiles: reports appear only on Commit, the page knows where the
// others are, and a name of no known format is refused before any file is
// created.
func TestFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	paths := []string{filepath.Join(dir, "out", "r.html"), filepath.Join(dir, "out", "r.csv"), filepath.Join(dir, "r.json")}
	fs, err := Create(paths...)
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Abort()
	if got := strings.Join(fs.w.(multi)[0].(pageFile).exports, " "); got != "r.csv ../r.json" {
		t.Errorf("the page links %q", got)
	}
	es, run := fixture()
	for _, e := range es {
		if err := fs.Write(e.source, e.r, e.dup); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.Close(run); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s before Commit: %v", p, err)
		}
	}
	if err := fs.Commit(); err != nil {
		t.Fatal(err)
	}
	csv, err := os.ReadFile(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	if string(csv) != string(write(t, CSV, es, run)) {
		t.Errorf("r.csv is not the CSV report")
	}

	_, err = Create(filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.txt"))
	if err == nil || err.Error() != `"`+filepath.Join(dir, "b.txt")+`": want a .csv, .json, .xlsx or .html file` {
		t.Errorf("err %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a.csv created: %v", err)
	}
}
