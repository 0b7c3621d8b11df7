package ubl

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
)

// FuzzRead feeds arbitrary bytes to the reader and every check: they must
// never panic, and an error must be a positioned finding.
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.xml")
	if os.Getenv("BATCHTOOL_SHARED") != "" || sharedPresent() {
		corpus, _ := filepath.Glob(filepath.Join(testutil.SharedDir(f), "corpus", "ubl", "*.xml"))
		for _, c := range corpus {
			if st, err := os.Stat(c); err == nil && st.Size() < 64<<10 {
				seeds = append(seeds, c)
			}
		}
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(b)
		}
	}
	small, _ := io.ReadAll(genInvoice("F-1", 2, 200))
	f.Add(small)
	f.Add([]byte(`<Invoice xmlns="` + NSInvoice + `"><!-- <cbc:EmbeddedDocumentBinaryObject> --><![CDATA[<x>]]></Invoice>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, fl, err := Read(strings.NewReader(string(data)), "fuzz.xml")
		if inv == nil {
			t.Fatal("nil invoice")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.xml") {
			t.Fatalf("error without file name: %v", err)
		}
		for _, x := range fl {
			if x.File != "fuzz.xml" {
				t.Fatalf("finding without file: %v", x)
			}
		}
		if err == nil {
			inv.Validate()
			inv.DirectDebit()
		}
	})
}

// sharedPresent reports whether the shared corpus lies beside the repository.
func sharedPresent() bool {
	_, err := os.Stat(filepath.Join("..", "..", "..", "shared", "corpus", "ubl"))
	return err == nil
}
