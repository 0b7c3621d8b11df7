package ziparchive

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
)

type entry struct {
	name string
	body io.Reader
}

func makeZip(t testing.TB, entries ...entry) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

func readMember(m *Member) (int64, error) {
	rc, err := m.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return io.Copy(io.Discard, rc)
}

func TestMembers(t *testing.T) {
	// Entries that differ like real ones: they compress about 10 times.
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "<Ntry><Amt Ccy=\"EUR\">%d.%02d</Amt><Sts>BOOK</Sts><AcctSvcrRef>%08X</AcctSvcrRef></Ntry>\n", i*7919%100000, i%100, i*2654435761)
	}
	xml := b.String()
	zr := makeZip(t,
		entry{"dir/ok.xml", strings.NewReader(xml)},
		entry{"bomb.xml", testutil.Repeat("\x00", 30<<20)},
		entry{"evil\nok: nothing needs attention.xml", strings.NewReader("<a/>")},
		entry{"rtl\u202elmx.exe", strings.NewReader("<a/>")},
		entry{"empty.xml", strings.NewReader("")},
	)
	a, err := Open("in.zip", zr, zr.Size())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, err string }{
		{"in.zip!dir/ok.xml", ""},
		{"in.zip!bomb.xml", `in.zip!bomb.xml: error: "31457280 bytes from 30589": member expands more than 200 times its compressed size: refused (real statements and invoices compress at most 40 times; a zip bomb 1,000) [limit]`},
		{"in.zip!evil\nok: nothing needs attention.xml", `in.zip!evil\nok: nothing needs attention.xml: error: member name "evil\nok: nothing needs attention.xml" holds the control character U+000A: refused [limit]`},
		{"in.zip!rtl\u202elmx.exe", `in.zip!rtl\u202elmx.exe: error: member name "rtl\u202elmx.exe" holds the control character U+202E: refused [limit]`},
		{"in.zip!empty.xml", ""},
	}
	if len(a.Members) != len(want) {
		t.Fatalf("%d members", len(a.Members))
	}
	for i, w := range want {
		m := a.Members[i]
		n, err := readMember(m)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if m.Name != w.name || got != w.err {
			t.Errorf("member %d: %q, %s\nwant %q, %s", i, m.Name, got, w.name, w.err)
		}
		if w.err == "" && m.Path == "dir/ok.xml" && n != int64(len(xml)) {
			t.Errorf("read %d bytes of %d", n, len(xml))
		}
	}
}

func TestTooManyMembers(t *testing.T) {
	var es []entry
	for i := 0; i <= MaxMembers; i++ {
		es = append(es, entry{fmt.Sprintf("m%05d.xml", i), strings.NewReader("")})
	}
	zr := makeZip(t, es...)
	_, err := Open("many.zip", zr, zr.Size())
	want := `many.zip: error: "10001": the zip holds 10001 entries, more than 10000: refused (no real archive has that many) [limit]`
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	if n, ok := directoryRecords(zr, zr.Size()); !ok || n != MaxMembers+1 {
		t.Errorf("directoryRecords = %d, %v", n, ok)
	}
}

func TestNotAZip(t *testing.T) {
	r := strings.NewReader("PK\x03\x04 not really")
	_, err := Open("x.zip", r, r.Size())
	if err == nil || err.Error() != "x.zip: zip: not a valid zip file" {
		t.Fatalf("got %v", err)
	}
}
