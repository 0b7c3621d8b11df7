package ledger

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/reconcile"
)

// On PostgreSQL open items go in bulkChunk at a time, each chunk one
// INSERT ... SELECT FROM unnest(...): a million invoices are a few hundred
// statements, not a million round trips.

// addCollectionsBulk is AddCollections on PostgreSQL.
func (l *DB) addCollectionsBulk(ctx context.Context, source string, next func() (*reconcile.Collection, error)) (AddResult, error) {
	var res AddResult
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	type agg struct {
		count    int
		total    decimal.Decimal
		currency string
		date     any
	}
	batches := map[string]*agg{}
	var e2e, mandate, pmt, amount, ccy, date, name, iban, cid, rem []string
	flush := func() error {
		if len(e2e) == 0 {
			return nil
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO collections (end_to_end_id, mandate_id, pmtinf_id, amount, currency, collection_date,
			debtor_name, debtor_iban, creditor_id, remittance, status)
			SELECT v.e2e, v.mandate, v.pmt, v.amount::numeric, v.ccy, NULLIF(v.date, ''), v.name, v.iban, v.cid, v.rem, ?
			FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
				AS v(e2e, mandate, pmt, amount, ccy, date, name, iban, cid, rem)
			ON CONFLICT (pmtinf_id, end_to_end_id) DO NOTHING`,
			string(reconcile.StatusOpen), e2e, mandate, pmt, amount, ccy, date, name, iban, cid, rem)
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		res.Added += int(n)
		res.Skipped += len(e2e) - int(n)
		e2e, mandate, pmt, amount, ccy, date = e2e[:0], mandate[:0], pmt[:0], amount[:0], ccy[:0], date[:0]
		name, iban, cid, rem = name[:0], iban[:0], cid[:0], rem[:0]
		return nil
	}
	for {
		c, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
		if c.EndToEndID == "" || c.PmtInfID == "" {
			return res, fmt.Errorf("collection %q: end-to-end id and PmtInfId are required", c.EndToEndID)
		}
		if _, err := cents(c.Amount); err != nil {
			return res, fmt.Errorf("collection %q: %w", c.EndToEndID, err)
		}
		d, _ := dateText(c.CollectionDate).(string)
		e2e, mandate, pmt, amount, ccy, date = append(e2e, c.EndToEndID), append(mandate, c.MandateID), append(pmt, c.PmtInfID),
			append(amount, c.Amount.String()), append(ccy, c.Currency), append(date, d)
		name, iban, cid, rem = append(name, c.DebtorName), append(iban, reconcile.NormIBAN(c.DebtorIBAN)), append(cid, c.CreditorID), append(rem, c.Remittance)
		b := batches[c.PmtInfID]
		if b == nil {
			b = &agg{currency: c.Currency, date: dateText(c.CollectionDate)}
			batches[c.PmtInfID] = b
		}
		b.count++
		b.total = b.total.Add(c.Amount)
		if len(e2e) == bulkChunk {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	ids := make([]string, 0, len(batches))
	for id := range batches {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		b := batches[id]
		tc, _ := cents(b.total)
		r, err := tx.ExecContext(ctx, `INSERT INTO batches (pmtinf_id, nb_of_txs, total, total_cents, currency, collection_date, status, source)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pmtinf_id) DO NOTHING`,
			id, b.count, b.total.String(), tc, b.currency, b.date, string(reconcile.StatusOpen), source)
		if err != nil {
			return res, err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			res.Batches++
		}
	}
	if err := tx.Commit(); err != nil {
		return res, err
	}
	return res, l.analyzeAfter(ctx, res.Added, "collections", "batches")
}

// addInvoicesBulk is AddInvoices on PostgreSQL.
func (l *DB) addInvoicesBulk(ctx context.Context, source string, next func() (*reconcile.Invoice, error)) (AddResult, error) {
	var res AddResult
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	var number, key, cnum, cname, ref, amount, open, ccy, issue, due, status []string
	var ibans [][]string
	flush := func() error {
		if len(number) == 0 {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO invoices (number, number_key, customer_number, customer_name, reference, amount,
			open_amount, currency, issue_date, due_date, status, source)
			SELECT v.number, v.key, v.cnum, v.cname, v.ref, v.amount::numeric, v.open::numeric, v.ccy, NULLIF(v.issue, ''), NULLIF(v.due, ''), v.status, ?
			FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
				AS v(number, key, cnum, cname, ref, amount, open, ccy, issue, due, status)
			ON CONFLICT (number) DO NOTHING RETURNING id, number`,
			source, number, key, cnum, cname, ref, amount, open, ccy, issue, due, status)
		if err != nil {
			return err
		}
		ids := map[string]int64{}
		if err := scanEach(rows, func() error {
			var id int64
			var n string
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			ids[n] = id
			return nil
		}); err != nil {
			return err
		}
		res.Added += len(ids)
		res.Skipped += len(number) - len(ids)
		var xIBAN []string
		var xID []int64
		for i, n := range number {
			id, ok := ids[n]
			if !ok {
				continue
			}
			delete(ids, n) // a number twice in one chunk: the first one was added
			for _, iban := range ibans[i] {
				xIBAN, xID = append(xIBAN, iban), append(xID, id)
			}
		}
		if len(xIBAN) > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO invoice_ibans (iban, invoice_id) SELECT * FROM unnest(?::text[], ?::bigint[])
				ON CONFLICT (iban, invoice_id) DO NOTHING`, xIBAN, xID); err != nil {
				return err
			}
		}
		number, key, cnum, cname, ref, amount, open, ccy = number[:0], key[:0], cnum[:0], cname[:0], ref[:0], amount[:0], open[:0], ccy[:0]
		issue, due, status, ibans = issue[:0], due[:0], status[:0], ibans[:0]
		return nil
	}
	for {
		v, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
		o, st, r, err := invoiceItem(v)
		if err != nil {
			return res, err
		}
		var in []string
		for _, iban := range v.CustomerIBANs {
			if iban = reconcile.NormIBAN(iban); iban != "" {
				in = append(in, iban)
			}
		}
		is, _ := dateText(v.IssueDate).(string)
		du, _ := dateText(v.DueDate).(string)
		number, key, cnum, cname, ref = append(number, v.Number), append(key, reconcile.NumberKey(v.Number)), append(cnum, v.CustomerNumber),
			append(cname, v.CustomerName), append(ref, r)
		amount, open, ccy, issue, due, status = append(amount, v.Amount.String()), append(open, o.String()), append(ccy, v.Currency),
			append(issue, is), append(due, du), append(status, string(st))
		ibans = append(ibans, in)
		if len(number) == bulkChunk {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, err
	}
	return res, l.analyzeAfter(ctx, res.Added, "invoices", "invoice_ibans")
}
