package ubl

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
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
