package tikkie

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"
)

func platformPath(platformToken string) string {
	return "/v1/tikkie/platforms/" + url.PathEscape(platformToken)
}

func userPath(platformToken, userToken string) string {
	return platformPath(platformToken) + "/users/" + url.PathEscape(userToken)
}

// CreatePlatform creates a platform (POST /v1/tikkie/platforms). An account
// may have two platforms.
func (c *Client) CreatePlatform(ctx context.Context, p NewPlatform) (*Platform, error) {
	var out Platform
	if err := c.do(ctx, "CreatePlatform", http.MethodPost, "/v1/tikkie/platforms", nil, p, &out); err != nil {
		return nil, err
	}
	if out.PlatformToken == "" {
		return nil, errors.New("tikkie: CreatePlatform: answer has no platformToken")
	}
	return &out, nil
}

// CreateUser adds a user to a platform (sandbox only). The answer holds the
// userToken and the bankAccountToken of the user's account.
func (c *Client) CreateUser(ctx context.Context, platformToken string, u NewUser) (*User, error) {
	var out User
	if err := c.do(ctx, "CreateUser", http.MethodPost, platformPath(platformToken)+"/users", nil, u, &out); err != nil {
		return nil, err
	}
	if out.UserToken == "" || len(out.BankAccounts) == 0 {
		return nil, errors.New("tikkie: CreateUser: answer has no userToken or bank account")
	}
	return &out, nil
}

// Check reports the first rule the request breaks (amount in whole cents
// and above zero, EUR, description 1-35 characters, externalId at most 35),
// so a caller can refuse it before recording or sending anything.
func (in NewPaymentRequest) Check() error {
	_, err := checkNew(&in)
	return err
}

// checkNew validates a payment request before it is sent.
func checkNew(in *NewPaymentRequest) (newPaymentRequestWire, error) {
	w := newPaymentRequestWire{Currency: in.Currency, Description: in.Description, ExternalID: in.ExternalID}
	if w.Currency == "" {
		w.Currency = "EUR"
	}
	if w.Currency != "EUR" {
		return w, fmt.Errorf("tikkie: currency %q: only EUR is supported", in.Currency)
	}
	c, err := ToCents(in.Amount)
	if err != nil {
		return w, err
	}
	if c <= 0 {
		return w, fmt.Errorf("tikkie: amount %s must be greater than 0", in.Amount.StringFixed(2))
	}
	w.AmountInCents = c
	if in.Description == "" {
		return w, errors.New("tikkie: description is required")
	}
	if n := utf8.RuneCountInString(in.Description); n > 35 {
		return w, fmt.Errorf("tikkie: description %q is %d characters, longer than the maximum 35", in.Description, n)
	}
	if n := utf8.RuneCountInString(in.ExternalID); n > 35 {
		return w, fmt.Errorf("tikkie: externalId %q is %d characters, longer than the maximum 35", in.ExternalID, n)
	}
	return w, nil
}

// CreatePaymentRequest creates a payment request on behalf of a user, paid
// into the bank account. The answer's PaymentRequestURL is the page to send
// to the payer. A POST is never retried except after a 401 (which the server
// refused before doing anything).
func (c *Client) CreatePaymentRequest(ctx context.Context, platformToken, userToken, bankAccountToken string, in NewPaymentRequest) (*Created, error) {
	w, err := checkNew(&in)
	if err != nil {
		return nil, err
	}
	path := userPath(platformToken, userToken) + "/bankaccounts/" + url.PathEscape(bankAccountToken) + "/paymentrequests"
	var out Created
	if err := c.do(ctx, "CreatePaymentRequest", http.MethodPost, path, nil, w, &out); err != nil {
		return nil, err
	}
	if out.PaymentRequestToken == "" || out.PaymentRequestURL == "" {
		return nil, errors.New("tikkie: CreatePaymentRequest: answer has no paymentRequestToken or paymentRequestUrl")
	}
	return &out, nil
}

// GetPaymentRequest fetches one payment request with its payments.
func (c *Client) GetPaymentRequest(ctx context.Context, platformToken, userToken, paymentRequestToken string) (*PaymentRequest, error) {
	var out PaymentRequest
	path := userPath(platformToken, userToken) + "/paymentrequests/" + url.PathEscape(paymentRequestToken)
	if err := c.do(ctx, "GetPaymentRequest", http.MethodGet, path, nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// dateParam formats a creation-date filter.
func dateParam(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ListPaymentRequests walks all pages of a user's payment requests, filtered
// by creation date, calling fn once per page in order. It stops at the first
// error from fn or the API, and fails when the API announces more requests
// than its pages deliver.
func (c *Client) ListPaymentRequests(ctx context.Context, platformToken, userToken string, opt ListOptions, fn func(Page) error) error {
	limit := opt.PageSize
	if limit <= 0 {
		limit = 50
	}
	path := userPath(platformToken, userToken) + "/paymentrequests"
	offset := 0
	for {
		q := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(limit)}}
		if !opt.From.IsZero() {
			q.Set("fromDate", dateParam(opt.From))
		}
		if !opt.To.IsZero() {
			q.Set("toDate", dateParam(opt.To))
		}
		var page struct {
			PaymentRequests []PaymentRequest `json:"paymentRequests"`
			TotalElements   int              `json:"totalElements"`
		}
		if err := c.do(ctx, "ListPaymentRequests", http.MethodGet, path, q, nil, &page); err != nil {
			return err
		}
		if len(page.PaymentRequests) > limit {
			return fmt.Errorf("tikkie: ListPaymentRequests: page at offset %d has %d requests, more than the limit %d", offset, len(page.PaymentRequests), limit)
		}
		if len(page.PaymentRequests) == 0 {
			if offset < page.TotalElements {
				return fmt.Errorf("tikkie: ListPaymentRequests: empty page at offset %d of %d requests", offset, page.TotalElements)
			}
			return nil
		}
		if err := fn(Page{Offset: offset, TotalElements: page.TotalElements, PaymentRequests: page.PaymentRequests}); err != nil {
			return err
		}
		offset += len(page.PaymentRequests)
		if offset >= page.TotalElements {
			return nil
		}
	}
}

// PaymentRequests is ListPaymentRequests as an iterator over single
// requests; iteration ends at the first error, which is yielded.
func (c *Client) PaymentRequests(ctx context.Context, platformToken, userToken string, opt ListOptions) iter.Seq2[PaymentRequest, error] {
	return func(yield func(PaymentRequest, error) bool) {
		errStop := errors.New("stop")
		err := c.ListPaymentRequests(ctx, platformToken, userToken, opt, func(p Page) error {
			for _, pr := range p.PaymentRequests {
				if !yield(pr, nil) {
					return errStop
				}
			}
			return nil
		})
		if err != nil && err != errStop {
			yield(PaymentRequest{}, err)
		}
	}
}

// Ensured is the result of EnsurePaymentRequest.
type Ensured struct {
	PaymentRequestToken string
	PaymentRequestURL   string // from the create answer, or from the listing when it carries one
	Created             bool   // false: an existing request with the same externalId was found
}

// EnsurePaymentRequest creates a payment request unless the user already has
// one with the same externalId created at or after since: the client-side
// idempotency of this package. in.ExternalID is required. Calls on one Client
// are serialised.
func (c *Client) EnsurePaymentRequest(ctx context.Context, platformToken, userToken, bankAccountToken string, in NewPaymentRequest, since time.Time) (*Ensured, error) {
	if in.ExternalID == "" {
		return nil, errors.New("tikkie: EnsurePaymentRequest: externalId is required (it is the idempotency key)")
	}
	if _, err := checkNew(&in); err != nil {
		return nil, err
	}
	c.ensureMu.Lock()
	defer c.ensureMu.Unlock()
	for pr, err := range c.PaymentRequests(ctx, platformToken, userToken, ListOptions{From: since, PageSize: 100}) {
		if err != nil {
			return nil, err
		}
		if pr.ExternalID == in.ExternalID {
			return &Ensured{PaymentRequestToken: pr.PaymentRequestToken, PaymentRequestURL: pr.PaymentRequestURL}, nil
		}
	}
	cr, err := c.CreatePaymentRequest(ctx, platformToken, userToken, bankAccountToken, in)
	if err != nil {
		return nil, err
	}
	return &Ensured{PaymentRequestToken: cr.PaymentRequestToken, PaymentRequestURL: cr.PaymentRequestURL, Created: true}, nil
}
