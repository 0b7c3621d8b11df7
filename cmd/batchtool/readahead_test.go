package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/statement"
)

// TestReadAheadSameEntries: through readAhead a file gives the same entries
// in the same order, the same findings and statements, and stopping early
// leaves no goroutine behind blocked.
func TestReadAheadSameEntries(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "pkg", "coda", "testdata", "sandbox-sdd.cod"))
	if err != nil {
		t.Fatal(err)
	}
	// many statements: the same file 300 times
	big := bytes.Repeat(data, 300)
	flat := func(r statement.Reader) string {
		var b strings.Builder
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range statement.FlatRows(e) {
				b.WriteString(strings.Join(row, "|") + "\n")
			}
		}
		fmt.Fprintf(&b, "%d statements, %v", len(r.Statements()), r.Findings())
		return b.String()
	}
	want := flat(coda.NewReader(bytes.NewReader(big), "big.cod"))
	ar := readAhead(coda.NewReader(bytes.NewReader(big), "big.cod"))
	got := flat(ar)
	ar.Close()
	if got != want || !strings.Contains(got, "300 statements") {
		t.Fatalf("read ahead differs:\n%.500s\nwant\n%.500s", got, want)
	}
	ar = readAhead(coda.NewReader(bytes.NewReader(big), "big.cod"))
	if _, err := ar.Next(); err != nil {
		t.Fatal(err)
	}
	ar.Close() // returns only when the goroutine has stopped
}

// TestInspectSeveralFilesInOrder: files read in parallel are reported in
// the order given.
func TestInspectSeveralFilesInOrder(t *testing.T) {
	cod := filepath.Join("..", "..", "pkg", "coda", "testdata", "sandbox-sdd.cod")
	xml := filepath.Join("..", "..", "pkg", "camt", "testdata", "reconciliation.camt053.xml")
	args := []string{"inspect", cod, xml, cod, xml, xml, cod}
	code, out, _ := batchtool(t, args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var heads []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "../") {
			heads = append(heads, line)
		}
	}
	want := []string{cod + ": CODA 2", xml + ": camt.053.001.02", cod + ": CODA 2", xml + ": camt.053.001.02", xml + ": camt.053.001.02", cod + ": CODA 2"}
	if strings.Join(heads, "\n") != strings.Join(want, "\n") {
		t.Fatalf("files in the order\n%s\nwant\n%s", strings.Join(heads, "\n"), strings.Join(want, "\n"))
	}
}
