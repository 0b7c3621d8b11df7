package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/reconcile"
)

// Payment request statuses. Pending means recorded but not known to have
// reached the provider: it is finished (looked up or sent again with the
// same external id) before anything new is sent. At most one request per
// item is pending or open at a time.
const (
	RequestPending   = "pending"
	RequestOpen      = "open"
	RequestPaid      = "paid"
	RequestExpired   = "expired"
	RequestRejected  = "rejected"
	RequestCancelled = "cancelled"
	RequestFailed    = "failed" // the provider refused it; the item may be requested again
)

// Kinds of item a payment request is for.
const (
	ItemCollection = string(reconcile.ChangeCollection)
	ItemInvoice    = string(reconcile.ChangeInvoice)
)

// ReasonOverdue is the reason recorded for an invoice past its due date.
const ReasonOverdue = "overdue"

// PaymentRequest is one request sent (or about to be sent) to a provider
// for one unpaid item.
type PaymentRequest struct {
	ID          int64
	Provider    string // tikkie, tinka
	ItemKind    string // ItemCollection or ItemInvoice
	ItemID      int64
	ItemKey     string // end-to-end id or invoice number
	ExternalID  string // Tikkie externalId, Tinka transactionId: the idempotency key
	Amount      decimal.Decimal
	Currency    string
	Reason      string // return reason (AC04, ...) or ReasonOverdue
	Name        string // debtor or customer
	Status      string
	ProviderRef string // paymentRequestToken (Tikkie), paymentRequestId (Tinka)
	URL         string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	PaidAmount  decimal.Decimal
	PaidAt      time.Time
	Note        string
	RunID       int64
	RunDone     bool            // the run that recorded it has finished (or is unknown)
	ItemOpen    decimal.Decimal // what its item still has open: zero once it was paid, by this request or otherwise
}

// UnpaidItem is an item that needs a payment request: a collection that came
// back for good, or an invoice past its due date.
type UnpaidItem struct {
	Kind     string // ItemCollection or ItemInvoice
	ID       int64
	Key      string // end-to-end id or invoice number
	Name     string
	IBAN     string // debtor IBAN (collections)
	Amount   decimal.Decimal
	Currency string
	Reason   string    // return reason or ReasonOverdue
	Date     time.Time // collection date or due date
	Attempts int       // earlier requests for this item (expired, rejected, ...)
}

// UnpaidSelection says which items want a payment request.
type UnpaidSelection struct {
	Collections bool
	Reasons     []string // return reasons that count as final; all when empty
	Invoices    bool
	DueBefore   time.Time // invoices due before this day (exclusive)
}

// Unpaid calls fn for every item that wants a payment request and has no
// pending, open or paid one (nor the same key under the other kind):
// returned collections with one of the reasons, then open or partly paid
// invoices due before sel.DueBefore, each in the order they were added. It
// reads a page at a time and holds no rows open while fn runs, so fn may
// write to the ledger and memory stays flat however many items there are.
func (l *DB) Unpaid(ctx context.Context, sel UnpaidSelection, fn func(UnpaidItem) error) error {
	// An item with a live request is left out, and so is an invoice whose
	// number is the end-to-end id of a requested collection (a UBL invoice
	// collected by direct debit): one debt, one request.
	noActive := func(key string) string {
		return ` AND NOT EXISTS (SELECT 1 FROM payment_requests p WHERE ((p.item_kind = ? AND p.item_id = x.id) OR p.item_key = x.` + key +
			`) AND p.status IN ('pending', 'open', 'paid'))`
	}
	const attempts = `(SELECT COUNT(*) FROM payment_requests p WHERE p.item_kind = ? AND p.item_id = x.id)`
	if sel.Collections {
		q := `SELECT x.id, x.end_to_end_id, x.debtor_name, x.debtor_iban, x.amount, x.currency, x.return_reason, x.collection_date, ` + attempts +
			` FROM collections x WHERE x.status = ?` + noActive("end_to_end_id")
		args := []any{ItemCollection, string(reconcile.StatusReturned), ItemCollection}
		if len(sel.Reasons) > 0 {
			q += ` AND x.return_reason IN (?` + strings.Repeat(", ?", len(sel.Reasons)-1) + `)`
			for _, r := range sel.Reasons {
				args = append(args, r)
			}
		}
		if err := l.unpaidPages(ctx, q, args, ItemCollection, fn); err != nil {
			return err
		}
	}
	if sel.Invoices {
		q := `SELECT x.id, x.number, x.customer_name, '', x.open_amount, x.currency, '` + ReasonOverdue + `', x.due_date, ` + attempts +
			` FROM invoices x WHERE x.status IN (?, ?) AND x.due_date IS NOT NULL AND x.due_date < ?` + noActive("number")
		args := []any{ItemInvoice, string(reconcile.StatusOpen), string(reconcile.StatusPartial), sel.DueBefore.Format(time.DateOnly), ItemInvoice}
		if err := l.unpaidPages(ctx, q, args, ItemInvoice, fn); err != nil {
			return err
		}
	}
	return nil
}

// unpaidPage is how many items Unpaid reads at a time.
const unpaidPage = 500

func (l *DB) unpaidPages(ctx context.Context, q string, args []any, kind string, fn func(UnpaidItem) error) error {
	q += ` AND x.id > ? ORDER BY x.id LIMIT ` + strconv.Itoa(unpaidPage)
	var after int64
	for {
		items, last, n, err := l.unpaidPage(ctx, q, append(args, after), kind)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if n < unpaidPage {
			return nil
		}
		after = last
	}
}

// unpaidPage reads one page: the items with something open, the id of the
// last row read and how many rows were read.
func (l *DB) unpaidPage(ctx context.Context, q string, args []any, kind string) (items []UnpaidItem, last int64, n int, err error) {
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		n++
		it := UnpaidItem{Kind: kind}
		var name, iban, reason, date sql.NullString
		var amt moneyCol
		if err := rows.Scan(&it.ID, &it.Key, &name, &iban, &amt, &it.Currency, &reason, &date, &it.Attempts); err != nil {
			return nil, 0, 0, err
		}
		last = it.ID
		if it.Amount, err = amt.dec(it.Currency); err != nil {
			return nil, 0, 0, err
		}
		if it.Amount.Sign() <= 0 {
			continue // an invoice paid in full or overpaid meanwhile
		}
		it.Name, it.IBAN, it.Reason, it.Date = name.String, iban.String, reason.String, parseDate(date)
		items = append(items, it)
	}
	return items, last, n, rows.Err()
}

// ExternalID is the idempotency key of the n-th request (0-based attempts
// before it) for an item: the item's key itself the first time, so the
// customer and the provider's portal show the invoice number or end-to-end
// id; later attempts get a "~2", "~3" suffix, cutting the key to fit max.
func ExternalID(key string, attempts, max int) string {
	if attempts == 0 && len(key) <= max {
		return key
	}
	suffix := "~" + strconv.Itoa(attempts+1)
	if len(key)+len(suffix) > max {
		key = key[:max-len(suffix)]
	}
	return key + suffix
}

// ReservePaymentRequest records a request as pending before it is sent,
// so a crash between sending and recording cannot lead to a second request.
// It returns false, recording nothing, when the item already has a pending
// or open request or the external id is taken.
func (l *DB) ReservePaymentRequest(ctx context.Context, pr *PaymentRequest) (bool, error) {
	now := l.stamp()
	amt, err := l.d.money(pr.Amount, pr.Currency)
	if err != nil {
		return false, fmt.Errorf("ledger: payment request %s: %w", pr.ExternalID, err)
	}
	id, added, err := l.d.insertID(ctx, l.db, `INSERT INTO payment_requests (provider, item_kind, item_id, item_key, item_key_norm, external_id, amount, currency,
		reason, name, status, created_at, updated_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		pr.Provider, pr.ItemKind, pr.ItemID, pr.ItemKey, reconcile.NumberKey(pr.ItemKey), pr.ExternalID, amt, pr.Currency, pr.Reason, nullStr(pr.Name),
		RequestPending, now, now, nullID(pr.RunID))
	if err != nil || !added {
		return false, err
	}
	pr.ID = id
	pr.Status = RequestPending
	pr.CreatedAt, _ = time.Parse(time.RFC3339Nano, now)
	pr.UpdatedAt = pr.CreatedAt
	return true, nil
}

// MarkPaymentRequestSent records the provider's reference and link of a
// pending request: it is open now.
func (l *DB) MarkPaymentRequestSent(ctx context.Context, id int64, providerRef, url string) error {
	return l.updateRequest(ctx, id, `UPDATE payment_requests SET status = ?, provider_ref = ?, url = ?, updated_at = ? WHERE id = ? AND status = ?`,
		RequestOpen, providerRef, nullStr(url), l.stamp(), id, RequestPending)
}

// ClosePaymentRequest ends a pending or open request without payment
// (expired, rejected, cancelled, failed) with a note; its item may be
// requested again.
func (l *DB) ClosePaymentRequest(ctx context.Context, id int64, status, note string) error {
	switch status {
	case RequestExpired, RequestRejected, RequestCancelled, RequestFailed:
	default:
		return fmt.Errorf("ledger: payment request %d: %q is not a closing status", id, status)
	}
	return l.updateRequest(ctx, id, `UPDATE payment_requests SET status = ?, note = ?, updated_at = ? WHERE id = ? AND status IN (?, ?)`,
		status, nullStr(note), l.stamp(), id, RequestPending, RequestOpen)
}

func (l *DB) updateRequest(ctx context.Context, id int64, q string, args ...any) error {
	res, err := l.db.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("ledger: payment request %d: %w", id, ErrNotOpen)
	}
	return nil
}

// PaymentRequests returns the requests of a provider ("" for all) with one
// of the statuses (all when none is given), oldest first.
func (l *DB) PaymentRequests(ctx context.Context, provider string, statuses ...string) ([]PaymentRequest, error) {
	q := `(? = '' OR provider = ?)`
	args := []any{provider, provider}
	if len(statuses) > 0 {
		q += ` AND status IN (?` + strings.Repeat(", ?", len(statuses)-1) + `)`
		for _, s := range statuses {
			args = append(args, s)
		}
	}
	return l.queryRequests(ctx, q, args...)
}

func (l *DB) queryRequests(ctx context.Context, where string, args ...any) ([]PaymentRequest, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, provider, item_kind, item_id, item_key, external_id, amount, currency, reason, name,
		status, provider_ref, url, created_at, updated_at, paid_amount, paid_at, note, run_id,
		COALESCE((SELECT r.finished_at IS NOT NULL FROM runs r WHERE r.id = payment_requests.run_id), TRUE),
		CASE item_kind WHEN 'invoice' THEN (SELECT i.open_amount FROM invoices i WHERE i.id = payment_requests.item_id)
			ELSE (SELECT CASE c.status WHEN 'returned' THEN c.amount ELSE 0 END FROM collections c WHERE c.id = payment_requests.item_id) END
		FROM payment_requests WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PaymentRequest
	for rows.Next() {
		var pr PaymentRequest
		var created, updated string
		var amt, paid, itemOpen moneyCol
		var name, ref, url, paidAt, note sql.NullString
		var run sql.NullInt64
		if err := rows.Scan(&pr.ID, &pr.Provider, &pr.ItemKind, &pr.ItemID, &pr.ItemKey, &pr.ExternalID, &amt, &pr.Currency, &pr.Reason,
			&name, &pr.Status, &ref, &url, &created, &updated, &paid, &paidAt, &note, &run, &pr.RunDone, &itemOpen); err != nil {
			return nil, err
		}
		// The item's open remainder is in the item's currency: the
		// request's, which was made for it.
		if pr.ItemOpen, err = itemOpen.dec(pr.Currency); err != nil {
			return nil, err
		}
		if pr.Amount, err = amt.dec(pr.Currency); err != nil {
			return nil, err
		}
		if pr.PaidAmount, err = paid.dec(pr.Currency); err != nil {
			return nil, err
		}
		pr.Name, pr.ProviderRef, pr.URL, pr.Note, pr.RunID = name.String, ref.String, url.String, note.String, run.Int64
		pr.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		pr.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		if paidAt.Valid {
			pr.PaidAt, _ = time.Parse(time.RFC3339Nano, paidAt.String)
		}
		out = append(out, pr)
	}
	return out, rows.Err()
}

// Payment is what a provider reports paid on a request.
type Payment struct {
	Amount decimal.Decimal
	At     time.Time
	Payer  string // name (and account) of who paid
}

// Booking is what booking a paid request did to its item.
type Booking struct {
	Request PaymentRequest
	Item    reconcile.Item   // Open before, Applied, Remaining after
	Status  reconcile.Status // the item's new status
}

// ErrNotOpen is returned when booking a request that is not open: it was
// booked already, or closed.
var ErrNotOpen = errors.New("payment request is not open")

// BookPaymentRequest books a paid request against its item in one
// transaction: a collection is marked paid, an invoice's open remainder
// goes down by the amount paid (paid, partial or overpaid). Booking a
// request twice returns ErrNotOpen and changes nothing.
func (l *DB) BookPaymentRequest(ctx context.Context, id int64, p Payment) (*Booking, error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	b, err := bookRequest(ctx, tx, id, p, l.stamp())
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	pr, err := l.paymentRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	b.Request = *pr
	return b, nil
}

// bookRequest books an open request (or a pending one whose payout was
// seen: it reached the provider) against its item within tx. A payment
// without an amount or time pays the requested amount now.
func bookRequest(ctx context.Context, tx *tx, id int64, p Payment, now string) (*Booking, error) {
	var b Booking
	var kind, key, ccy, status string
	var amt moneyCol
	// The request, then its item, locked until the booking commits: a
	// second booking of the request, or an import paying the same item,
	// waits and reads what this one wrote.
	if err := tx.QueryRowContext(ctx, `SELECT item_kind, item_id, item_key, amount, currency, status FROM payment_requests WHERE id = ?`+tx.d.forUpdate(""), id).
		Scan(&kind, &b.Item.ID, &key, &amt, &ccy, &status); err != nil {
		return nil, fmt.Errorf("ledger: payment request %d: %w", id, err)
	}
	if status != RequestOpen && status != RequestPending {
		return nil, fmt.Errorf("ledger: payment request %d: %w", id, ErrNotOpen)
	}
	if p.Amount.IsZero() {
		var err error
		if p.Amount, err = amt.dec(ccy); err != nil {
			return nil, err
		}
	}
	paid, err := tx.d.money(p.Amount, ccy)
	if err != nil {
		return nil, fmt.Errorf("ledger: payment request %d: paid %w", id, err)
	}
	paidAt := now
	if !p.At.IsZero() {
		paidAt = p.At.UTC().Format(time.RFC3339Nano)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payment_requests SET status = ?, paid_amount = ?, paid_at = ?, note = ?, updated_at = ? WHERE id = ?`,
		RequestPaid, paid, paidAt, nullStr(p.Payer), now, id); err != nil {
		return nil, err
	}
	b.Item.Kind, b.Item.Key, b.Item.Applied = reconcile.ChangeKind(kind), key, p.Amount
	switch kind {
	case ItemCollection:
		var camt moneyCol
		var cccy string
		var nm sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT amount, currency, debtor_name FROM collections WHERE id = ?`+tx.d.forUpdate(""), b.Item.ID).Scan(&camt, &cccy, &nm); err != nil {
			return nil, err
		}
		if b.Item.Amount, err = camt.dec(cccy); err != nil {
			return nil, err
		}
		b.Item.Name, b.Item.Open = nm.String, b.Item.Amount
		b.Item.Remaining = b.Item.Amount.Sub(p.Amount)
		b.Status = reconcile.StatusPaid
		_, err = tx.ExecContext(ctx, `UPDATE collections SET status = ? WHERE id = ?`, string(b.Status), b.Item.ID)
	case ItemInvoice:
		var iamt, open moneyCol
		var iccy string
		var nm sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT amount, open_amount, currency, customer_name FROM invoices WHERE id = ?`+tx.d.forUpdate(""), b.Item.ID).Scan(&iamt, &open, &iccy, &nm); err != nil {
			return nil, err
		}
		if b.Item.Amount, err = iamt.dec(iccy); err != nil {
			return nil, err
		}
		if b.Item.Open, err = open.dec(iccy); err != nil {
			return nil, err
		}
		b.Item.Name = nm.String
		b.Item.Remaining = b.Item.Open.Sub(p.Amount)
		switch b.Item.Remaining.Sign() {
		case 0:
			b.Status = reconcile.StatusPaid
		case 1:
			b.Status = reconcile.StatusPartial
		default:
			b.Status = reconcile.StatusOverpaid
		}
		var rest any
		if rest, err = tx.d.money(b.Item.Remaining, iccy); err == nil {
			_, err = tx.ExecContext(ctx, `UPDATE invoices SET status = ?, open_amount = ? WHERE id = ?`, string(b.Status), rest, b.Item.ID)
		}
	default:
		return nil, fmt.Errorf("ledger: payment request %d: unknown item kind %q", id, kind)
	}
	if err != nil {
		return nil, err
	}
	return &b, nil
}

func (l *DB) paymentRequest(ctx context.Context, id int64) (*PaymentRequest, error) {
	prs, err := l.queryRequests(ctx, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(prs) == 0 {
		return nil, fmt.Errorf("ledger: no payment request %d", id)
	}
	return &prs[0], nil
}
