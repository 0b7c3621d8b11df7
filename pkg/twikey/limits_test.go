package twikey_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/twikey"
)

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// TestDownloadLimits: what the platform (or something in front of it)
// sends is refused when it is not a statement file or has no end, and
// nothing is left in the folder.
func TestDownloadLimits(t *testing.T) {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	io.Copy(zw, io.LimitReader(zeros{}, 256<<20))
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/creditor":
			w.Header().Set("Authorization", "session")
		case "/creditor/files/endless.xml":
			io.WriteString(w, "<?xml version=\"1.0\"?>")
			io.Copy(w, io.LimitReader(zeros{}, 8<<20)) // "endless" past the 1 MiB cap
		case "/creditor/files/bomb.xml":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		case "/creditor/files/page.cod":
			w.Header().Set("Content-Type", "application/octet-stream")
			io.WriteString(w, "<html><body>Service unavailable</body></html>")
		case "/creditor/files/page.xml":
			w.Header().Set("Content-Type", "application/octet-stream")
			io.WriteString(w, "\n  <!DOCTYPE html><html><body>Service unavailable</body></html>")
		case "/creditor/files/json.xml":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"code":"err_busy"}`)
		case "/creditor/files/ok.cod":
			io.WriteString(w, "0000005032600005        0000000000BATCHTOOL\r\n")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, err := twikey.New(twikey.Options{BaseURL: srv.URL, APIToken: "t", MaxDownload: 1 << 20, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, want string }{
		{"endless.xml", "twikey: GET /creditor/files/endless.xml: larger than 1048576 bytes, the most a reconciliation file may be (twikey.Options.MaxDownload): refused"},
		{"page.cod", `twikey: GET /creditor/files/page.cod: not a CODA file: it does not start with a header record (00000), but "<html><body>Service unavailable</body></"`},
		{"page.xml", `twikey: GET /creditor/files/page.xml: not a camt XML file: it starts with "<!DOCTYPE html><html><body>Service unava"`},
		{"json.xml", "twikey: GET /creditor/files/json.xml: the platform answered application/json, not a reconciliation file"},
		{"evil\x1b[2Jname.cod", `twikey: file name "evil\x1b[2Jname.cod" holds the control character U+001B: refused`},
		{"invoice\u202eloc.xml", `twikey: file name "invoice\u202eloc.xml" holds the control character U+202E: refused`},
		{"line\nbreak.xml", `twikey: file name "line\nbreak.xml" holds the control character U+000A: refused`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := c.DownloadFile(ctx, tc.name, dir, nil)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error\n%v\nwant\n%s", err, tc.want)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Fatalf("left behind %v", left)
			}
		})
	}
	// The gzip bomb: 256 KiB on the wire would become 256 MiB; refused past
	// the 64 MiB floor, whatever MaxDownload says.
	big, err := twikey.New(twikey.Options{BaseURL: srv.URL, APIToken: "t", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err = big.DownloadFile(ctx, "bomb.xml", dir, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "twikey: GET /creditor/files/bomb.xml: gzip body expands ") ||
		!strings.HasSuffix(err.Error(), "over 200 times, a decompression bomb, refused") {
		t.Fatalf("bomb: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("left behind %v", left)
	}
	d, err := c.DownloadFile(ctx, "ok.cod", dir, nil)
	// sha256sum of the 45 bytes served.
	if err != nil || d.Bytes != 45 || d.SHA256 != "5061f39df0c3b8e865dfcb7f1792535f22c433d13c97385287473a5339160706" {
		t.Fatalf("ok.cod: %+v %v", d, err)
	}
}

func TestCleanPartial(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{".a.xml.part-1", ".b.cod.part-22", "c.xml", ".hidden"} {
		os.WriteFile(dir+"/"+n, []byte("x"), 0o644)
	}
	got, err := twikey.CleanPartial(dir)
	if err != nil || strings.Join(got, ",") != ".a.xml.part-1,.b.cod.part-22" {
		t.Fatalf("removed %v, %v", got, err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 2 {
		t.Fatalf("left %v", left)
	}
}
