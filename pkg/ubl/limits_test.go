package ubl

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/testutil"
)

const hostileHead = `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">
<cbc:ID>H-1</cbc:ID>
`

// hostile streams an invoice whose body is n bytes of pattern after
// prefix, then suffix.
func hostile(prefix, pattern string, n int64, suffix string) io.Reader {
	return testutil.Concat(hostileHead, prefix, testutil.Repeat(pattern, n), suffix, "\n</Invoice>\n")
}

func attachment(i int) string {
	return fmt.Sprintf(`<cac:AdditionalDocumentReference><cbc:ID>A%d</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="a%d.pdf">QUJD</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>`, i, i)
}

// TestHostileLimits: every bound of the package doc refuses a document just
// beyond it with a located finding; each of these was read to its end (and
// held in memory) before the bounds.
func TestHostileLimits(t *testing.T) {
	bigNote := "<cbc:Note>" + strings.Repeat("n", 1<<20-21) + "</cbc:Note>\n"
	var atts strings.Builder
	for i := 1; i <= maxAttachments+1; i++ {
		atts.WriteString(attachment(i))
		atts.WriteByte('\n')
	}
	tests := []struct {
		name string
		in   io.Reader
		want string
	}{
		{"a note of 1 MiB + 1", hostile("<cbc:Note>", "x", maxText+1, "</cbc:Note>"),
			`h.xml:3: error: /Invoice/cbc:Note "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…": text longer than 1 MiB: refused (no real file has one) [limit]`},
		{"a note split by comments", hostile("<cbc:Note>", "xxxxxxxxx<!---->", 2<<20, "</cbc:Note>"),
			`h.xml:3: error: /Invoice/cbc:Note "xxxxxxxxx<!---->xxxxxxxxx<!---->xxxxxxxx…": text longer than 1 MiB: refused (no real file has one) [limit]`},
		{"a note split by elements", hostile("<cbc:Note>", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx<b/>\n", 2<<20, "</cbc:Note>"),
			`h.xml:30843: error: /Invoice/cbc:Note "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nxxxxxx…": text longer than 1 MiB in one element: refused (no real file has one) [limit]`},
		{"an attribute of 64 KiB", hostile(`<cbc:Note a="`, "x", 64<<10, `"/>`),
			`h.xml:3: error: /Invoice "<cbc:Note a=\"xxxxxxxxxxxxxxxxxxxxxxxxxxx…": start tag longer than 64 KiB: refused (no real file has one) [limit]`},
		{"65 levels in a skipped element", hostile("", "<x>\n", 65*4, ""),
			`h.xml:66: error: /Invoice/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x "<x>": elements nested deeper than 64 [limit]`},
		{"100,001 lines", hostile("", "<cac:InvoiceLine/>\n", int64(maxParts+1)*19, ""),
			`h.xml:100003: error: /Invoice/cac:InvoiceLine "": more than 100000 repeated parts (lines, notes, allowances, tax subtotals, identifiers ...) in one document: refused (no real invoice has that many) [limit]`},
		{"1,001 attachments", testutil.Concat(hostileHead, atts.String(), "</Invoice>"),
			`h.xml:1003: error: /Invoice/cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject "a1001.pdf": more than 1000 embedded attachments: refused (no real invoice has that many) [limit]`},
		{"65 MiB of notes", hostile("", bigNote, 65*int64(len(bigNote)), ""),
			`h.xml:67: error: /Invoice/cbc:Note "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn…": more than 64 MiB of text in one document: refused (no real invoice has that much) [limit]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Read(tc.in, "h.xml")
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}

// TestManyAttachmentsAreLinear: 200,000 tiny attachments took 31 s (the
// line of every element summed over every attachment before it); they are
// refused at the 1,001st now, and the line arithmetic is a binary search.
func TestManyAttachmentsAreLinear(t *testing.T) {
	start := time.Now()
	in := hostile("", attachment(7)+"\n", 200000*int64(len(attachment(7))+1), "")
	_, _, err := Read(in, "h.xml")
	if err == nil || !strings.Contains(err.Error(), "more than 1000 embedded attachments") {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	// Attachments that are not where the reader keeps them count too.
	in = hostile("<x>", "<cbc:EmbeddedDocumentBinaryObject>QUJD</cbc:EmbeddedDocumentBinaryObject>\n", 200000*76, "</x>")
	_, _, err = Read(in, "h.xml")
	want := `h.xml:1003: error: /Invoice/x "": more than 1000 embedded attachments (cbc:EmbeddedDocumentBinaryObject): refused (no real invoice has that many) [limit]`
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
}

func TestNewlinesBefore(t *testing.T) {
	f := &attachFilter{drops: []drop{{at: 10, before: 0, newlines: 2}, {at: 20, before: 2, newlines: 0}, {at: 30, before: 2, newlines: 5}}}
	for _, tc := range []struct {
		off  int64
		want int
	}{{0, 0}, {10, 0}, {11, 2}, {20, 2}, {21, 2}, {30, 2}, {31, 7}, {1 << 40, 7}} {
		if got := f.newlinesBefore(tc.off); got != tc.want {
			t.Errorf("newlinesBefore(%d) = %d, want %d", tc.off, got, tc.want)
		}
	}
	if d, ok := f.dropAt(20); !ok || d.at != 20 {
		t.Errorf("dropAt(20) = %+v, %v", d, ok)
	}
	if _, ok := f.dropAt(21); ok {
		t.Error("dropAt(21) found a drop")
	}
}

// TestHeapBoundedOnHostileUBL reads the hostile documents of the review,
// generated as they are read, and samples the heap: a 300 MB cbc:Note
// (1.4 GB RSS before), 10 million nested elements, 200,000 attachments and
// 100,000 empty lines checked (the most the bounds let through: the
// model of 100,000 lines). The readers stop at the bound, so the full
// sizes cost no time.
func TestHeapBoundedOnHostileUBL(t *testing.T) {
	tests := []struct {
		name  string
		in    io.Reader
		bound uint64
	}{
		{"300 MB note", hostile("<cbc:Note>", "0123456789abcdef\n", 300_000_000, "</cbc:Note>"), 16 << 20},
		{"10M nested elements", hostile("", "<cac:X>", 70_000_000, ""), 16 << 20},
		{"200,000 attachments", hostile("", attachment(7)+"\n", 200000*int64(len(attachment(7))+1), ""), 16 << 20},
		{"100,000 empty lines", hostile("", "<cac:InvoiceLine/>\n", maxParts*19, ""), 192 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stop := testutil.SampleHeap()
			inv, fl, _ := Read(tc.in, "h.xml")
			v := inv.Validate()
			peak := stop()
			t.Logf("%s: peak HeapInuse %.1f MB, %d+%d findings", tc.name, float64(peak)/(1<<20), len(fl), len(v))
			if peak > tc.bound {
				t.Errorf("peak heap %.1f MB, bound %d MB", float64(peak)/(1<<20), tc.bound>>20)
			}
		})
	}
}
