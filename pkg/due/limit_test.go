package due

import (
	"io"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
)

const goodRow = "E2E-1,MD-1,2024-01-15,FRST,12.30,Jan Peeters,BE68539007547034,,Invoice 1,\n"

// TestHostileRows: rows of hundreds of megabytes (held whole by
// encoding/csv and bufio before) are refused at 256 KiB with the file and
// the line where the row starts; the heap stays small.
func TestHostileRows(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		in     io.Reader
		rows   int // good rows read before the error
		want   string
	}{
		{"CSV line of 300 MB", CSV, testutil.Concat(header, goodRow, "E2E-2,", testutil.Repeat("x", 300<<20), "\n"), 1,
			`due.csv:3: error: row longer than 256 KiB: refused (no real row comes near) [limit]`},
		{"CSV quoted field of a million lines", CSV, testutil.Concat(header, goodRow, goodRow, `E2E-3,MD-3,2024-01-15,FRST,1.00,"`, testutil.Repeat("a\n", 1<<20), "\"\n"), 2,
			`due.csv:4: error: row longer than 256 KiB: refused (no real row comes near) [limit]`},
		{"CSV header of 10 million columns", CSV, testutil.Concat(testutil.Repeat("c,", 20_000_000), "\n", goodRow), 0,
			`due.csv:1: error: row longer than 256 KiB: refused (no real row comes near) [limit]`},
		{"JSON line of 300 MB", JSONLines, testutil.Concat(`{"end_to_end_id":"E2E-1"}`+"\n"+`{"remittance":"`, testutil.Repeat("x", 300<<20), "\"}\n"), 1,
			`due.csv:2: error: row longer than 256 KiB: refused (no real row comes near) [limit]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stop := testutil.SampleHeap()
			r := NewReader(tc.in, "due.csv", tc.format, defaults)
			n := 0
			var err error
			for {
				if _, err = r.Next(); err != nil {
					break
				}
				n++
			}
			peak := stop()
			if n != tc.rows || err == nil || err.Error() != tc.want {
				t.Fatalf("%d rows, error %v\nwant %d rows, %s", n, err, tc.rows, tc.want)
			}
			t.Logf("peak HeapInuse %.1f MB", float64(peak)/(1<<20))
			if peak > 16<<20 {
				t.Errorf("peak heap %.1f MB", float64(peak)/(1<<20))
			}
		})
	}
}

// TestQuotedLineFeedsKeepRows: a quoted field with line feeds does not end
// the row for the bound, and rows after it are counted from their start.
func TestQuotedLineFeedsKeepRows(t *testing.T) {
	rows := readAll(t, header+`E2E-1,MD-1,2024-01-15,FRST,12.30,"Jan`+"\n"+`Peeters",BE68539007547034,,"a ""quoted""`+"\n\n"+`remittance",`+"\n"+goodRow, CSV)
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 6 {
		t.Fatalf("%d rows", len(rows))
	}
}
