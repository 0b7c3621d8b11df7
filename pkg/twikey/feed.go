package twikey

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Values of the include parameter of the transaction feed.
const (
	IncludeCollection    = "collection"
	IncludeLastUpdate    = "lastupdate"
	IncludeAction        = "action"
	IncludeActionPayment = "action_payment"
	IncludeLink          = "link"
	IncludeStage         = "stage"
	IncludeSeq           = "seq"
)

// Transaction is one entry of the transaction feed: a collection whose
// state changed (PAID or ERROR) since the previous read.
type Transaction struct {
	ID          int64           `json:"id"`
	Seq         int64           `json:"seq,omitempty"` // with include=seq
	ContractID  int64           `json:"contractId"`
	MandateID   string          `json:"mndtId"`
	Contract    string          `json:"contract,omitempty"`
	Amount      decimal.Decimal `json:"amount"`
	AdminCharge decimal.Decimal `json:"admincharge,omitzero"`
	Message     string          `json:"msg,omitempty"`
	Place       string          `json:"place,omitempty"`
	Ref         string          `json:"ref,omitempty"`
	Date        Date            `json:"date,omitzero"`
	Final       bool            `json:"final"`
	State       string          `json:"state"`             // PAID or ERROR
	BankError   string          `json:"bkerror,omitempty"` // reason code, e.g. AM04, MD06
	BankMessage string          `json:"bkmsg,omitempty"`
	BookedDate  Date            `json:"bkdate,omitzero"`
	LastUpdate  time.Time       `json:"lastupdate,omitzero"`
	BankAmount  decimal.Decimal `json:"bkamount,omitzero"` // amount already paid
	Collection  int64           `json:"collection,omitempty"`
	ReqCollDate Date            `json:"reqcolldt,omitzero"`
	Link        string          `json:"link,omitempty"`
	Stage       string          `json:"stage,omitempty"`
	Actions     []Action        `json:"actions,omitempty"`
}

// Action is a dunning step taken for a transaction.
type Action struct {
	Type   string    `json:"type"`
	Reason string    `json:"reason,omitempty"`
	Action string    `json:"action"`
	At     time.Time `json:"at"`
}

// FeedOptions tune a transaction feed read.
type FeedOptions struct {
	Include []string // Include* values
	// ResumeAfter resumes the feed after this sequence id (X-RESUME-AFTER);
	// it needs IncludeSeq, which is then added.
	ResumeAfter int64
}

// TransactionFeed returns the transactions changed since the previous read:
// GET /creditor/transaction. An empty answer means the feed is read to its
// end; call it until then.
func (c *Client) TransactionFeed(ctx context.Context, o FeedOptions) ([]Transaction, error) {
	v := url.Values{}
	hasSeq := false
	for _, inc := range o.Include {
		v.Add("include", inc)
		hasSeq = hasSeq || inc == IncludeSeq
	}
	req := newRequest(http.MethodGet, "/creditor/transaction", nil, nil)
	if o.ResumeAfter > 0 {
		if !hasSeq {
			v.Add("include", IncludeSeq)
		}
		req.header.Set("X-RESUME-AFTER", strconv.FormatInt(o.ResumeAfter, 10))
	}
	req.query = v
	req.header.Set("Accept", "application/json")
	var out struct {
		Entries []Transaction `json:"Entries"`
	}
	if err := c.getJSON(ctx, req, &out); err != nil {
		return nil, err
	}
	return out.Entries, nil
}

// ReportEntry is one movement of account reporting.
type ReportEntry struct {
	ID int64 `json:"id"`
	// Type is the ISO bank transaction code Domain/Family/SubFamily,
	// e.g. "PMNT/RCDT/ESCT".
	Type string `json:"type"`
	Date Date   `json:"date"`
	// AmountCents is the amount in cents, negative for a failed collection.
	AmountCents int64  `json:"amount"`
	IBAN        string `json:"iban,omitempty"`
	BIC         string `json:"bic,omitempty"`
	Message     string `json:"msg,omitempty"`
	MandateID   string `json:"mndtId,omitempty"`
	Party       string `json:"party,omitempty"`
	Meta        struct {
		ReasonCode string `json:"rc,omitempty"`  // error code of a failed collection
		EndToEndID string `json:"e2e,omitempty"` // bank reference
	} `json:"meta,omitzero"`
}

// Amount returns the amount in euros.
func (r ReportEntry) Amount() decimal.Decimal { return decimal.New(r.AmountCents, -2) }

// AccountReporting returns the account movements reported since the
// previous call: GET /creditor/reporting.
func (c *Client) AccountReporting(ctx context.Context) ([]ReportEntry, error) {
	req := newRequest(http.MethodGet, "/creditor/reporting", nil, nil)
	req.header.Set("Accept", "application/json")
	var out struct {
		Statements []ReportEntry `json:"Statements"`
	}
	if err := c.getJSON(ctx, req, &out); err != nil {
		return nil, err
	}
	return out.Statements, nil
}
