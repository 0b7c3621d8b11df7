package twikey

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// ImportCollection uploads a pain.008.001.02 direct debit batch (body, sent
// as application/xml) for collection on profile ct:
// POST /creditor/collect/import?ct=. The platform answers 204 when the batch
// is valid and sent to the bank, or an *Error with code "invalid_file" when
// the file is invalid or a PmtInfId/EndToEndId pair was already uploaded.
//
// The call is not retried after a 5xx answer or a network error unless
// WithIdempotencyKey is given: the batch may already have been imported.
// It is retried after a 429 or an expired session (the platform did not run
// it) when body is an io.Seeker, such as an *os.File.
func (c *Client) ImportCollection(ctx context.Context, ct int64, body io.Reader, opts ...CallOption) error {
	if ct <= 0 {
		return fmt.Errorf("twikey: import collection: profile (ct) %d: want a positive number", ct)
	}
	req := newRequest(http.MethodPost, "/creditor/collect/import", body, opts)
	req.query = url.Values{"ct": {strconv.FormatInt(ct, 10)}}
	req.header.Set("Content-Type", "application/xml")
	resp, err := c.do(ctx, req)
	if err != nil {
		return err
	}
	drain(resp)
	return nil
}

// Collection is one collection batch (a PmtInf) as the platform reports it.
type Collection struct {
	ID          int64           `json:"id"`
	PmtInfID    string          `json:"pmtinfid"`
	CT          int64           `json:"ct"`
	Tx          int             `json:"tx"` // number of transactions
	Amount      decimal.Decimal `json:"amount"`
	Status      string          `json:"status"` // e.g. "Sent"
	ReqCollDate Date            `json:"reqcolldt"`
	Generated   Date            `json:"generated"`
	Progress    string          `json:"progress,omitempty"` // e.g. "sent", "download"
}

// CollectionQuery selects collections; every field is optional.
type CollectionQuery struct {
	State       string // sent, archived or cancelled
	Generated   time.Time
	ReqCollDate time.Time
	CT          int64
	From, Until time.Time // created from (including) / until (excluding)
	Page        int
}

// CollectionPage is one page (at most 50) of collections.
type CollectionPage struct {
	Self        string       `json:"-"`
	Collections []Collection `json:"collections"`
}

// QueryCollections lists collections: GET /creditor/collect/query. The call
// is rate limited; a 429 answer is waited out.
func (c *Client) QueryCollections(ctx context.Context, q CollectionQuery) (*CollectionPage, error) {
	v := url.Values{}
	if q.State != "" {
		v.Set("state", q.State)
	}
	setDate := func(k string, t time.Time) {
		if !t.IsZero() {
			v.Set(k, t.Format(time.DateOnly))
		}
	}
	setDate("generated", q.Generated)
	setDate("reqcolldt", q.ReqCollDate)
	setDate("from", q.From)
	setDate("until", q.Until)
	if q.CT != 0 {
		v.Set("ct", strconv.FormatInt(q.CT, 10))
	}
	if q.Page != 0 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	req := newRequest(http.MethodGet, "/creditor/collect/query", nil, nil)
	req.query = v
	req.header.Set("Accept", "application/json")
	var out struct {
		Links struct {
			Self string `json:"self"`
		} `json:"_links"`
		Collections []Collection `json:"collections"`
	}
	if err := c.getJSON(ctx, req, &out); err != nil {
		return nil, err
	}
	return &CollectionPage{Self: out.Links.Self, Collections: out.Collections}, nil
}

// getJSON runs req and decodes its JSON answer into v.
func (c *Client) getJSON(ctx context.Context, req *request, v any) error {
	resp, err := c.do(ctx, req)
	if err != nil {
		return err
	}
	defer drain(resp)
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("twikey: %s: reading answer: %w", req.call(), err)
	}
	return nil
}
