package pipeline

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/batchtool/batchtool/internal/atomicfile"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/report"
	"github.com/batchtool/batchtool/pkg/sepa"
)

// Selection is what payment requests are made for: collections returned
// with one of reasons (nil: FinalReasons; "all": every return; "none": no
// collections) and invoices open or partly paid overdue days after their due
// date (ParseDays; "none": no invoices), as of today.
func Selection(reasons []string, overdue string, today time.Time) (ledger.UnpaidSelection, error) {
	sel := ledger.UnpaidSelection{Collections: true, Invoices: true}
	if reasons == nil {
		reasons = FinalReasons
	}
	switch strings.ToLower(strings.Join(reasons, ",")) {
	case "all":
	case "none":
		sel.Collections = false
	default:
		for _, r := range reasons {
			sel.Reasons = append(sel.Reasons, strings.ToUpper(strings.TrimSpace(r)))
		}
	}
	if overdue == "" {
		overdue = "14d"
	}
	if overdue == "none" {
		sel.Invoices = false
		return sel, nil
	}
	days, err := ParseDays(overdue)
	if err != nil {
		return sel, fmt.Errorf("overdue: %w", err)
	}
	y, m, d := today.Date()
	sel.DueBefore = time.Date(y, m, d-days+1, 0, 0, 0, 0, time.UTC)
	return sel, nil
}

// CreateResult is what a round of payment requests did.
type CreateResult struct {
	Provider  string           `json:"provider"`
	Created   int              `json:"created"`
	Amount    reconcile.Totals `json:"amount"`    // one per currency
	Recovered int              `json:"recovered"` // pending records found at the provider
	Skipped   int              `json:"skipped"`   // another request holds the item or its id
	Elsewhere int              `json:"elsewhere"` // another worker sharing the ledger holds or sent the request
	Refused   int              `json:"refused"`   // checked and not sent, or refused by the provider
	Failed    int              `json:"failed"`    // could not be sent; stays pending
	// Sent are the requests sent in this run (or, in a preview, that would
	// be), with the customer's link.
	Sent []ledger.PaymentRequest `json:"-"`
	// Problems say, one a line, why an item was not requested or skipped.
	Problems  []string `json:"-"`
	elsewhere []string // the claim keys of Elsewhere

	// New are the open requests of this run (created, recovered or taken
	// over from a killed run), summed per currency: links for a person to
	// send. WriteLinks fills it in.
	New reconcile.Totals `json:"-"`
}

// CreateRequests sends one payment request per unpaid item the selection
// names, once: it first takes over what earlier runs left unfinished and
// finishes their pending requests (found at the provider by external id, or
// sent again under the same one), then records each new request in the
// ledger before it is sent, so a run stopped between sending and recording
// finds it next time instead of sending a second. An item that already has
// an open request, or was paid through one, is skipped. The caller holds
// the ledger's run lock (whatever another run left is a dead run's) and
// gives the run log entry the requests belong to. On an error the result
// says what was done until then.
//
// On a shared ledger (PostgreSQL) no run lock is held: the run claims
// itself (ledger.ClaimRun, until the ledger is closed) and each request
// (ledger.ClaimRequest, its provider and external id) before it reserves
// or recovers it, so two workers never send one request, and a worker
// takes over only what dead workers left (AdoptPaymentRequests).
func CreateRequests(ctx context.Context, l *ledger.DB, r Requester, sel ledger.UnpaidSelection, run int64) (*CreateResult, error) {
	c := &requestRun{ctx: ctx, l: l, r: r, res: &CreateResult{Provider: r.Name(), Amount: reconcile.Totals{}}}
	// The run's claim lives until the ledger closes (released then): its
	// open requests are its own until it has listed them.
	if _, _, err := claim(ctx, l, ledger.ClaimRun, ledger.RunClaimKey(run)); err != nil {
		return c.res, err
	}
	if _, err := l.AdoptPaymentRequests(ctx, r.Name(), run); err != nil {
		return c.res, err
	}
	if err := c.recoverPending(run); err != nil {
		return c.res, err
	}
	return c.res, c.requestUnpaid(sel, run)
}

// requestRun is one CreateRequests: where it sends, what it records, what
// it did.
type requestRun struct {
	ctx context.Context
	l   *ledger.DB
	r   Requester
	res *CreateResult
}

func (c *requestRun) problem(format string, args ...any) {
	c.res.Problems = append(c.res.Problems, fmt.Sprintf(format, args...))
}

// send makes the call for a recorded request and records its answer; false
// when the provider refused it for good (the record is closed as failed).
// Any other error leaves the record pending and stops the run.
func (c *requestRun) send(pr *ledger.PaymentRequest, call func(context.Context) (string, string, error)) (bool, error) {
	ref, link, err := call(c.ctx)
	if err != nil {
		if permanent(err) {
			c.res.Refused++
			c.problem("%s %s %s %s: refused by %s: %v", pr.ItemKind, pr.ItemKey, sepa.FormatAmount(pr.Amount, pr.Currency), pr.Currency, c.r.Name(), err)
			return false, c.l.ClosePaymentRequest(c.ctx, pr.ID, ledger.RequestFailed, err.Error())
		}
		c.res.Failed++
		return false, fmt.Errorf("%s %s: %w (recorded as pending: the next run looks it up before sending anything)", pr.ItemKind, pr.ItemKey, err)
	}
	if err := c.l.MarkPaymentRequestSent(c.ctx, pr.ID, ref, link); err != nil {
		return false, err
	}
	sent := *pr
	sent.ProviderRef, sent.URL = ref, link
	c.res.Sent = append(c.res.Sent, sent)
	return true, nil
}

// recoverPending finishes the records earlier runs left pending and this
// run adopted: found at the provider by external id, or sent again under
// the same one. No run that left one is still sending it (the run lock;
// on a shared ledger, AdoptPaymentRequests leaves live workers' requests
// alone and each is claimed here): each is recovered at once, however
// young.
func (c *requestRun) recoverPending(run int64) error {
	all, err := c.l.PaymentRequests(c.ctx, c.r.Name(), ledger.RequestPending)
	if err != nil {
		return err
	}
	var pending []ledger.PaymentRequest
	var claims []*ledger.Claim
	defer func() {
		for _, cl := range claims {
			finish(c.ctx, cl, false) // pending no more, or the next run's to recover
		}
	}()
	for _, pr := range all {
		if pr.RunID != run {
			continue // a live worker's
		}
		cl, other, err := claim(c.ctx, c.l, ledger.ClaimRequest, ledger.RequestClaimKey(pr.Provider, pr.ExternalID))
		if err != nil {
			return err
		}
		if other != nil {
			c.res.Elsewhere++
			c.res.elsewhere = append(c.res.elsewhere, other.Key)
			continue
		}
		if cl != nil {
			claims = append(claims, cl)
		}
		pending = append(pending, pr)
	}
	if len(pending) == 0 {
		return nil
	}
	found, err := c.r.Find(c.ctx, pending)
	if err != nil {
		return err
	}
	for i := range pending {
		pr := &pending[i]
		if got, ok := found[pr.ExternalID]; ok {
			if err := c.l.MarkPaymentRequestSent(c.ctx, pr.ID, got.Ref, got.Link); err != nil {
				return err
			}
			c.res.Recovered++
			continue
		}
		call, err := c.r.Prepare(pr)
		if err != nil {
			c.res.Refused++
			c.problem("%s %s: %v", pr.ItemKind, pr.ItemKey, err)
			if err := c.l.ClosePaymentRequest(c.ctx, pr.ID, ledger.RequestFailed, err.Error()); err != nil {
				return err
			}
			continue
		}
		if ok, err := c.send(pr, call); err != nil {
			return err
		} else if ok {
			c.res.Recovered++
		}
	}
	return nil
}

// requestUnpaid records and sends a request for every unpaid item.
func (c *requestRun) requestUnpaid(sel ledger.UnpaidSelection, run int64) error {
	return c.l.Unpaid(c.ctx, sel, func(it ledger.UnpaidItem) error {
		pr := requestFor(c.r, it, run)
		call, err := c.r.Prepare(pr)
		if err != nil {
			c.res.Refused++
			c.problem("%s %s %s %s: not requested: %v", it.Kind, it.Key, sepa.FormatAmount(it.Amount, it.Currency), it.Currency, err)
			return nil
		}
		cl, other, err := claim(c.ctx, c.l, ledger.ClaimRequest, ledger.RequestClaimKey(pr.Provider, pr.ExternalID))
		if err != nil {
			return err
		}
		if other != nil {
			c.res.Elsewhere++
			c.res.elsewhere = append(c.res.elsewhere, other.Key)
			return nil
		}
		ok, err := c.l.ReservePaymentRequest(c.ctx, pr)
		if err != nil {
			finish(c.ctx, cl, false)
			return err
		}
		if !ok {
			finish(c.ctx, cl, false)
			c.res.Skipped++
			c.problem("%s %s: skipped: %s already has a request with id %q", it.Kind, it.Key, c.r.Name(), pr.ExternalID)
			return nil
		}
		sent, err := c.send(pr, call)
		// Sent, or closed as refused: done. Still pending: released, for
		// the run that adopts it to recover.
		if ferr := finish(c.ctx, cl, err == nil); err == nil && ferr != nil {
			return ferr
		}
		if err != nil {
			return err
		}
		if sent {
			c.res.Created++
			c.res.Amount.Add(pr.Amount, pr.Currency)
		}
		return nil
	})
}

// requestFor is the request for an unpaid item.
func requestFor(r Requester, it ledger.UnpaidItem, run int64) *ledger.PaymentRequest {
	return &ledger.PaymentRequest{Provider: r.Name(), ItemKind: it.Kind, ItemID: it.ID, ItemKey: it.Key,
		ExternalID: ledger.ExternalID(it.Key, it.Attempts, r.IDLimit()), Amount: it.Amount, Currency: it.Currency,
		Reason: it.Reason, Name: it.Name, RunID: run}
}

// PreviewRequests lists the requests CreateRequests would send, each
// checked as it checks them, and sends and records nothing (a dry run).
func PreviewRequests(ctx context.Context, l *ledger.DB, r Requester, sel ledger.UnpaidSelection) (*CreateResult, error) {
	res := &CreateResult{Provider: r.Name(), Amount: reconcile.Totals{}}
	err := l.Unpaid(ctx, sel, func(it ledger.UnpaidItem) error {
		pr := requestFor(r, it, 0)
		if _, err := r.Prepare(pr); err != nil {
			res.Refused++
			res.Problems = append(res.Problems, fmt.Sprintf("%s %s %s %s: would not be requested: %v", it.Kind, it.Key, sepa.FormatAmount(it.Amount, it.Currency), it.Currency, err))
			return nil
		}
		res.Created++
		res.Amount.Add(pr.Amount, pr.Currency)
		res.Sent = append(res.Sent, *pr)
		return nil
	})
	return res, err
}

// LinksHeader is the header of the payment links CSV.
var LinksHeader = []string{"provider", "item_kind", "item_key", "name", "amount", "currency", "reason", "url", "created_at", "new", "external_id", "provider_ref"}

// WriteLinks writes every open request of the provider as CSV for finance
// to send (LinksHeader), the ones created, recovered or taken over from a
// killed run in run marked new, and returns the new ones summed per
// currency. The file is replaced only when complete.
func WriteLinks(ctx context.Context, l *ledger.DB, provider string, run int64, path string) (reconcile.Totals, error) {
	newSums := reconcile.Totals{}
	open, err := l.PaymentRequests(ctx, provider, ledger.RequestOpen)
	if err != nil {
		return newSums, err
	}
	out, err := atomicfile.Create(path)
	if err != nil {
		return newSums, err
	}
	defer out.Abort()
	w := csv.NewWriter(out)
	w.Write(LinksHeader)
	for _, pr := range open {
		isNew := "no"
		if pr.RunID == run {
			isNew = "yes"
			newSums.Add(pr.Amount, pr.Currency)
		}
		w.Write([]string{pr.Provider, pr.ItemKind, pr.ItemKey, pr.Name, pr.Amount.StringFixed(2), pr.Currency, pr.Reason, pr.URL,
			pr.CreatedAt.Format(time.RFC3339), isNew, pr.ExternalID, pr.ProviderRef})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return newSums, err
	}
	return newSums, out.Commit()
}

// Sync events of a request.
const (
	SyncPaid          = "paid"           // paid at the provider, booked now
	SyncClosed        = "closed"         // expired, rejected or cancelled unpaid: closed
	SyncBookedAlready = "booked already" // paid, and booked meanwhile (its payout on a statement)
	SyncPaidOtherwise = "paid otherwise" // its item was paid otherwise while the request is open
)

// SyncChange is what became of one open request.
type SyncChange struct {
	Request ledger.PaymentRequest
	Event   string          // SyncPaid, SyncClosed, SyncBookedAlready, SyncPaidOtherwise
	Paid    *ledger.Payment // SyncPaid, SyncBookedAlready
	Status  string          // SyncPaid: the item's status after the booking; SyncClosed: the request's
	Note    string          // SyncClosed: why
}

// SyncResult is what a sync of one provider found and booked.
type SyncResult struct {
	Provider  string
	Open      int              // open requests before the sync
	Paid      int              // booked in this run
	PaidSum   reconcile.Totals // their sum per currency
	Closed    int              // closed unpaid
	StillOpen int
	Otherwise int // open, their item paid otherwise: withdraw them
	// Elsewhere are the open requests left to another worker sharing the
	// ledger: it was syncing the provider, or closed them meanwhile.
	Elsewhere int
	Changes   []SyncChange
	Total     reconcile.Summary // the bookings as reconcile results: rule payment-request
}

// SyncRequests asks the provider what became of every open request and
// books the paid ones against their items: a returned collection becomes
// paid, an invoice's open remainder goes down by the amount paid. Expired,
// rejected or cancelled requests are closed; their items can be requested
// again. A request is booked once, however often sync runs. Every booking
// is committed on its own and handed to onBooked (nil: none) as a
// reconcile result, rule payment-request, under the provider's name, for
// the reports.
func SyncRequests(ctx context.Context, l *ledger.DB, r Requester, open []ledger.PaymentRequest, onBooked func(file string, r *reconcile.Result, dup bool) error) (*SyncResult, error) {
	res := &SyncResult{Provider: r.Name(), Open: len(open), PaidSum: reconcile.Totals{}}
	states, err := r.States(ctx, open)
	if err != nil {
		return res, err
	}
	for _, st := range states {
		if st.Paid == nil {
			if err := l.ClosePaymentRequest(ctx, st.Request.ID, st.Closed, st.Note); errors.Is(err, ledger.ErrNotOpen) {
				// Booked meanwhile (its payout on a bank statement), or
				// closed by another worker.
				res.Elsewhere++
				continue
			} else if err != nil {
				return res, err
			}
			res.Closed++
			res.Changes = append(res.Changes, SyncChange{Request: st.Request, Event: SyncClosed, Status: st.Closed, Note: st.Note})
			continue
		}
		b, err := l.BookPaymentRequest(ctx, st.Request.ID, *st.Paid)
		if errors.Is(err, ledger.ErrNotOpen) {
			// Booked meanwhile: its payout came on a bank statement
			// (reconcile), or another sync ran at the same time.
			res.Changes = append(res.Changes, SyncChange{Request: st.Request, Event: SyncBookedAlready, Paid: st.Paid})
			continue
		}
		if err != nil {
			return res, err
		}
		res.Paid++
		res.PaidSum.Add(st.Paid.Amount, st.Request.Currency)
		res.Changes = append(res.Changes, SyncChange{Request: st.Request, Event: SyncPaid, Paid: st.Paid, Status: string(b.Status)})
		booked := report.Booking(b)
		res.Total.Add(booked)
		if onBooked != nil {
			if err := onBooked(r.Name(), booked, false); err != nil {
				return res, err
			}
		}
	}
	// An item paid otherwise (by transfer, by the next collection) while its
	// request is still open: the customer could pay twice.
	changed := map[int64]bool{}
	for _, st := range states {
		changed[st.Request.ID] = true
	}
	for _, pr := range open {
		if !changed[pr.ID] && pr.ItemOpen.Sign() <= 0 {
			res.Otherwise++
			res.Changes = append(res.Changes, SyncChange{Request: pr, Event: SyncPaidOtherwise})
		}
	}
	res.StillOpen = len(open) - res.Paid - res.Closed - res.Elsewhere
	return res, nil
}

// claimSync takes, on a shared ledger, the sync of provider
// (ledger.ClaimRequest, "sync" and the provider; released by release once
// synced, for the next worker or night) and returns its requests still
// open once taken; elsewhere counts them when another worker is syncing
// the provider now. One worker syncs a provider at a time: the provider
// is asked about every open request at once (Tikkie: one walk of its
// listing), and what it answers is booked or closed once. On SQLite it
// returns open.
func claimSync(ctx context.Context, l *ledger.DB, provider string, open []ledger.PaymentRequest) (mine []ledger.PaymentRequest, elsewhere int, release func(), err error) {
	c, other, err := claim(ctx, l, ledger.ClaimRequest, "sync "+provider)
	release = func() { finish(ctx, c, false) }
	switch {
	case err != nil:
		return nil, 0, func() {}, err
	case !Shared(l):
		return open, 0, release, nil
	case other != nil:
		return nil, len(open), func() {}, nil
	}
	// Requests another worker synced before this one took the claim are
	// open no more.
	if mine, err = l.PaymentRequests(ctx, provider, ledger.RequestOpen); err != nil {
		release()
		return nil, 0, func() {}, err
	}
	return mine, 0, release, nil
}

// Sync syncs each of the providers that has open requests in the ledger
// (SyncRequests), the client of each made by newRequester when needed. A
// provider that cannot be made or reached does not stop the others: the
// errors are joined. total sums the bookings of every provider.
func Sync(ctx context.Context, l *ledger.DB, providers []string, newRequester func(provider string) (Requester, error),
	onBooked func(file string, r *reconcile.Result, dup bool) error) (results []*SyncResult, total reconcile.Summary, err error) {
	for _, p := range providers {
		open, lerr := l.PaymentRequests(ctx, p, ledger.RequestOpen)
		if lerr != nil {
			return results, total, lerr
		}
		if len(open) == 0 {
			results = append(results, &SyncResult{Provider: p})
			continue
		}
		mine, elsewhere, release, cerr := claimSync(ctx, l, p, open)
		if cerr != nil {
			return results, total, cerr
		}
		r, rerr := newRequester(p)
		if rerr != nil {
			release()
			// The other provider is still synced.
			err = errors.Join(err, fmt.Errorf("%d open %s request(s) not synced: %w", len(open), p, rerr))
			continue
		}
		res := &SyncResult{Provider: p, PaidSum: reconcile.Totals{}}
		var serr error
		if len(mine) > 0 {
			res, serr = SyncRequests(ctx, l, r, mine, onBooked)
		}
		release()
		res.Open += elsewhere
		res.Elsewhere += elsewhere
		results = append(results, res)
		total.Merge(res.Total)
		if serr != nil {
			err = errors.Join(err, fmt.Errorf("%s: %w", p, serr))
		}
	}
	return results, total, err
}
