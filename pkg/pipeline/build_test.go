package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/due"
	"github.com/batchtool/batchtool/pkg/tabular"
)

// TestReadDueStops: rows are read on one goroutine and handled on another;
// an error of either side stops both, after exactly the rows before it
// were handled in file order.
func TestReadDueStops(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "due.csv")
	writeBenchDue(t, in, 2000)
	b, _ := os.ReadFile(in)
	lines := strings.SplitAfter(string(b), "\n")
	lines[1001] = `E2E-broken,"MNDT` + "\n" // line 1002 opens a quote it never closes
	broken := filepath.Join(dir, "broken.csv")
	os.WriteFile(broken, []byte(strings.Join(lines, "")), 0o644)
	open := func(name string) (io.ReadCloser, error) { return os.Open(name) }
	d := due.Defaults{CollectionDate: time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)}
	stop := errors.New("stop")
	tests := []struct {
		file    string
		stopAt  int // handle fails at this row (0: never)
		handled int
		err     string
	}{
		{in, 0, 2000, ""},
		{in, 300, 300, "stop"},
		{in, 1, 1, "stop"},
		{broken, 0, 1000, broken + `:2001:127: error: CSV: extraneous or missing " in quoted-field`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s,%d", filepath.Base(tt.file), tt.stopAt), func(t *testing.T) {
			n := 0
			err := readDue(open, tt.file, d, tabular.Dialect{}, dir, func(_ []string, row *due.Row) error {
				n++
				if want := n + 1; row.Line != want {
					t.Fatalf("row %d has line %d, want %d", n, row.Line, want)
				}
				if n == tt.stopAt {
					return stop
				}
				return nil
			})
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || err.Error() != tt.err) {
				t.Fatalf("readDue: %v, want %q", err, tt.err)
			}
			if n != tt.handled {
				t.Fatalf("%d rows handled, want %d", n, tt.handled)
			}
		})
	}
}

// TestBuildChecksDefaultCollectionDate: the default date of a library
// caller goes through the TARGET2 calendar as a row's own does: a Saturday
// is refused, or moved to Monday with RollForward.
func TestBuildChecksDefaultCollectionDate(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "due.csv")
	writeBenchDue(t, in, 3)
	cred := filepath.Join(dir, "creditor.json")
	os.WriteFile(cred, []byte(`{"name":"Acme","iban":"BE68539007547034","creditor_id":"BE69ZZZ050D000000008"}`), 0o644)
	saturday := time.Date(2026, 12, 12, 0, 0, 0, 0, time.UTC)
	o := BuildOptions{Due: in, Creditor: cred, Out: filepath.Join(dir, "out.xml"), CollectionDate: saturday}
	_, err := Build(o)
	if want := "collection date 2026-12-12 is not a TARGET2 business day (Saturday): the next business day is 2026-12-14"; err == nil || err.Error() != want {
		t.Fatalf("Build: %v, want %s", err, want)
	}
	o.RollForward = true
	res, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(o.Out)
	if !strings.Contains(string(b), "<ReqdColltnDt>2026-12-14</ReqdColltnDt>") || res == nil {
		t.Errorf("rolled forward batch lacks 2026-12-14:\n%.600s", b)
	}
}
