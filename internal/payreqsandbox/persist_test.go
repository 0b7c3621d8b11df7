package payreqsandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/tikkie"
	"github.com/batchtool/batchtool/pkg/tinka"
	"github.com/shopspring/decimal"
)

func demoInvoice(tx string) *tinka.PaymentRequest {
	addr := &tinka.Address{CountryCode: "NL", HouseNumber: "1", PostalCode: "1011AA", Street: "Damrak", City: "Amsterdam"}
	return &tinka.PaymentRequest{
		TransactionID: tx, MerchantRequestReference: "INV-" + tx, PaymentMethod: tinka.Invoice, RequestedPaymentAmount: 12345,
		OrderCreationDate: "2026-11-22T10:00:00.000Z", InvoiceAddress: addr,
		Delivery:    &tinka.Delivery{DeliveryMethod: "CompanyStore", DeliveryAddress: addr},
		Session:     &tinka.Session{SessionAge: 10, SessionID: "s"},
		RequestTags: []tinka.RequestTag{{TagName: "PromotionCodeApplied", TagValue: "false"}},
		Merchant:    &tinka.Merchant{MerchantID: DemoTinkaMerchantID},
		Lines:       []tinka.Line{{ItemPrice: 12345, MerchantLineReference: "L1", ProductClassification: "Services", NumberOfItems: 1, Description: "Invoice " + tx}},
		Applicant: &tinka.Applicant{DateOfBirth: "1980-02-29", EmailAddress: "a@example.com", Gender: "Female", Initials: "A.B.",
			LastName: "Jansen", TelephoneNumber: "0201234567"},
	}
}

func TestDemoAccountsPersistAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	start := func() (*Server, *httptest.Server) {
		s := New()
		if err := s.Persist(dir); err != nil {
			t.Fatal(err)
		}
		if err := s.AddDemoAccounts(); err != nil {
			t.Fatal(err)
		}
		return s, httptest.NewServer(s.Handler())
	}
	ctx := t.Context()
	s1, srv1 := start()
	// The key is registered once: after the restart it comes from the state.
	if err := s1.AddTikkieApp(DemoTikkieAPIKey, &key.PublicKey); err != nil {
		t.Fatal(err)
	}
	tk, _ := tikkie.New(tikkie.Config{BaseURL: srv1.URL, APIKey: DemoTikkieAPIKey, PrivateKey: key})
	cr, err := tk.CreatePaymentRequest(ctx, DemoPlatformToken, DemoUserToken, DemoBankAccountToken,
		tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("123.45"), Description: "Invoice 1", ExternalID: "INV-1"})
	if err != nil {
		t.Fatal(err)
	}
	tn, _ := tinka.New(tinka.Config{BaseURL: srv1.URL, MerchantID: DemoTinkaMerchantID, Username: DemoTinkaUsername,
		Password: DemoTinkaPassword, Secret: []byte(DemoTinkaSecret)})
	tr, err := tn.Create(ctx, demoInvoice("t1"), tinka.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv1.Close()
	_ = s1

	// Restart on the same directory.
	s2, srv2 := start()
	defer srv2.Close()
	if err := s2.MarkTikkiePaid(cr.PaymentRequestToken, "Payer"); err != nil {
		t.Fatal(err)
	}
	tk2, _ := tikkie.New(tikkie.Config{BaseURL: srv2.URL, APIKey: DemoTikkieAPIKey, PrivateKey: key})
	pr, err := tk2.GetPaymentRequest(ctx, DemoPlatformToken, DemoUserToken, cr.PaymentRequestToken)
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Paid() || pr.Amount().StringFixed(2) != "123.45" || pr.ExternalID != "INV-1" {
		t.Errorf("after restart: %+v", pr)
	}
	tn2, _ := tinka.New(tinka.Config{BaseURL: srv2.URL, MerchantID: DemoTinkaMerchantID, Username: DemoTinkaUsername,
		Password: DemoTinkaPassword, Secret: []byte(DemoTinkaSecret)})
	again, err := tn2.Create(ctx, demoInvoice("t1"), tinka.CreateOptions{})
	if err != nil || again.PaymentRequestID != tr.PaymentRequestID {
		t.Errorf("same transactionId after restart: %+v %v", again, err)
	}
	st, err := tn2.Status(ctx, tr.PaymentRequestID)
	if err != nil || st.Decision != tinka.Accepted {
		t.Errorf("status after restart: %+v %v", st, err)
	}
	// Only the state file is left in the directory (no temp files).
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != stateFile {
		t.Errorf("dir holds %v", ents)
	}
	// A corrupt file is an error naming it.
	if err := os.WriteFile(filepath.Join(dir, stateFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := New().Persist(dir); err == nil || !strings.Contains(err.Error(), stateFile+": unexpected end of JSON input") {
		t.Errorf("corrupt state: %v", err)
	}
}

// TestMountedIntoAnotherMux: the handler works mounted under Paths, as the
// integrator mounts it into internal/sandbox.
func TestMountedIntoAnotherMux(t *testing.T) {
	s := New()
	if err := s.AddDemoAccounts(); err != nil {
		t.Fatal(err)
	}
	parent := http.NewServeMux()
	parent.HandleFunc("POST /creditor", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) })
	for _, p := range Paths() {
		parent.Handle(p, s.Handler())
	}
	srv := httptest.NewServer(parent)
	defer srv.Close()
	tn, _ := tinka.New(tinka.Config{BaseURL: srv.URL, MerchantID: DemoTinkaMerchantID, Username: DemoTinkaUsername,
		Password: DemoTinkaPassword, Secret: []byte(DemoTinkaSecret)})
	r, err := tn.Create(t.Context(), demoInvoice("m1"), tinka.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.PostForm(srv.URL+"/_sandbox/tinka/"+r.PaymentRequestID+"/decision", url.Values{"decision": {"Rejected"}})
	if err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("decide: %v %v", res, err)
	}
	res.Body.Close()
	if st, err := tn.Status(t.Context(), r.PaymentRequestID); err != nil || st.Decision != tinka.Rejected {
		t.Errorf("status %+v %v", st, err)
	}
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	if err := s.AddTikkieApp(DemoTikkieAPIKey, &key.PublicKey); err != nil {
		t.Fatal(err)
	}
	tk, _ := tikkie.New(tikkie.Config{BaseURL: srv.URL, APIKey: DemoTikkieAPIKey, PrivateKey: key})
	cr, err := tk.CreatePaymentRequest(t.Context(), DemoPlatformToken, DemoUserToken, DemoBankAccountToken,
		tikkie.NewPaymentRequest{Amount: decimal.RequireFromString("10.00"), Description: "x"})
	if err != nil || !strings.HasPrefix(cr.PaymentRequestURL, srv.URL+"/tikkie/pay/") {
		t.Errorf("tikkie through parent mux: %+v %v", cr, err)
	}
	res, err = http.Post(srv.URL+"/creditor", "text/plain", nil)
	if err != nil || res.StatusCode != 299 {
		t.Errorf("parent route: %v %v", res, err)
	}
	res.Body.Close()
}
