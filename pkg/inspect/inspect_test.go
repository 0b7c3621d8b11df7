package inspect_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/inspect"
)

const camt053 = "../../../shared/corpus/camt053/genkgo-camt053-only-dt-with-dttm.xml"

// TestFileAndReader shows the library face: File on a path, Reader on a
// stream (gzip or not), each a typed Inspection whose JSON is inspect --json's.
func TestFileAndReader(t *testing.T) {
	raw, err := os.ReadFile(camt053)
	if err != nil {
		t.Skipf("corpus not found: %v", err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	const summary = `{"statements":[{"format":"camt.053.001.02","kind":"statement","id":"I38y0h4YyLnQiOV6P7nEd44r2","account":{"iban":"GB33BUKB20201555555555"},"opening":{"amount":"5442.09","currency":"RON","date":"2025-07-23","type":"OPBD"},"entries":0,"credits":[],"debits":[],"reversals":[],"batch_bookings":0,"entries_with_details":0,"details":0,"returns_by_reason":[]}]}`
	tests := []struct {
		name string
		got  []*inspect.Inspection
		want string
	}{
		{"File", inspect.File(camt053), `[{"file":"` + camt053 + `","format":"camt.053.001.02","summary":` + summary + `,"findings":null}]`},
		{"Reader", inspect.Reader("s.xml", bytes.NewReader(raw)), `[{"file":"s.xml","format":"camt.053.001.02","summary":` + summary + `,"findings":null}]`},
		{"Reader gzip", inspect.Reader("s.xml.gz", &gz), `[{"file":"s.xml.gz","format":"camt.053.001.02","compression":"gzip","summary":` + summary + `,"findings":null}]`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.got)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, b, tt.want)
		}
		if u := tt.got[0].NotOurs(); u != nil {
			t.Errorf("%s: NotOurs() = %v, want nil", tt.name, u)
		}
	}
}

// TestNotOurs checks that a file that is none of ours is named for what it is.
func TestNotOurs(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"a.png", "\x89PNG\r\n\x1a\nrest", "a.png: is a PNG image, not a payment file (pain.008, camt, CODA or UBL)"},
		{"due.csv", "end_to_end_id;amount\n", "due.csv: is a due collections file, not a payment file: collect build reads it (--in)"},
		{"empty", "", "empty: is empty (0 bytes)"},
		{"z.gz", "\x1f\x8bnot gzip", "z.gz: is gzip and cannot be decompressed: gzip: invalid header"},
	}
	for _, tt := range tests {
		in := inspect.Reader(tt.name, strings.NewReader(tt.content))
		if len(in) != 1 || in[0].NotOurs() == nil {
			t.Fatalf("%s: got %d inspections, want 1 not ours", tt.name, len(in))
		}
		if got := in[0].NotOurs().Error(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
