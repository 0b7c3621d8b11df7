package ledger

import (
	"context"

	"github.com/batchtool/batchtool/pkg/reconcile"
)

// On PostgreSQL open items go in bulkChunk at a time, each chunk one
// INSERT ... SELECT FROM unnest(...): a million invoices are a few hundred
// statements, not a million round trips. AddCollections and AddInvoices
// check, count and form the batches for both databases; these only write.

// putCollectionsBulk is putCollections on PostgreSQL.
func putCollectionsBulk(ctx context.Context, tx *tx, cs []newCollection, res *AddResult) error {
	var e2e, mandate, pmt, amount, ccy, date, name, iban, cid, rem []string
	for i := range cs {
		c := &cs[i]
		d, _ := dateText(c.CollectionDate).(string)
		e2e, mandate, pmt, amount, ccy, date = append(e2e, c.EndToEndID), append(mandate, c.MandateID), append(pmt, c.PmtInfID),
			append(amount, c.amount.(string)), append(ccy, c.Currency), append(date, d)
		name, iban, cid, rem = append(name, c.DebtorName), append(iban, reconcile.NormIBAN(c.DebtorIBAN)), append(cid, c.CreditorID), append(rem, c.Remittance)
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
	res.Skipped += len(cs) - int(n)
	return nil
}

// putInvoicesBulk is putInvoices on PostgreSQL.
func putInvoicesBulk(ctx context.Context, tx *tx, source string, vs []newInvoice, res *AddResult) error {
	var number, key, cnum, cname, ref, amount, open, ccy, issue, due, status []string
	for i := range vs {
		v := &vs[i]
		is, _ := dateText(v.IssueDate).(string)
		du, _ := dateText(v.DueDate).(string)
		number, key, cnum, cname, ref = append(number, v.Number), append(key, reconcile.NumberKey(v.Number)), append(cnum, v.CustomerNumber),
			append(cname, v.CustomerName), append(ref, v.ref)
		amount, open, ccy, issue, due, status = append(amount, v.amount.(string)), append(open, v.open.(string)), append(ccy, v.Currency),
			append(issue, is), append(due, du), append(status, string(v.status))
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
	res.Skipped += len(vs) - len(ids)
	var xIBAN []string
	var xID []int64
	for i := range vs {
		id, ok := ids[vs[i].Number]
		if !ok {
			continue
		}
		delete(ids, vs[i].Number) // a number twice in one chunk: the first one was added
		for _, iban := range vs[i].ibans {
			xIBAN, xID = append(xIBAN, iban), append(xID, id)
		}
	}
	if len(xIBAN) == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO invoice_ibans (iban, invoice_id) SELECT * FROM unnest(?::text[], ?::bigint[])
		ON CONFLICT (iban, invoice_id) DO NOTHING`, xIBAN, xID)
	return err
}
