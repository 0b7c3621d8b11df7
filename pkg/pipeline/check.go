package pipeline

import (
	"context"
	"encoding/json"
	"time"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// CheckResult is what a cross-check of the platform's transaction feed
// against the ledger found. Its JSON is `batchtool ledger check --json`'s
// (docs/json.md).
type CheckResult struct {
	Read     int              // feed entries read in this run
	Position int64            // the feed's sequence number the ledger holds
	Gaps     []ledger.FeedGap // collections the statements do not account for
	Totals   reconcile.Totals // the gaps' sum per currency
}

// MarshalJSON writes the result by batchtool's one JSON rule: amounts as
// strings with their currency's minor units, dates YYYY-MM-DD, lists never
// null.
func (r CheckResult) MarshalJSON() ([]byte, error) {
	type gap struct {
		Seq          int64  `json:"seq"`
		ID           int64  `json:"id"`
		Ref          string `json:"ref"`
		State        string `json:"state"`
		Amount       string `json:"amount"`
		Currency     string `json:"currency"`
		BankError    string `json:"bank_error,omitempty"`
		BookedDate   string `json:"booked_date,omitempty"`
		LedgerStatus string `json:"ledger_status"`
	}
	out := struct {
		Read     int              `json:"read"`
		Position int64            `json:"position"`
		Gaps     []gap            `json:"gaps"`
		Totals   reconcile.Totals `json:"totals"`
	}{Read: r.Read, Position: r.Position, Gaps: []gap{}, Totals: r.Totals}
	for _, g := range r.Gaps {
		booked := ""
		if !g.BookedDate.IsZero() {
			booked = g.BookedDate.Format(time.DateOnly)
		}
		out.Gaps = append(out.Gaps, gap{g.Seq, g.ID, g.Ref, g.State, sepa.FormatAmount(g.Amount, g.Currency), g.Currency,
			g.BankError, booked, g.LedgerStatus})
	}
	return json.Marshal(out)
}

// CheckFeed reads the platform's transaction feed to its end into the
// ledger, a page at a time, resumed after the last entry the ledger holds
// (no entry is read twice or skipped), and compares it with what the bank
// statements booked: every collection the platform reported as PAID in an
// earlier check must be collected in the ledger, and every one it reported
// as failed (ERROR) returned. One that is not is a gap: a statement the
// ledger has not seen, or a booking that went elsewhere. Entries read for
// the first time are checked from the next run on, when their statement
// has had the time to be generated and fetched. run is the ledger's run
// log entry the entries are recorded under.
func CheckFeed(ctx context.Context, c *twikey.Client, l *ledger.DB, run int64) (*CheckResult, error) {
	start := time.Now()
	res := &CheckResult{Gaps: []ledger.FeedGap{}, Totals: reconcile.Totals{}}
	pos, err := l.FeedPosition(ctx)
	if err != nil {
		return nil, err
	}
	for {
		page, err := c.TransactionFeed(ctx, twikey.FeedOptions{Include: []string{twikey.IncludeSeq}, ResumeAfter: pos})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		ts := make([]ledger.PlatformTransaction, 0, len(page))
		for _, t := range page {
			if t.Seq <= pos {
				continue // resumed after pos: never expected, never read twice
			}
			// The platform collects in euro only (SEPA); the feed has no
			// currency field.
			ts = append(ts, ledger.PlatformTransaction{Seq: t.Seq, ID: t.ID, Ref: t.Ref, State: t.State, Amount: t.Amount,
				Currency: "EUR", BankError: t.BankError, BookedDate: t.BookedDate.Time})
		}
		if len(ts) == 0 {
			break
		}
		if err := l.RecordFeed(ctx, run, ts); err != nil {
			return nil, err
		}
		res.Read += len(ts)
		pos = ts[len(ts)-1].Seq
	}
	res.Position = pos
	if res.Gaps, err = l.FeedGaps(ctx, start); err != nil {
		return nil, err
	}
	if res.Gaps == nil {
		res.Gaps = []ledger.FeedGap{}
	}
	for _, g := range res.Gaps {
		res.Totals.Add(g.Amount, g.Currency)
	}
	return res, nil
}
