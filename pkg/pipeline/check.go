package pipeline

import (
	"context"
	"time"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// CheckResult is what a cross-check of the platform's transaction feed
// against the ledger found.
type CheckResult struct {
	Read     int              `json:"read"`     // feed entries read in this run
	Position int64            `json:"position"` // the feed's sequence number the ledger holds
	Gaps     []ledger.FeedGap `json:"gaps"`     // collections the statements do not account for
	Totals   reconcile.Totals `json:"totals"`   // the gaps' sum per currency
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
