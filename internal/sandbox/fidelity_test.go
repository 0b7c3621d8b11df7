package sandbox_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// TestLoginAnswer: the login answer carries the session in Authorization
// and the merchant id in X-MERCHANT-ID (the Python SDK reads both).
func TestLoginAnswer(t *testing.T) {
	srv, _ := start(t, t.TempDir())
	res, err := http.PostForm(srv.URL()+"/creditor", url.Values{"apiToken": {sandbox.DefaultToken}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Authorization") == "" || res.Header.Get("X-MERCHANT-ID") != sandbox.DefaultMerchantID {
		t.Errorf("login: %d Authorization=%q X-MERCHANT-ID=%q", res.StatusCode, res.Header.Get("Authorization"), res.Header.Get("X-MERCHANT-ID"))
	}
}

// TestErrorHeadersCarryTheCode: ApiError holds the error code, as the
// reference ("available in apierror header") and the Go, Java and PHP SDKs
// read it; ApiErrorCode too (the Python SDK); the body has the message.
func TestErrorHeadersCarryTheCode(t *testing.T) {
	for _, headerErrors := range []bool{false, true} {
		srv := sandbox.New(t.TempDir(), sandbox.Options{HeaderErrors: headerErrors})
		if err := srv.Start("127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		res, err := http.Post(srv.URL()+"/creditor?apiToken=x", "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		srv.Close()
		got := fmt.Sprintf("%d ApiError=%s ApiErrorCode=%s %s", res.StatusCode, res.Header.Get("ApiError"), res.Header.Get("ApiErrorCode"), strings.Join(strings.Fields(string(body)), " "))
		want := `400 ApiError=err_invalid_params ApiErrorCode=err_invalid_params { "code": "err_invalid_params", "message": "apiToken must be sent in the request body" }`
		if headerErrors {
			want = "200 ApiError=err_invalid_params ApiErrorCode=err_invalid_params "
		}
		if got != want {
			t.Errorf("header errors %v:\n%s\nwant\n%s", headerErrors, got, want)
		}
	}
}

// TestReportingAndFeedAsTheReferenceShows: a returned collection is
// PMNT/RDDT/PRDD in account reporting (negative, meta.rc), and the feed's
// contract is the template's contract number.
func TestReportingAndFeedAsTheReferenceShows(t *testing.T) {
	_, c := start(t, t.TempDir())
	var b bytes.Buffer
	if err := sandbox.SampleBatch(&b, "REP", collDate, "10.00", "20.01"); err != nil {
		t.Fatal(err)
	}
	if err := c.ImportCollection(ctx, 1234, bytes.NewReader(b.Bytes())); err != nil {
		t.Fatal(err)
	}
	items, err := c.AccountReporting(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, fmt.Sprintf("%s %d %s", it.Type, it.AmountCents, it.Meta.ReasonCode))
	}
	want := []string{"PMNT/IDDT/ESDD 1000 ", "PMNT/IDDT/ESDD 2001 ", "PMNT/RDDT/PRDD -2001 AM04"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reporting %q, want %q", got, want)
	}
	feed, err := c.TransactionFeed(ctx, twikey.FeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tx := range feed {
		if tx.Contract != sandbox.DefaultContractNumber || tx.ContractID <= 0 {
			t.Errorf("feed entry contract %q id %d", tx.Contract, tx.ContractID)
		}
	}
}

// TestInvoiceUploadIdempotencyKey: the same Idempotency-Key gives the same
// answer and creates no second invoice, even with another file.
func TestInvoiceUploadIdempotencyKey(t *testing.T) {
	srv, c := start(t, t.TempDir())
	issued := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	first, err := c.UploadInvoice(ctx, bytes.NewReader(sandbox.SampleInvoice("IDEM-1", "10.00", "", issued)), twikey.UploadInvoiceOptions{}, twikey.WithIdempotencyKey("key-1"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.UploadInvoice(ctx, bytes.NewReader(sandbox.SampleInvoice("IDEM-2", "20.00", "", issued)), twikey.UploadInvoiceOptions{}, twikey.WithIdempotencyKey("key-1"))
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.Number != "IDEM-1" || !again.Amount.Equal(first.Amount) {
		t.Errorf("second upload with the key: %+v, want the first answer %+v", again, first)
	}
	// An error answer is kept too.
	bad := []byte("<Invoice")
	_, err1 := c.UploadInvoice(ctx, bytes.NewReader(bad), twikey.UploadInvoiceOptions{}, twikey.WithIdempotencyKey("key-2"))
	_, err2 := c.UploadInvoice(ctx, bytes.NewReader(sandbox.SampleInvoice("IDEM-3", "30.00", "", issued)), twikey.UploadInvoiceOptions{}, twikey.WithIdempotencyKey("key-2"))
	if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
		t.Errorf("kept error answer: %v / %v", err1, err2)
	}
	// Without a key IDEM-2 is a new invoice: the key was what stopped it.
	if _, err := c.UploadInvoice(ctx, bytes.NewReader(sandbox.SampleInvoice("IDEM-2", "20.00", "", issued)), twikey.UploadInvoiceOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := srv.Stats()["POST /creditor/invoice/ubl"]; n != 5 {
		t.Errorf("%d uploads counted, want 5", n)
	}
}
