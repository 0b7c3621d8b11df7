package ubl

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
)

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	sdd, err := os.ReadFile("testdata/invoice-sdd.xml")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b.xml", sdd)
	write("sub/a.XML", sdd)
	write("notes.txt", []byte("not an invoice"))
	write(".hidden/c.xml", sdd)
	zp := filepath.Join(dir, "batch.zip")
	zf, _ := os.Create(zp)
	zw := zip.NewWriter(zf)
	for _, n := range []string{"in/1.xml", "in/readme.md", "__MACOSX/in/._1.xml", "in/2.xml"} {
		w, _ := zw.Create(n)
		w.Write(sdd)
	}
	zw.Close()
	zf.Close()

	var got []string
	err = Walk(dir, func(name string, r io.Reader) error {
		inv, _, err := Read(r, name)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, name)
		got = append(got, rel+"="+inv.Number)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"b.xml=INV/2024/0042", "batch.zip!in/1.xml=INV/2024/0042", "batch.zip!in/2.xml=INV/2024/0042", "sub/a.XML=INV/2024/0042"}
	if !slices.Equal(got, want) {
		t.Errorf("walk\n got %q\nwant %q", got, want)
	}

	// A single file, whatever its name; a zip given directly.
	got = nil
	for _, p := range []string{filepath.Join(dir, "notes.txt"), zp} {
		if err := Walk(p, func(name string, r io.Reader) error {
			rel, _ := filepath.Rel(dir, name)
			got = append(got, rel)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"notes.txt", "batch.zip!in/1.xml", "batch.zip!in/2.xml"}; !slices.Equal(got, want) {
		t.Errorf("files\n got %q\nwant %q", got, want)
	}
	if err := Walk(filepath.Join(dir, "missing"), func(string, io.Reader) error { return nil }); !os.IsNotExist(err) {
		t.Errorf("missing path: %v", err)
	}
	write("bad.zip", []byte("PK\x03\x04 truncated"))
	if err := Walk(filepath.Join(dir, "bad.zip"), func(string, io.Reader) error { return nil }); err == nil || err.Error() != filepath.Join(dir, "bad.zip")+": zip: not a valid zip file" {
		t.Errorf("a broken zip must be an error: %v", err)
	}
	// In a directory, broken files are reported and the others still walked.
	write("fake.zip", []byte("not a zip"))
	n := 0
	err = Walk(dir, func(string, io.Reader) error { n++; return nil })
	want2 := filepath.Join(dir, "bad.zip") + ": zip: not a valid zip file\n" + filepath.Join(dir, "fake.zip") + ": not a zip file"
	if n != 4 || err == nil || err.Error() != want2 {
		t.Errorf("walked %d, error %v", n, err)
	}
}

// TestWalkHostileZip: a zip whose UBL expands 1,000 times (a 100 KB zip
// holding a 100 MB cbc:Note; the review's 1 MB zip of a 1 GB UBL took 3.2 GB
// RSS) and a member named with a line feed are refused, each with its own
// error naming archive and member; the other members are still walked and
// the heap stays small.
func TestWalkHostileZip(t *testing.T) {
	sdd, err := os.ReadFile("testdata/invoice-sdd.xml")
	if err != nil {
		t.Fatal(err)
	}
	zp := filepath.Join(t.TempDir(), "hostile.zip")
	zf, err := os.Create(zp)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	for _, m := range []struct {
		name string
		r    io.Reader
	}{
		{"1.xml", bytes.NewReader(sdd)},
		{"bomb.xml", hostile("<cbc:Note>", "                ", 100<<20, "</cbc:Note>")},
		{"2.xml\nok: 0 errors.xml", bytes.NewReader(sdd)},
		{"3.xml", bytes.NewReader(sdd)},
	} {
		w, _ := zw.Create(m.name)
		if _, err := io.Copy(w, m.r); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zf.Close()
	var got []string
	stop := testutil.SampleHeap()
	err = Walk(zp, func(name string, r io.Reader) error {
		_, _, err := Read(r, name)
		got = append(got, filepath.Base(name))
		return err
	})
	peak := stop()
	if want := []string{"hostile.zip!1.xml", "hostile.zip!3.xml"}; !slices.Equal(got, want) {
		t.Errorf("walked %q, want %q", got, want)
	}
	want := zp + `!bomb.xml: error: "104857893 bytes from 102088": member expands more than 200 times its compressed size: refused (real statements and invoices compress at most 40 times; a zip bomb 1,000) [limit]` + "\n" +
		zp + `!2.xml\nok: 0 errors.xml: error: member name "2.xml\nok: 0 errors.xml" holds the control character U+000A: refused [limit]`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	t.Logf("peak HeapInuse %.1f MB", float64(peak)/(1<<20))
	if peak > 16<<20 {
		t.Errorf("peak heap %.1f MB", float64(peak)/(1<<20))
	}
}
