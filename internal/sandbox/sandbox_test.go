package sandbox_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/statement"
	"github.com/batchtool/batchtool/pkg/twikey"
)

var ctx = context.Background()

var collDate = time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)

func start(t *testing.T, dir string) (*sandbox.Server, *twikey.Client) {
	t.Helper()
	srv := sandbox.New(dir, sandbox.Options{})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c, err := twikey.New(twikey.Options{BaseURL: srv.URL(), APIToken: sandbox.DefaultToken, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// scenario imports one batch (paid, AM04, MD06, AC04) and three invoices
// (paid in full with an OGM, never paid, half paid with an RF reference).
func scenario(t *testing.T, c *twikey.Client) {
	t.Helper()
	var b bytes.Buffer
	if err := sandbox.SampleBatch(&b, "SCN", collDate, "10.00", "20.01", "30.02", "40.03"); err != nil {
		t.Fatal(err)
	}
	if err := c.ImportCollection(ctx, 1234, bytes.NewReader(b.Bytes())); err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, inv := range []struct{ n, amt, ref, state string }{
		{"INV-1", "100.00", "+++090/9337/55493+++", "PAID"},
		{"INV-2", "50.01", "+++090/9337/55493+++", "BOOKED"},
		{"INV-3", "25.02", "RF18539007547034", "PENDING"},
	} {
		got, err := c.UploadInvoice(ctx, bytes.NewReader(sandbox.SampleInvoice(inv.n, inv.amt, inv.ref, issued)), twikey.UploadInvoiceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.State != inv.state {
			t.Errorf("%s: state %s, want %s", inv.n, got.State, inv.state)
		}
	}
}

func entryLines(t *testing.T, rd statement.Reader) []string {
	t.Helper()
	var out []string
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("%s %s rev=%v %s/%s/%s", e.BookingDate.Format("01-02"), e.Amount.StringFixed(2), e.Reversal,
			e.BankTxCode.Domain, e.BankTxCode.Family, e.BankTxCode.SubFamily)
		for _, d := range e.Details {
			line += fmt.Sprintf(" [%s %s %s %s %s:%s]", d.Amount.StringFixed(2), d.EndToEndID, d.MandateID, d.ReturnReason, d.Reference.Scheme, d.Reference.Value)
		}
		out = append(out, line)
	}
	for _, f := range rd.Findings() {
		if f.Severity == finding.Error {
			t.Errorf("finding: %s", f)
		}
	}
	return out
}

func TestCamtFileOfTheSimulatedBank(t *testing.T) {
	dir := t.TempDir()
	_, c := start(t, dir)
	scenario(t, c)
	if n, err := c.GenerateFiles(ctx, twikey.GenerateFilesRequest{SDD: true, Format: "camt"}); err != nil || n != 1 {
		t.Fatalf("GenerateFiles = %d, %v", n, err)
	}
	files, err := c.ListFiles(ctx, time.Time{})
	if err != nil || len(files) != 1 {
		t.Fatal(files, err)
	}
	path := filepath.Join(dir, "files", files[0].Name)
	testutil.Xmllint(t, testutil.XSD(t, "camt.053", "camt.053.001.02.xsd"), path)
	f, _ := os.Open(path)
	defer f.Close()
	rd := camt.NewReader(f, files[0].Name)
	got := entryLines(t, rd)
	// The batch credit carries every collection (the first feedback is
	// PAID); failures come back as reversals with their reason.
	want := []string{
		"03-05 100.06 rev=false PMNT/IDDT/ESDD [10.00 SCN-E1 MNDT0001  :] [20.01 SCN-E2 MNDT0002  :] [30.02 SCN-E3 MNDT0003  :] [40.03 SCN-E4 MNDT0004  :]",
		"03-07 -20.01 rev=true PMNT/IDDT/UPDD [-20.01 SCN-E2 MNDT0002 AM04 :]",
		"03-19 -30.02 rev=true PMNT/IDDT/UPDD [-30.02 SCN-E3 MNDT0003 MD06 :]",
		"03-07 -40.03 rev=true PMNT/IDDT/UPDD [-40.03 SCN-E4 MNDT0004 AC04 :]",
		"03-31 100.00 rev=false PMNT/RCDT/ESCT [100.00    BE:090933755493]",
		"03-31 12.51 rev=false PMNT/RCDT/ESCT [12.51    RF:RF18539007547034]",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	st := rd.Statements()[0]
	if st.Account.IBAN != sandbox.SampleCreditorIBAN || st.Opening.Amount.StringFixed(2) != "0.00" || st.Closing.Amount.StringFixed(2) != "122.51" {
		t.Errorf("statement %s opening %s closing %s", st.Account.IBAN, st.Opening.Amount, st.Closing.Amount)
	}
}

func TestCodaFileAndRestart(t *testing.T) {
	dir := t.TempDir()
	srv, c := start(t, dir)
	scenario(t, c)
	if n, err := c.GenerateFiles(ctx, twikey.GenerateFilesRequest{SDD: true, Format: "coda"}); err != nil || n != 1 {
		t.Fatalf("GenerateFiles = %d, %v", n, err)
	}
	srv.Close()

	// A restarted sandbox remembers its files, feed positions and imports.
	_, c = start(t, dir)
	files, err := c.ListFiles(ctx, time.Time{})
	if err != nil || len(files) != 1 || !strings.HasSuffix(files[0].Name, ".cod") {
		t.Fatal(files, err)
	}
	var b bytes.Buffer
	sandbox.SampleBatch(&b, "SCN", collDate, "10.00")
	if err := c.ImportCollection(ctx, 1234, &b); err == nil || !strings.Contains(err.Error(), "already uploaded") {
		t.Fatalf("re-import after restart: %v", err)
	}
	f, _ := os.Open(filepath.Join(dir, "files", files[0].Name))
	defer f.Close()
	rd := coda.NewReader(f, files[0].Name)
	got := entryLines(t, rd)
	if len(got) != 6 {
		t.Fatalf("%d CODA entries, want 6:\n%s", len(got), strings.Join(got, "\n"))
	}
	for i, prefix := range []string{"03-05 100.06 ", "03-07 -20.01 ", "03-19 -30.02 ", "03-07 -40.03 ", "03-31 100.00 ", "03-31 12.51 "} {
		if !strings.HasPrefix(got[i], prefix) {
			t.Errorf("entry %d = %q, want prefix %q", i, got[i], prefix)
		}
	}
	if !strings.Contains(got[4], "BE:090933755493") {
		t.Errorf("OGM lost in CODA: %q", got[4])
	}
	// The next camt file starts over from the first movement (files are per
	// format), while the CODA feed has nothing new.
	if n, err := c.GenerateFiles(ctx, twikey.GenerateFilesRequest{SDD: true, Format: "coda"}); err != nil || n != 0 {
		t.Fatalf("second CODA generation = %d, %v; want 0", n, err)
	}
}

func TestControlEndpoint(t *testing.T) {
	srv, c := start(t, t.TempDir())
	resp, err := http.Post(srv.URL()+"/_sandbox/faults", "application/json",
		strings.NewReader(`{"kind":"500","method":"GET","path":"/creditor/files","count":1}`))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /_sandbox/faults: %v %v", resp, err)
	}
	_, err = c.ListFiles(ctx, time.Time{})
	if got, want := fmt.Sprint(err), "twikey: GET /creditor/files: http_500: Internal Server Error: Internal server error"; got != want {
		t.Fatalf("error %q, want %q", got, want)
	}
	if _, err := c.ListFiles(ctx, time.Time{}); err != nil {
		t.Fatalf("fault should be used up: %v", err)
	}
	resp, _ = http.Post(srv.URL()+"/_sandbox/faults", "application/json", strings.NewReader(`{"kind":"boom"}`))
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown kind: status %d", resp.StatusCode)
	}
}

func TestLoginRefusesTokenInURL(t *testing.T) {
	srv, _ := start(t, t.TempDir())
	resp, err := http.Post(srv.URL()+"/creditor?apiToken="+sandbox.DefaultToken, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 || resp.Header.Get("ApiErrorCode") != "err_invalid_params" {
		t.Fatalf("status %d code %q", resp.StatusCode, resp.Header.Get("ApiErrorCode"))
	}
}
