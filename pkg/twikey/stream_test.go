package twikey_test

import (
	"compress/gzip"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// pattern is an endless reader of statement-like text: a CODA header
// record, then the same movement record again and again.
type pattern struct{ n int64 }

const (
	header = "0000005032600005        0000000000BATCHTOOL TEST            BBRUBEBB   00000000000 00000                                       2\r\n"
	line   = "21000100000BE68539007547034      0000000000100000050326001500000Membership fee March          050326 0\r\n"
)

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		if at := p.n + int64(i); at < int64(len(header)) {
			b[i] = header[at]
		} else {
			b[i] = line[(at-int64(len(header)))%int64(len(line))]
		}
	}
	p.n += int64(len(b))
	return len(b), nil
}

// bigFileServer serves a file of size bytes generated on the fly, plain
// ("big.cod") or gzip-encoded as it is generated ("big-gz.cod"), on a real
// loopback HTTP server.
func bigFileServer(t testing.TB, size int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/creditor":
			w.Header().Set("Authorization", "session")
		case "/creditor/files/big.cod":
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
			io.Copy(w, io.LimitReader(&pattern{}, size))
		case "/creditor/files/big-gz.cod":
			w.Header().Set("Content-Encoding", "gzip")
			zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
			io.Copy(zw, io.LimitReader(&pattern{}, size))
			zw.Close()
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestDownloadMemoryFlat downloads 256 MiB (plain and gzip) and checks that
// the heap stays small: the body is streamed to disk, never held.
func TestDownloadMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("large download")
	}
	const size = 256 << 20
	srv := bigFileServer(t, size)
	c, err := twikey.New(twikey.Options{BaseURL: srv.URL, APIToken: "t"})
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.New()
	io.Copy(want, io.LimitReader(&pattern{}, size))
	for _, name := range []string{"big.cod", "big-gz.cod"} {
		t.Run(name, func(t *testing.T) {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base := ms.HeapInuse
			stopHeap := testutil.SampleHeap()
			dir := t.TempDir()
			d, err := c.DownloadFile(ctx, name, dir, nil)
			peak := stopHeap()
			if err != nil {
				t.Fatal(err)
			}
			if d.Bytes != size {
				t.Fatalf("%d bytes, want %d", d.Bytes, size)
			}
			f, _ := os.Open(d.Path)
			got := sha256.New()
			io.Copy(got, f)
			f.Close()
			if string(got.Sum(nil)) != string(want.Sum(nil)) {
				t.Fatal("downloaded content differs")
			}
			grow := int64(peak) - int64(base)
			t.Logf("%s: %d MiB downloaded, heap in use grew by at most %d KiB", name, size>>20, grow>>10)
			if grow > 16<<20 {
				t.Fatalf("heap grew by %d MiB for a %d MiB download", grow>>20, size>>20)
			}
		})
	}
}

func BenchmarkDownloadFile(b *testing.B) {
	const size = 32 << 20
	srv := bigFileServer(b, size)
	c, err := twikey.New(twikey.Options{BaseURL: srv.URL, APIToken: "t"})
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"big.cod", "big-gz.cod"} {
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.DownloadFile(ctx, name, dir, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
