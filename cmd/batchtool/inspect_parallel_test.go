package main

import (
	"path/filepath"
	"strings"
	"testing"
)

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
