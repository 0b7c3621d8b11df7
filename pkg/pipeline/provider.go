package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batchtool/batchtool/internal/secretfile"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/tikkie"
	"github.com/batchtool/batchtool/pkg/tinka"
)

// FinalReasons are the return reasons a second collection would not fix:
// the account is wrong, closed or blocked, there is no (valid) mandate, the
// debtor refused or refunded, or died. AM04 (insufficient funds) and MS03
// are left to the next collection; --reason all includes them.
var FinalReasons = []string{"AC01", "AC04", "AC06", "AG01", "AG02", "BE05", "MD01", "MD02", "MD06", "MD07", "MS02", "RR01", "RR02", "RR03", "RR04", "SL01"}

// Requester is a payment request provider (Tikkie, Tinka) as the payment
// request steps use it.
type Requester interface {
	Name() string
	// IDLimit is the longest external id the provider takes.
	IDLimit() int
	// Prepare checks the request for one item before anything is recorded
	// and returns the call that sends it (giving the provider's reference
	// and the customer's link).
	Prepare(pr *ledger.PaymentRequest) (func(context.Context) (ref, link string, err error), error)
	// Find looks up requests that were recorded as pending but may have
	// reached the provider, by external id.
	Find(ctx context.Context, pending []ledger.PaymentRequest) (map[string]Sent, error)
	// States tells what became of open requests: only those that changed.
	States(ctx context.Context, open []ledger.PaymentRequest) ([]RequestState, error)
}

// Sent is what the provider answered for a request: its reference and the
// customer's link.
type Sent struct{ Ref, Link string }

// RequestState is a change the provider reports for an open request.
type RequestState struct {
	Request ledger.PaymentRequest
	Paid    *ledger.Payment // paid: book it
	Closed  string          // else: ledger.RequestExpired, ...
	Note    string
}

// secret reads a secret from the environment, else from a file that only
// its owner can read (internal/secretfile, the check of the Twikey token
// file).
func secret(env, file string) (string, error) {
	if v := os.Getenv(env); v != "" {
		return v, nil
	}
	if file == "" {
		return "", nil
	}
	b, err := secretfile.Read(file)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// NewRequester builds the client of a provider from the configuration,
// the environment winning (see PayreqConfig). version names the program in
// the user agent; now is the clock (nil: time.Now). A setting missing or
// wrong is a *ConfigError.
func NewRequester(provider string, c *PayreqConfig, version string, now func() time.Time) (Requester, error) {
	if now == nil {
		now = time.Now
	}
	switch provider {
	case Tikkie:
		t := c.Tikkie
		cfg := struct{ url, key, keyFile, platform, user, account string }{
			envOr("BATCHTOOL_TIKKIE_URL", t.URL), envOr("BATCHTOOL_TIKKIE_API_KEY", t.APIKey), envOr("BATCHTOOL_TIKKIE_KEY_FILE", t.KeyFile),
			envOr("BATCHTOOL_TIKKIE_PLATFORM", t.Platform), envOr("BATCHTOOL_TIKKIE_USER", t.User), envOr("BATCHTOOL_TIKKIE_BANK_ACCOUNT", t.BankAccount),
		}
		if cfg.url == "" {
			cfg.url = "https://api.abnamro.com"
		}
		var missing []string
		for _, m := range []struct{ v, name string }{{cfg.key, "api_key (BATCHTOOL_TIKKIE_API_KEY)"}, {cfg.keyFile, "key_file (BATCHTOOL_TIKKIE_KEY_FILE)"},
			{cfg.platform, "platform (BATCHTOOL_TIKKIE_PLATFORM)"}, {cfg.user, "user (BATCHTOOL_TIKKIE_USER)"}, {cfg.account, "bank_account (BATCHTOOL_TIKKIE_BANK_ACCOUNT)"}} {
			if m.v == "" {
				missing = append(missing, m.name)
			}
		}
		if len(missing) > 0 {
			return nil, configErrorf("tikkie: missing %s", strings.Join(missing, ", "))
		}
		pem, err := secretfile.Read(cfg.keyFile)
		if err != nil {
			return nil, configErrorf("tikkie: private key: %v", err)
		}
		key, err := tikkie.ParsePrivateKeyPEM(pem)
		if err != nil {
			return nil, configErrorf("tikkie: private key %s: %v", cfg.keyFile, err)
		}
		cl, err := tikkie.New(tikkie.Config{BaseURL: cfg.url, APIKey: cfg.key, PrivateKey: key, Version: version, Now: now,
			Audience: envOr("BATCHTOOL_TIKKIE_AUDIENCE", t.Audience)})
		if err != nil {
			return nil, &ConfigError{err}
		}
		return &tikkieRequester{c: cl, platform: cfg.platform, user: cfg.user, account: cfg.account}, nil
	case Tinka:
		t := c.Tinka
		password, err := secret("BATCHTOOL_TINKA_PASSWORD", t.PasswordFile)
		if err != nil {
			return nil, configErrorf("tinka: password: %v", err)
		}
		sec, err := secret("BATCHTOOL_TINKA_SECRET", t.SecretFile)
		if err != nil {
			return nil, configErrorf("tinka: secret: %v", err)
		}
		r := &tinkaRequester{
			merchant: envOr("BATCHTOOL_TINKA_MERCHANT_ID", t.MerchantID),
			callback: envOr("BATCHTOOL_TINKA_CALLBACK_URL", t.CallbackURL),
			cancel:   envOr("BATCHTOOL_TINKA_CANCEL_URL", t.CancelURL),
			now:      now,
		}
		url := envOr("BATCHTOOL_TINKA_URL", t.URL)
		if url == "" || r.callback == "" {
			return nil, configErrorf("tinka: url (BATCHTOOL_TINKA_URL) and callback_url (BATCHTOOL_TINKA_CALLBACK_URL) are required")
		}
		cl, err := tinka.New(tinka.Config{BaseURL: url, MerchantID: r.merchant, Username: envOr("BATCHTOOL_TINKA_USERNAME", t.Username),
			Password: password, Secret: []byte(sec), Version: version, Now: now})
		if err != nil {
			return nil, &ConfigError{err}
		}
		r.c = cl
		return r, nil
	}
	return nil, configErrorf("--provider %q: want tikkie or tinka", provider)
}

// CheckOnlyRequester is the provider of a dry run: it checks each request
// as NewRequester's would (amounts, currency, text lengths; Tinka's
// attribute rules) and can send nothing, so it needs no credentials —
// finance can see what would be asked before anyone holds the provider's
// keys. Use it with PreviewRequests only.
func CheckOnlyRequester(provider string, c *PayreqConfig) (Requester, error) {
	switch provider {
	case Tikkie:
		return &tikkieRequester{}, nil
	case Tinka:
		t := c.Tinka
		return &tinkaRequester{
			merchant: envOr("BATCHTOOL_TINKA_MERCHANT_ID", t.MerchantID),
			callback: envOr("BATCHTOOL_TINKA_CALLBACK_URL", t.CallbackURL),
			cancel:   envOr("BATCHTOOL_TINKA_CANCEL_URL", t.CancelURL),
			now:      time.Now,
		}, nil
	}
	return nil, configErrorf("--provider %q: want tikkie or tinka", provider)
}

// describe is the text the customer sees: what the request is for.
func describe(pr *ledger.PaymentRequest, max int) string {
	what := "Invoice " + pr.ItemKey
	if pr.ItemKind == ledger.ItemCollection {
		what = "Direct debit " + pr.ItemKey
	}
	if utf8.RuneCountInString(what) <= max {
		return what
	}
	r := []rune(pr.ItemKey)
	if len(r) > max {
		r = r[:max]
	}
	return string(r)
}

// permanent reports whether the provider refused a request for good (a 4xx
// answer other than 401, 408 and 429): the record is closed as failed and
// the next item is tried. Anything else may have reached the provider, so
// the record stays pending and the run stops.
func permanent(err error) bool {
	status := 0
	var te *tikkie.APIError
	var ne *tinka.APIError
	switch {
	case errors.As(err, &te):
		status = te.StatusCode
	case errors.As(err, &ne):
		status = ne.StatusCode
	default:
		return false
	}
	return status >= 400 && status < 500 && status != http.StatusUnauthorized && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
}

// tikkieRequester sends Tikkie payment requests on behalf of one user into
// one bank account.
type tikkieRequester struct {
	c                       *tikkie.Client
	platform, user, account string
}

func (t *tikkieRequester) Name() string { return Tikkie }
func (t *tikkieRequester) IDLimit() int { return 35 }

func (t *tikkieRequester) Prepare(pr *ledger.PaymentRequest) (func(context.Context) (string, string, error), error) {
	in := tikkie.NewPaymentRequest{Amount: pr.Amount, Currency: pr.Currency, Description: describe(pr, 35), ExternalID: pr.ExternalID}
	if err := in.Check(); err != nil {
		return nil, err
	}
	return func(ctx context.Context) (string, string, error) {
		cr, err := t.c.CreatePaymentRequest(ctx, t.platform, t.user, t.account, in)
		if err != nil {
			return "", "", err
		}
		return cr.PaymentRequestToken, cr.PaymentRequestURL, nil
	}, nil
}

// since is where a listing for these records starts: a margin before the
// oldest, for clocks that differ.
func since(prs []ledger.PaymentRequest) time.Time {
	t := prs[0].CreatedAt
	for _, pr := range prs {
		if pr.CreatedAt.Before(t) {
			t = pr.CreatedAt
		}
	}
	return t.Add(-15 * time.Minute)
}

// list walks the user's requests created since the oldest record, every page.
func (t *tikkieRequester) list(ctx context.Context, prs []ledger.PaymentRequest, fn func(tikkie.PaymentRequest)) error {
	for p, err := range t.c.PaymentRequests(ctx, t.platform, t.user, tikkie.ListOptions{From: since(prs), PageSize: 100}) {
		if err != nil {
			return err
		}
		fn(p)
	}
	return nil
}

func (t *tikkieRequester) Find(ctx context.Context, pending []ledger.PaymentRequest) (map[string]Sent, error) {
	want := map[string]bool{}
	for _, pr := range pending {
		want[pr.ExternalID] = true
	}
	found := map[string]Sent{}
	err := t.list(ctx, pending, func(p tikkie.PaymentRequest) {
		if want[p.ExternalID] {
			found[p.ExternalID] = Sent{p.PaymentRequestToken, p.PaymentRequestURL}
		}
	})
	return found, err
}

func (t *tikkieRequester) States(ctx context.Context, open []ledger.PaymentRequest) ([]RequestState, error) {
	byToken := map[string]tikkie.PaymentRequest{}
	if err := t.list(ctx, open, func(p tikkie.PaymentRequest) { byToken[p.PaymentRequestToken] = p }); err != nil {
		return nil, err
	}
	var out []RequestState
	for _, pr := range open {
		p, ok := byToken[pr.ProviderRef]
		if !ok { // created before the listing window (a clock far off): ask for it
			got, err := t.c.GetPaymentRequest(ctx, t.platform, t.user, pr.ProviderRef)
			if err != nil {
				return nil, err
			}
			p = *got
		}
		switch {
		case p.Paid():
			pay := &ledger.Payment{Amount: p.PaidAmount()}
			var payers []string
			for _, pm := range p.Payments {
				if pm.OnlinePaymentStatus != tikkie.PaymentPaid {
					continue
				}
				if pm.Created.After(pay.At) {
					pay.At = pm.Created
				}
				payers = append(payers, strings.TrimSpace(pm.CounterPartyName+" "+pm.CounterPartyAccountNumber))
			}
			pay.Payer = strings.Join(payers, "; ")
			out = append(out, RequestState{Request: pr, Paid: pay})
		case p.Expired != nil || p.Status == tikkie.StatusExpired:
			out = append(out, RequestState{Request: pr, Closed: ledger.RequestExpired, Note: "expired unpaid"})
		case p.Status == tikkie.StatusClosed:
			out = append(out, RequestState{Request: pr, Closed: ledger.RequestCancelled, Note: "closed with " + p.PaidAmount().StringFixed(2) + " of " + p.Amount().StringFixed(2) + " EUR paid"}) // Tikkie takes EUR only
		}
	}
	return out, nil
}

// tinkaRequester offers Tinka instalment credit (paymentMethod Credit): the
// customer completes it at the redirect URL, and an accepted credit is paid
// to the merchant by Tinka. The Invoice method is a checkout decision: it
// needs the customer's live web session (IP address, user agent) and date
// of birth, e-mail, telephone and address, which a back-office request
// does not have.
type tinkaRequester struct {
	c                          *tinka.Client
	merchant, callback, cancel string
	now                        func() time.Time
}

func (t *tinkaRequester) Name() string { return Tinka }
func (t *tinkaRequester) IDLimit() int { return 100 }

func (t *tinkaRequester) Prepare(pr *ledger.PaymentRequest) (func(context.Context) (string, string, error), error) {
	cents, err := tinka.Cents(pr.Amount)
	if err != nil {
		return nil, err
	}
	if pr.Currency != "EUR" {
		return nil, fmt.Errorf("tinka: currency %q: only EUR is supported", pr.Currency)
	}
	req := &tinka.PaymentRequest{
		TransactionID:            pr.ExternalID,
		MerchantRequestReference: pr.ItemKey,
		PaymentMethod:            tinka.Credit,
		RequestedPaymentAmount:   cents,
		Merchant:                 &tinka.Merchant{MerchantID: t.merchant},
		Lines:                    []tinka.Line{{ItemPrice: cents, MerchantLineReference: pr.ItemKey, NumberOfItems: 1, Description: describe(pr, 255)}},
		Applicant:                &tinka.Applicant{LastName: pr.Name},
		Routing:                  &tinka.Routing{CallbackURL: t.callback, CancelURL: t.cancel},
	}
	if fs := tinka.Validate(req); fs.HasErrors() {
		return nil, &tinka.ValidationError{Findings: fs}
	}
	return func(ctx context.Context) (string, string, error) {
		resp, err := t.c.Create(ctx, req, tinka.CreateOptions{})
		if err != nil {
			return "", "", err
		}
		return resp.PaymentRequestID, resp.RedirectURL, nil
	}, nil
}

// find answers nothing: sending a pending request again with its
// transactionId is how Tinka's idempotency works (the original is answered).
func (t *tinkaRequester) Find(context.Context, []ledger.PaymentRequest) (map[string]Sent, error) {
	return nil, nil
}

func (t *tinkaRequester) States(ctx context.Context, open []ledger.PaymentRequest) ([]RequestState, error) {
	var out []RequestState
	for _, pr := range open {
		st, err := t.c.Status(ctx, pr.ProviderRef)
		if err != nil {
			return nil, err
		}
		switch st.Decision {
		case tinka.Accepted:
			out = append(out, RequestState{Request: pr, Paid: &ledger.Payment{Amount: pr.Amount, At: t.now(), Payer: "Tinka: credit accepted for " + pr.Name}})
		case tinka.Rejected:
			out = append(out, RequestState{Request: pr, Closed: ledger.RequestRejected, Note: "credit rejected by Tinka"})
		case tinka.Cancelled:
			out = append(out, RequestState{Request: pr, Closed: ledger.RequestCancelled, Note: "cancelled by the customer"})
		}
	}
	return out, nil
}
