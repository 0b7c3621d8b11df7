package ledger

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/batchtool/batchtool/pkg/reconcile"
)

// Invoices calls fn for every invoice with one of the statuses (all when
// none is given), in number order, streaming: what stayed unpaid goes to the
// payment-request step (Tikkie, Tinka) this way. The invoice's IBANs are
// not filled in.
func (l *DB) Invoices(ctx context.Context, fn func(reconcile.Invoice) error, statuses ...reconcile.Status) error {
	q := `SELECT i.id, i.number, i.customer_number, i.customer_name, i.reference, i.amount, i.open_amount, i.currency, i.issue_date, i.due_date, i.status FROM invoices i`
	q, args := whereStatus(q, "i.status", statuses)
	rows, err := l.db.QueryContext(ctx, q+` ORDER BY i.number`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v reconcile.Invoice
		var st string
		var amt, open moneyCol
		var cnum, cname, issue, due sql.NullString
		if err := rows.Scan(&v.ID, &v.Number, &cnum, &cname, &v.Reference, &amt, &open, &v.Currency, &issue, &due, &st); err != nil {
			return err
		}
		if v.Amount, err = amt.dec(v.Currency); err != nil {
			return err
		}
		if v.Open, err = open.dec(v.Currency); err != nil {
			return err
		}
		v.CustomerNumber, v.CustomerName = cnum.String, cname.String
		v.IssueDate, v.DueDate, v.Status = parseDate(issue), parseDate(due), reconcile.Status(st)
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Collections calls fn for every collection with one of the statuses (all
// when none is given), in batch and end-to-end id order, streaming: the
// returned ones (with their reason) are to be collected again or requested
// otherwise.
func (l *DB) Collections(ctx context.Context, fn func(reconcile.Collection) error, statuses ...reconcile.Status) error {
	q := `SELECT id, end_to_end_id, mandate_id, pmtinf_id, amount, currency, collection_date, debtor_name, debtor_iban, creditor_id, remittance, status, return_reason, return_text FROM collections`
	q, args := whereStatus(q, "status", statuses)
	rows, err := l.db.QueryContext(ctx, q+` ORDER BY pmtinf_id, end_to_end_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c reconcile.Collection
		var st string
		var amt moneyCol
		var date, name, iban, cid, rem, rr, rt sql.NullString
		if err := rows.Scan(&c.ID, &c.EndToEndID, &c.MandateID, &c.PmtInfID, &amt, &c.Currency, &date, &name, &iban, &cid, &rem, &st, &rr, &rt); err != nil {
			return err
		}
		if c.Amount, err = amt.dec(c.Currency); err != nil {
			return err
		}
		c.CollectionDate = parseDate(date)
		c.DebtorName, c.DebtorIBAN, c.CreditorID, c.Remittance = name.String, iban.String, cid.String, rem.String
		c.Status, c.ReturnReason, c.ReturnText = reconcile.Status(st), rr.String, rt.String
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

func whereStatus(q, col string, statuses []reconcile.Status) (string, []any) {
	if len(statuses) == 0 {
		return q, nil
	}
	args := make([]any, len(statuses))
	for i, s := range statuses {
		args[i] = string(s)
	}
	return q + ` WHERE ` + col + ` IN (?` + strings.Repeat(", ?", len(statuses)-1) + `)`, args
}

// Run is one command in the run log.
type Run struct {
	ID         int64
	Command    string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running, or when it died
	Summary    string    // JSON
}

// RecentRuns returns the last n runs, newest first.
func (l *DB) RecentRuns(ctx context.Context, n int) ([]Run, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, command, started_at, finished_at, summary FROM runs ORDER BY id DESC LIMIT ?`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var started string
		var finished, summary sql.NullString
		if err := rows.Scan(&r.ID, &r.Command, &started, &finished, &summary); err != nil {
			return nil, err
		}
		r.StartedAt, _ = time.Parse(time.RFC3339Nano, started)
		if finished.Valid {
			r.FinishedAt, _ = time.Parse(time.RFC3339Nano, finished.String)
		}
		r.Summary = summary.String
		out = append(out, r)
	}
	return out, rows.Err()
}
