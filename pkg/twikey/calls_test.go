package twikey_test

import (
	"bytes"
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
	"github.com/batchtool/batchtool/pkg/twikey"
)

func TestImportQueryFeedReporting(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	// Cents .01 AM04, .02 MD06, .03 AC04, else paid (sandbox rule).
	if err := e.c.ImportCollection(ctx, 1234, batch(t, "B1", "10.00", "20.01", "30.02", "40.03")); err != nil {
		t.Fatal(err)
	}
	page, err := e.c.QueryCollections(ctx, twikey.CollectionQuery{CT: 1234, ReqCollDate: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Collections) != 1 {
		t.Fatalf("%d collections, want 1", len(page.Collections))
	}
	c := page.Collections[0]
	if c.PmtInfID != "B1-1" || c.CT != 1234 || c.Tx != 4 || c.Amount.String() != "100.06" || c.Status != "Sent" || c.ReqCollDate.String() != "2026-03-05" {
		t.Fatalf("collection %+v", c)
	}
	if page.Self != "/creditor/collect/query?ct=1234&page=0&reqcolldt=2026-03-05" {
		t.Errorf("self link %q", page.Self)
	}
	if p2, err := e.c.QueryCollections(ctx, twikey.CollectionQuery{CT: 2223}); err != nil || len(p2.Collections) != 0 {
		t.Fatalf("profile 2223: %v, %v", p2, err)
	}

	feed, err := e.c.TransactionFeed(ctx, twikey.FeedOptions{Include: []string{twikey.IncludeSeq, twikey.IncludeCollection}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tx := range feed {
		got = append(got, fmt.Sprintf("%s %s %s %s %s coll=%v seq=%v", tx.MandateID, tx.Ref, tx.Amount, tx.State, tx.BankError, tx.Collection == c.ID, tx.Seq > 0))
	}
	want := []string{
		"MNDT0001 B1-E1 10 PAID  coll=true seq=true",
		"MNDT0002 B1-E2 20.01 ERROR AM04 coll=true seq=true",
		"MNDT0003 B1-E3 30.02 ERROR MD06 coll=true seq=true",
		"MNDT0004 B1-E4 40.03 ERROR AC04 coll=true seq=true",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("feed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if feed[1].BookedDate.String() != "2026-03-07" || feed[1].BankMessage != "Insufficient funds" {
		t.Errorf("AM04 entry %+v", feed[1])
	}
	// The feed moved on: nothing new; resuming after the first seq replays 3.
	if again, err := e.c.TransactionFeed(ctx, twikey.FeedOptions{}); err != nil || len(again) != 0 {
		t.Fatalf("second read: %d entries, %v", len(again), err)
	}
	replay, err := e.c.TransactionFeed(ctx, twikey.FeedOptions{ResumeAfter: feed[0].Seq})
	if err != nil || len(replay) != 3 || replay[0].Ref != "B1-E2" {
		t.Fatalf("resume after %d: %d entries, %v", feed[0].Seq, len(replay), err)
	}

	rep, err := e.c.AccountReporting(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, r := range rep {
		got = append(got, fmt.Sprintf("%s %s %s %s %s", r.Type, r.Date, r.Amount().StringFixed(2), r.Meta.ReasonCode, r.Meta.EndToEndID))
	}
	want = []string{
		"PMNT/IDDT/ESDD 2026-03-05 10.00  B1-E1",
		"PMNT/IDDT/ESDD 2026-03-05 20.01  B1-E2",
		"PMNT/IDDT/ESDD 2026-03-05 30.02  B1-E3",
		"PMNT/IDDT/ESDD 2026-03-05 40.03  B1-E4",
		"PMNT/RDDT/PRDD 2026-03-07 -20.01 AM04 B1-E2",
		"PMNT/RDDT/PRDD 2026-03-19 -30.02 MD06 B1-E3",
		"PMNT/RDDT/PRDD 2026-03-07 -40.03 AC04 B1-E4",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("reporting:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestImportErrors(t *testing.T) {
	for _, headers := range []bool{false, true} {
		t.Run(fmt.Sprintf("HeaderErrors=%v", headers), func(t *testing.T) {
			e := setup(t, sandbox.Options{HeaderErrors: headers}, nil)
			if err := e.c.ImportCollection(ctx, 1234, batch(t, "DUP", "10.00", "11.00")); err != nil {
				t.Fatal(err)
			}
			status := 400
			if headers {
				status = 200
			}
			for _, tc := range []struct {
				name string
				ct   int64
				body io.Reader
				want string
			}{
				{"duplicate", 1234, batch(t, "DUP", "10.00"),
					"twikey: POST /creditor/collect/import: invalid_file: File already uploaded (Collection with the same value of 'PmtInfId' (DUP-1) and 'EndToEndId' (DUP-E1) was already uploaded)"},
				{"unknown profile", 99, batch(t, "X1", "10.00"),
					"twikey: POST /creditor/collect/import: err_no_such_ct: No such profile (99)"},
				{"not XML", 1234, strings.NewReader("this is not xml"),
					"twikey: POST /creditor/collect/import: invalid_file: Invalid format"},
			} {
				err := e.c.ImportCollection(ctx, tc.ct, tc.body)
				ae := apiErr(t, err)
				if headers {
					// Headers carry the code only (in ApiError and ApiErrorCode):
					// no message, no extra detail.
					tc.want = tc.want[:strings.Index(tc.want, ": ")+2] + strings.SplitN(tc.want, ": ", 3)[1]
				}
				if got := err.Error(); !strings.HasPrefix(got, tc.want) {
					t.Errorf("%s: error\n%q\nwant prefix\n%q", tc.name, got, tc.want)
				}
				if ae.Status != status || !ae.IsUserError() {
					t.Errorf("%s: status %d user=%v, want %d", tc.name, ae.Status, ae.IsUserError(), status)
				}
			}
		})
	}
}

func TestRateLimitWaitsRetryAfter(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultRateLimit, Path: "/creditor/collect/query", Count: 2, RetryAfter: 7})
	if _, err := e.c.QueryCollections(ctx, twikey.CollectionQuery{}); err != nil {
		t.Fatal(err)
	}
	if got := e.clock.Sleeps(); !slices.Equal(got, []time.Duration{7 * time.Second, 7 * time.Second}) {
		t.Fatalf("waits %v, want [7s 7s]", got)
	}
	// A POST is retried after a 429 too: the platform did not run it.
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultRateLimit, Path: "/creditor/collect/import", RetryAfter: 3})
	if err := e.c.ImportCollection(ctx, 1234, batch(t, "RL", "5.00")); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Stats()["POST /creditor/collect/import"]; n != 2 {
		t.Fatalf("import attempts %d, want 2", n)
	}
}

func TestRateLimitExhausted(t *testing.T) {
	e := setup(t, sandbox.Options{}, func(o *twikey.Options) { o.MaxRetries = 2 })
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultRateLimit, Path: "/creditor/collect/query", Count: 5, RetryAfter: 4})
	_, err := e.c.QueryCollections(ctx, twikey.CollectionQuery{})
	if got, want := fmt.Sprint(err), "twikey: GET /creditor/collect/query: rate_limited: too many requests"; got != want {
		t.Fatalf("error %q, want %q", got, want)
	}
	if ae := apiErr(t, err); ae.RetryAfter != 4*time.Second || ae.IsUserError() {
		t.Fatalf("%+v", ae)
	}
	if got := e.clock.Sleeps(); !slices.Equal(got, []time.Duration{4 * time.Second, 4 * time.Second}) {
		t.Fatalf("waits %v", got)
	}
	// A wait longer than MaxRetryAfter is not waited.
	e2 := setup(t, sandbox.Options{}, func(o *twikey.Options) { o.MaxRetryAfter = time.Minute })
	e2.srv.Inject(sandbox.Fault{Kind: sandbox.FaultRateLimit, Path: "/creditor/files", RetryAfter: 3600})
	if _, err := e2.c.ListFiles(ctx, time.Time{}); apiErr(t, err).RetryAfter != time.Hour || len(e2.clock.Sleeps()) != 0 {
		t.Fatalf("err %v, waits %v", err, e2.clock.Sleeps())
	}
}

func TestServerErrorsRetriedOnlyWhenSafe(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	// GET: retried with exponential backoff (no jitter in these tests).
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultServerError, Path: "/creditor/collect/query", Count: 3})
	if _, err := e.c.QueryCollections(ctx, twikey.CollectionQuery{}); err != nil {
		t.Fatal(err)
	}
	if got := e.clock.Sleeps(); !slices.Equal(got, []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}) {
		t.Fatalf("waits %v, want [500ms 1s 2s]", got)
	}

	// POST without an idempotency key: not retried, the error is reported.
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultServerError, Path: "/creditor/collect/import"})
	err := e.c.ImportCollection(ctx, 1234, batch(t, "S5", "5.00"))
	if got, want := fmt.Sprint(err), "twikey: POST /creditor/collect/import: http_500: Internal Server Error: Internal server error"; got != want {
		t.Fatalf("error %q, want %q", got, want)
	}
	if n := e.srv.Stats()["POST /creditor/collect/import"]; n != 1 {
		t.Fatalf("import attempts %d, want 1", n)
	}

	// With an idempotency key the POST is retried.
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultServerError, Path: "/creditor/collect/import"})
	if err := e.c.ImportCollection(ctx, 1234, batch(t, "S5", "5.00"), twikey.WithIdempotencyKey("S5")); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Stats()["POST /creditor/collect/import"]; n != 3 {
		t.Fatalf("import attempts %d, want 3", n)
	}
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	var asked []time.Duration
	e := setup(t, sandbox.Options{}, func(o *twikey.Options) {
		o.MaxRetries = 6
		o.MaxDelay = 3 * time.Second
		o.Jitter = func(d time.Duration) time.Duration { asked = append(asked, d); return d / 2 }
	})
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultServerError, Path: "/creditor/files", Count: 6})
	if _, err := e.c.ListFiles(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	s := time.Second
	if want := []time.Duration{s / 2, s, 2 * s, 3 * s, 3 * s, 3 * s}; !slices.Equal(asked, want) {
		t.Fatalf("backoff %v, want %v", asked, want)
	}
	if want := []time.Duration{s / 4, s / 2, s, 3 * s / 2, 3 * s / 2, 3 * s / 2}; !slices.Equal(e.clock.Sleeps(), want) {
		t.Fatalf("waits %v, want %v", e.clock.Sleeps(), want)
	}
	// The default jitter stays within [d/2, d].
	e2 := setup(t, sandbox.Options{}, func(o *twikey.Options) { o.Jitter = nil })
	e2.srv.Inject(sandbox.Fault{Kind: sandbox.FaultServerError, Path: "/creditor/files", Count: 4})
	if _, err := e2.c.ListFiles(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	for i, d := range e2.clock.Sleeps() {
		hi := 500 * time.Millisecond << i
		if d < hi/2 || d > hi {
			t.Errorf("wait %d = %v, want in [%v, %v]", i, d, hi/2, hi)
		}
	}
}

func TestDroppedConnectionRetriedOnlyWhenSafe(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	if err := e.c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Path: "/creditor/transaction"})
	if _, err := e.c.TransactionFeed(ctx, twikey.FeedOptions{}); err != nil {
		t.Fatal(err)
	}
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Path: "/creditor/invoice/ubl"})
	_, err := e.c.UploadInvoice(ctx, bytes.NewReader(sandbox.SampleInvoice("INV-1", "100.00", "+++090/9337/55493+++", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))), twikey.UploadInvoiceOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "twikey: POST /creditor/invoice/ubl: ") {
		t.Fatalf("error %v", err)
	}
	st := e.srv.Stats()
	if st["GET /creditor/transaction"] != 2 || st["POST /creditor/invoice/ubl"] != 1 {
		t.Fatalf("stats %v", st)
	}
}

func TestSlowAnswerTimesOutAndIsRetried(t *testing.T) {
	e := setup(t, sandbox.Options{}, func(o *twikey.Options) {
		o.HTTPClient = &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 100 * time.Millisecond}}
	})
	if err := e.c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	// A listing with a reset answers the same however often it is sent.
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultSlow, Path: "/creditor/files", Delay: 2 * time.Second})
	if _, err := e.c.ListFiles(ctx, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Stats()["GET /creditor/files"]; n != 2 {
		t.Fatalf("attempts %d, want 2", n)
	}
}

// TestPlainListingLostIsNotSentAgain: the platform lists a file once, so a
// plain listing whose answer was lost must not be sent again (the second
// answer would be empty and the files lost); the caller lists again with a
// reset.
func TestPlainListingLostIsNotSentAgain(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	if err := e.c.ImportCollection(ctx, 1234, batch(t, "LOST1", "10.00")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.GenerateFiles(ctx, twikey.GenerateFilesRequest{SDD: true}); err != nil {
		t.Fatal(err)
	}
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultLost, Method: "GET", Path: "/creditor/files"})
	_, err := e.c.ListFiles(ctx, time.Time{})
	if err == nil || !strings.Contains(err.Error(), "the answer may have been lost after the platform moved its feed: not sent again") {
		t.Fatalf("error %v, want the lost answer named", err)
	}
	if n := e.srv.Stats()["GET /creditor/files"]; n != 1 {
		t.Fatalf("attempts %d, want 1", n)
	}
	if again, err := e.c.ListFiles(ctx, time.Time{}); err != nil || len(again) != 0 {
		t.Fatalf("plain listing after the lost one = %v, %v: the platform moved on, want none", again, err)
	}
	// A reset lists the file again, and is retried after a lost answer.
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultLost, Method: "GET", Path: "/creditor/files"})
	files, err := e.c.ListFiles(ctx, time.Unix(0, 0))
	if err != nil || len(files) != 1 {
		t.Fatalf("listing with a reset = %v, %v; want the one file", files, err)
	}
}

func TestUploadInvoice(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	issued := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	inv, err := e.c.UploadInvoice(ctx, bytes.NewReader(sandbox.SampleInvoice("INV-7", "121.50", "+++090/9337/55493+++", issued)),
		twikey.UploadInvoiceOptions{InvoiceID: "6f1c1e1e-0000-4000-8000-000000000007", Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%s %s %s %s %s %s %d", inv.ID, inv.Number, inv.Amount, inv.State, inv.Date, inv.DueDate, inv.CT); got != "6f1c1e1e-0000-4000-8000-000000000007 INV-7 121.5 PAID 2026-03-01 2026-03-31 1234" {
		t.Fatalf("invoice %s", got)
	}
	bad := bytes.ReplaceAll(sandbox.SampleInvoice("INV-8", "10.00", "", issued), []byte("<cbc:ID>C-INV-8</cbc:ID>"), nil)
	_, err = e.c.UploadInvoice(ctx, bytes.NewReader(bad), twikey.UploadInvoiceOptions{})
	if got, want := fmt.Sprint(err), "twikey: POST /creditor/invoice/ubl: invalid_file: File is invalid or no file was provided (missing customer reference (cac:AccountingCustomerParty))"; got != want {
		t.Fatalf("error %q\nwant  %q", got, want)
	}
}

func TestFilesGenerateListDownload(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	if err := e.c.ImportCollection(ctx, 1234, batch(t, "F1", "10.00", "20.01")); err != nil {
		t.Fatal(err)
	}
	n, err := e.c.GenerateFiles(ctx, twikey.GenerateFilesRequest{SDD: true, Format: twikey.FormatCAMT})
	if err != nil || n != 1 {
		t.Fatalf("GenerateFiles = %d, %v; want 1", n, err)
	}
	if n, err := e.c.GenerateFiles(ctx, twikey.GenerateFilesRequest{SDD: true}); err != nil || n != 0 {
		t.Fatalf("second GenerateFiles = %d, %v; want 0 (nothing new)", n, err)
	}
	files, err := e.c.ListFiles(ctx, time.Time{})
	if err != nil || len(files) != 1 {
		t.Fatalf("ListFiles = %v, %v", files, err)
	}
	name := files[0].Name
	if !strings.HasPrefix(name, "sdd_twikey_"+sandbox.SampleCreditorID+"-") || !strings.HasSuffix(name, ".xml") {
		t.Errorf("file name %q", name)
	}
	if again, err := e.c.ListFiles(ctx, time.Time{}); err != nil || len(again) != 0 {
		t.Fatalf("second ListFiles = %v, %v; want none", again, err)
	}
	if reset, err := e.c.ListFiles(ctx, files[0].Created.Add(-time.Hour)); err != nil || len(reset) != 1 {
		t.Fatalf("ListFiles with X-RESET = %v, %v; want 1", reset, err)
	}

	out := t.TempDir()
	var progress bytes.Buffer
	d, err := e.c.DownloadFile(ctx, name, out, &progress)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(e.dir, "files", name))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(d.Path)
	if !bytes.Equal(got, want) || d.Bytes != int64(len(want)) || !bytes.Equal(progress.Bytes(), want) {
		t.Fatalf("downloaded %d bytes (progress %d), want %d identical bytes", len(got), progress.Len(), len(want))
	}
	if n := e.srv.Stats()["Content-Encoding gzip"]; n != 1 {
		t.Errorf("%d gzip-encoded answers, want 1", n)
	}
	if !bytes.Contains(got, []byte("camt.053.001.02")) {
		t.Errorf("not a camt.053.001.02 file:\n%.300s", got)
	}
	assertOnly(t, out, name)
}

// A connection that drops mid-body leaves nothing behind; a download that
// breaks off once is started again and completes.
func TestDownloadDroppedConnection(t *testing.T) {
	e := setup(t, sandbox.Options{}, func(o *twikey.Options) { o.MaxRetries = 2 })
	if err := e.c.ImportCollection(ctx, 1234, batch(t, "D1", "10.00", "20.00", "30.00")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.GenerateFiles(ctx, twikey.GenerateFilesRequest{SDD: true}); err != nil {
		t.Fatal(err)
	}
	files, err := e.c.ListFiles(ctx, time.Time{})
	if err != nil || len(files) != 1 {
		t.Fatal(files, err)
	}
	name := files[0].Name
	out := t.TempDir()
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Path: "/creditor/files/", Count: 3})
	_, err = e.c.DownloadFile(ctx, name, out, nil)
	if err == nil || !strings.Contains(err.Error(), "connection broke off after") {
		t.Fatalf("error %v", err)
	}
	assertOnly(t, out)

	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Path: "/creditor/files/"})
	d, err := e.c.DownloadFile(ctx, name, out, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(e.dir, "files", name))
	if got, _ := os.ReadFile(d.Path); !bytes.Equal(got, want) {
		t.Fatalf("retried download differs: %d bytes, want %d", len(got), len(want))
	}
	assertOnly(t, out, name)
}

func TestDownloadRejectsPathNames(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	for _, name := range []string{"", "..", "../etc/passwd", "a/b", `a\b`, ".hidden"} {
		_, err := e.c.DownloadFile(ctx, name, t.TempDir(), nil)
		if want := fmt.Sprintf("twikey: file name %q: not a plain file name", name); fmt.Sprint(err) != want {
			t.Errorf("DownloadFile(%q): %v, want %s", name, err, want)
		}
	}
}

// assertOnly checks that dir holds exactly names (no temp files).
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
}

// TestHTMLAnswerIsNoSuccess: an HTML page sent with status 200 in front of
// the platform (a proxy, a maintenance page) is not taken for an accepted
// import — before, the batch was recorded as uploaded and never collected.
func TestHTMLAnswerIsNoSuccess(t *testing.T) {
	e := setup(t, sandbox.Options{}, nil)
	e.srv.Inject(sandbox.Fault{Kind: sandbox.FaultHTML, Method: "POST", Path: "/creditor/collect/import"})
	err := e.c.ImportCollection(ctx, 1234, batch(t, "HTML1", "10.00"))
	if got, want := fmt.Sprint(err), "twikey: POST /creditor/collect/import: http_html: an HTML page answered, not the platform's API (a proxy or maintenance page)"; got != want {
		t.Fatalf("error %q, want %q", got, want)
	}
	page, err := e.c.QueryCollections(ctx, twikey.CollectionQuery{})
	if err != nil || len(page.Collections) != 0 {
		t.Fatalf("the platform holds %+v (%v): want nothing imported", page, err)
	}
}
