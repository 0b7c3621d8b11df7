package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/reconcile"
)

// AddCollections registers collections and the batches (PmtInf) they form,
// in one transaction. A collection already in the ledger (same PmtInfId and
// end-to-end id) is skipped, so adding the same pain.008 twice changes
// nothing. next returns io.EOF after the last collection. Both databases
// check, count and form the batches here; they differ only in how a chunk
// of rows goes in (putCollections).
func (l *DB) AddCollections(ctx context.Context, source string, next func() (*reconcile.Collection, error)) (AddResult, error) {
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
	chunk := make([]newCollection, 0, bulkChunk)
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
		amt, err := l.d.money(c.Amount, c.Currency)
		if err != nil {
			return res, fmt.Errorf("collection %q: %w", c.EndToEndID, err)
		}
		b := batches[c.PmtInfID]
		if b == nil {
			b = &agg{currency: c.Currency, date: dateText(c.CollectionDate)}
			batches[c.PmtInfID] = b
		}
		b.count++
		b.total = b.total.Add(c.Amount)
		if chunk = append(chunk, newCollection{*c, amt}); len(chunk) == bulkChunk {
			if err := l.putCollections(ctx, tx, chunk, &res); err != nil {
				return res, err
			}
			chunk = chunk[:0]
		}
	}
	if err := l.putCollections(ctx, tx, chunk, &res); err != nil {
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
		total, err := l.d.money(b.total, b.currency)
		if err != nil {
			return res, fmt.Errorf("batch %q: %w", id, err)
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO batches (pmtinf_id, nb_of_txs, total, total_cents, currency, collection_date, status, source)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pmtinf_id) DO NOTHING`,
			id, b.count, total, tc, b.currency, b.date, string(reconcile.StatusOpen), source)
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

// newCollection is a collection AddCollections checked, with its amount as
// the database stores it.
type newCollection struct {
	reconcile.Collection
	amount any
}

// putCollections writes a chunk of collections and counts them in res: on
// PostgreSQL in one statement (bulkitems.go), on SQLite one INSERT each.
func (l *DB) putCollections(ctx context.Context, tx *tx, cs []newCollection, res *AddResult) error {
	if len(cs) == 0 {
		return nil
	}
	if l.d.postgres {
		return putCollectionsBulk(ctx, tx, cs, res)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO collections (end_to_end_id, mandate_id, pmtinf_id, amount, currency, collection_date,
		debtor_name, debtor_iban, creditor_id, remittance, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (pmtinf_id, end_to_end_id) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for i := range cs {
		c := &cs[i]
		r, err := ins.ExecContext(ctx, c.EndToEndID, c.MandateID, c.PmtInfID, c.amount, c.Currency, dateText(c.CollectionDate),
			c.DebtorName, reconcile.NormIBAN(c.DebtorIBAN), c.CreditorID, c.Remittance, string(reconcile.StatusOpen))
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			res.Skipped++
		} else {
			res.Added++
		}
	}
	return nil
}

// AddInvoices registers invoices as open items in one transaction. An
// invoice whose number is already in the ledger is skipped. Open defaults to
// Amount; the reference is normalised (RF electronic form, OGM digits).
func (l *DB) AddInvoices(ctx context.Context, source string, next func() (*reconcile.Invoice, error)) (AddResult, error) {
	var res AddResult
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	chunk := make([]newInvoice, 0, bulkChunk)
	for {
		v, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
		ni, err := l.invoiceItem(v)
		if err != nil {
			return res, err
		}
		if chunk = append(chunk, ni); len(chunk) == bulkChunk {
			if err := l.putInvoices(ctx, tx, source, chunk, &res); err != nil {
				return res, err
			}
			chunk = chunk[:0]
		}
	}
	if err := l.putInvoices(ctx, tx, source, chunk, &res); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, err
	}
	return res, l.analyzeAfter(ctx, res.Added, "invoices", "invoice_ibans")
}

// putInvoices writes a chunk of invoices and their customers' IBANs and
// counts them in res: on PostgreSQL in two statements (bulkitems.go), on
// SQLite one INSERT each.
func (l *DB) putInvoices(ctx context.Context, tx *tx, source string, vs []newInvoice, res *AddResult) error {
	if len(vs) == 0 {
		return nil
	}
	if l.d.postgres {
		return putInvoicesBulk(ctx, tx, source, vs, res)
	}
	ins, err := tx.prepareInsert(ctx, `INSERT INTO invoices (number, number_key, customer_number, customer_name, reference, amount,
		open_amount, currency, issue_date, due_date, status, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (number) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	insIBAN, err := tx.PrepareContext(ctx, `INSERT INTO invoice_ibans (iban, invoice_id) VALUES (?, ?) ON CONFLICT (iban, invoice_id) DO NOTHING`)
	if err != nil {
		return err
	}
	defer insIBAN.Close()
	for i := range vs {
		v := &vs[i]
		id, added, err := ins.insert(ctx, v.Number, reconcile.NumberKey(v.Number), v.CustomerNumber, v.CustomerName, v.ref, v.amount,
			v.open, v.Currency, dateText(v.IssueDate), dateText(v.DueDate), string(v.status), source)
		if err != nil {
			return err
		}
		if !added {
			res.Skipped++ // the number is in the ledger already
			continue
		}
		res.Added++
		for _, iban := range v.ibans {
			if _, err := insIBAN.ExecContext(ctx, iban, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// txStore is reconcile.Store on one open transaction: lookups see the
// changes applied before them.
type txStore struct {
	ctx                                             context.Context
	tx                                              *tx
	byE2E, batchByID, batchesByTotal, byRef, byIBAN *stmt
	updColl, updInv, updBatch, collectBatch         *stmt
	byKeys                                          map[int]*stmt
	requestsByKeys                                  map[int]*stmt
	requests                                        bool             // some payment request is open or paid
	now                                             string           // when a payout books a request
	invCcy                                          map[int64]string // currencies of the invoices read, for their updates (see entryDone)
}

// The lookups read only the columns the engine decides on: every column
// read costs a C-to-Go string copy, a million times over.
const collCols = `id, end_to_end_id, mandate_id, pmtinf_id, amount, currency, collection_date, debtor_name, status`
const invCols = `i.id, i.number, i.customer_name, i.amount, i.open_amount, i.currency, i.due_date, i.status`
const batchCols = `id, pmtinf_id, nb_of_txs, total, currency, collection_date, status`

func newTxStore(ctx context.Context, tx *tx, now string) (*txStore, error) {
	s := &txStore{ctx: ctx, tx: tx, byKeys: map[int]*stmt{}, requestsByKeys: map[int]*stmt{}, now: now, invCcy: map[int64]string{}}
	// A ledger without payment requests spends no lookup on credit lines.
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM payment_requests WHERE status IN (?, ?, ?))`,
		RequestPending, RequestOpen, RequestPaid).Scan(&s.requests); err != nil {
		return nil, err
	}
	// On PostgreSQL (a chunk a payout may book) the items read are locked:
	// what the engine decides on is what it writes back.
	lock, lockI := tx.d.forUpdate(""), tx.d.forUpdate("i")
	for _, p := range []struct {
		dst **stmt
		sql string
	}{
		{&s.byE2E, `SELECT ` + collCols + ` FROM collections WHERE end_to_end_id = ? ORDER BY id` + lock},
		{&s.batchByID, `SELECT ` + batchCols + ` FROM batches WHERE pmtinf_id = ?` + lock},
		{&s.batchesByTotal, `SELECT ` + batchCols + ` FROM batches WHERE total_cents = ? AND (? = 0 OR nb_of_txs = ?) AND (? = '' OR currency = ?) ORDER BY id` + lock},
		{&s.byRef, `SELECT ` + invCols + ` FROM invoices i WHERE i.reference = ? ORDER BY i.id` + lockI},
		{&s.byIBAN, `SELECT ` + invCols + ` FROM invoice_ibans x JOIN invoices i ON i.id = x.invoice_id WHERE x.iban = ? ORDER BY i.id` + lockI},
		{&s.updColl, `UPDATE collections SET status = ?, return_reason = ?, return_text = ? WHERE id = ?`},
		{&s.updInv, `UPDATE invoices SET status = ?, open_amount = ? WHERE id = ?`},
		{&s.updBatch, `UPDATE batches SET status = ? WHERE id = ?`},
		{&s.collectBatch, `UPDATE collections SET status = ? WHERE pmtinf_id = ? AND status = ?`},
	} {
		st, err := tx.PrepareContext(ctx, p.sql)
		if err != nil {
			s.close()
			return nil, err
		}
		*p.dst = st
	}
	return s, nil
}

// entryDone tells the store that the engine decided an entry: its changes
// are applied, so the currencies of the invoices read for it are needed no
// more. They are forgotten now and then, not kept for every invoice of a
// million-line import (about 40 MiB of heap).
func (s *txStore) entryDone() {
	if len(s.invCcy) >= 1024 {
		clear(s.invCcy)
	}
}

func (s *txStore) close() {
	for _, st := range []*stmt{s.byE2E, s.batchByID, s.batchesByTotal, s.byRef, s.byIBAN, s.updColl, s.updInv, s.updBatch, s.collectBatch} {
		if st != nil {
			st.Close()
		}
	}
	for _, st := range s.byKeys {
		st.Close()
	}
	for _, st := range s.requestsByKeys {
		st.Close()
	}
}

// PaymentRequestsByKey implements reconcile.Store: requests pending, open
// or paid, with what their item has open now. A pending one is a request
// whose run was killed before it recorded the provider's answer: its
// payout proves it reached the provider, and is booked against it.
func (s *txStore) PaymentRequestsByKey(keys []string) ([]reconcile.PaymentRequest, error) {
	if !s.requests || len(keys) == 0 {
		return nil, nil
	}
	n := len(keys)
	st := s.requestsByKeys[n]
	if st == nil {
		q := `SELECT p.id, p.provider, p.external_id, p.item_kind, p.item_id, p.item_key, p.amount, p.currency, p.status, p.settled,
			CASE p.item_kind WHEN 'invoice' THEN (SELECT open_amount FROM invoices WHERE id = p.item_id)
			ELSE (SELECT CASE status WHEN 'returned' THEN amount ELSE 0 END FROM collections WHERE id = p.item_id) END
			FROM payment_requests p WHERE p.item_key_norm IN (?` + repeat(",?", n-1) + `) AND p.status IN ('pending', 'open', 'paid') ORDER BY p.id`
		var err error
		if st, err = s.tx.PrepareContext(s.ctx, q); err != nil {
			return nil, err
		}
		s.requestsByKeys[n] = st
	}
	args := make([]any, n)
	for i, k := range keys {
		args[i] = k
	}
	rows, err := st.QueryContext(s.ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []reconcile.PaymentRequest
	for rows.Next() {
		var pr reconcile.PaymentRequest
		var kind, status string
		var amt, open moneyCol
		if err := rows.Scan(&pr.ID, &pr.Provider, &pr.ExternalID, &kind, &pr.ItemID, &pr.ItemKey, &amt, &pr.Currency, &status, &pr.Settled, &open); err != nil {
			return nil, err
		}
		pr.ItemKind, pr.Booked = reconcile.ChangeKind(kind), status == RequestPaid
		if pr.Amount, err = amt.dec(pr.Currency); err != nil {
			return nil, err
		}
		if pr.ItemOpen, err = open.dec(pr.Currency); err != nil {
			return nil, err
		}
		out = append(out, pr)
	}
	return out, rows.Err()
}

func (s *txStore) CollectionsByEndToEnd(e2e string) ([]reconcile.Collection, error) {
	rows, err := s.byE2E.QueryContext(s.ctx, e2e)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []reconcile.Collection
	for rows.Next() {
		var c reconcile.Collection
		var st string
		var amt moneyCol
		var date, name sql.NullString
		if err := rows.Scan(&c.ID, &c.EndToEndID, &c.MandateID, &c.PmtInfID, &amt, &c.Currency, &date, &name, &st); err != nil {
			return nil, err
		}
		if c.Amount, err = amt.dec(c.Currency); err != nil {
			return nil, err
		}
		c.CollectionDate = parseDate(date)
		c.DebtorName, c.Status = name.String, reconcile.Status(st)
		out = append(out, c)
	}
	return out, rows.Err()
}

func scanBatches(rows *rows) ([]reconcile.Batch, error) {
	defer rows.Close()
	var out []reconcile.Batch
	for rows.Next() {
		var b reconcile.Batch
		var st string
		var total moneyCol
		var date sql.NullString
		if err := rows.Scan(&b.ID, &b.PmtInfID, &b.Count, &total, &b.Currency, &date, &st); err != nil {
			return nil, err
		}
		var err error
		if b.Total, err = total.dec(b.Currency); err != nil {
			return nil, err
		}
		b.Date, b.Status = parseDate(date), reconcile.Status(st)
		out = append(out, b)
	}
	return out, rows.Err()
}

func (s *txStore) BatchByID(id string) (*reconcile.Batch, error) {
	rows, err := s.batchByID.QueryContext(s.ctx, id)
	if err != nil {
		return nil, err
	}
	bs, err := scanBatches(rows)
	if err != nil || len(bs) == 0 {
		return nil, err
	}
	return &bs[0], nil
}

func (s *txStore) BatchesByTotal(count int, total decimal.Decimal, ccy string) ([]reconcile.Batch, error) {
	c := total.Shift(2)
	if !c.IsInteger() || total.Sign() <= 0 {
		return nil, nil
	}
	rows, err := s.batchesByTotal.QueryContext(s.ctx, c.IntPart(), count, count, ccy, ccy)
	if err != nil {
		return nil, err
	}
	return scanBatches(rows)
}

func (s *txStore) scanInvoices(rows *rows, openOnly bool) ([]reconcile.Invoice, error) {
	defer rows.Close()
	var out []reconcile.Invoice
	for rows.Next() {
		var v reconcile.Invoice
		var st string
		var amt, open moneyCol
		var cname, due sql.NullString
		if err := rows.Scan(&v.ID, &v.Number, &cname, &amt, &open, &v.Currency, &due, &st); err != nil {
			return nil, err
		}
		s.invCcy[v.ID] = v.Currency
		var err error
		if v.Amount, err = amt.dec(v.Currency); err != nil {
			return nil, err
		}
		if v.Open, err = open.dec(v.Currency); err != nil {
			return nil, err
		}
		if openOnly && v.Open.Sign() <= 0 {
			continue
		}
		v.CustomerName = cname.String
		v.DueDate, v.Status = parseDate(due), reconcile.Status(st)
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *txStore) InvoicesByReference(ref string) ([]reconcile.Invoice, error) {
	rows, err := s.byRef.QueryContext(s.ctx, ref)
	if err != nil {
		return nil, err
	}
	return s.scanInvoices(rows, false)
}

func (s *txStore) InvoicesByIBAN(iban string) ([]reconcile.Invoice, error) {
	rows, err := s.byIBAN.QueryContext(s.ctx, iban)
	if err != nil {
		return nil, err
	}
	return s.scanInvoices(rows, true)
}

// keyChunk is how many number keys one IN (...) query takes; a statement is
// prepared once per chunk size.
const keyChunk = 32

func (s *txStore) InvoicesByNumberKey(keys []string) ([]reconcile.Invoice, error) {
	var out []reconcile.Invoice
	seen := map[int64]bool{}
	for len(keys) > 0 {
		n := min(len(keys), keyChunk)
		st := s.byKeys[n]
		if st == nil {
			q := `SELECT ` + invCols + ` FROM invoices i WHERE i.number_key IN (?` + repeat(",?", n-1) + `) ORDER BY i.id` + s.tx.d.forUpdate("i")
			var err error
			if st, err = s.tx.PrepareContext(s.ctx, q); err != nil {
				return nil, err
			}
			s.byKeys[n] = st
		}
		args := make([]any, n)
		for i := range args {
			args[i] = keys[i]
		}
		rows, err := st.QueryContext(s.ctx, args...)
		if err != nil {
			return nil, err
		}
		vs, err := s.scanInvoices(rows, false)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if !seen[v.ID] {
				seen[v.ID] = true
				out = append(out, v)
			}
		}
		keys = keys[n:]
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

func (s *txStore) Apply(changes []reconcile.Change) error {
	for _, c := range changes {
		var err error
		switch c.Kind {
		case reconcile.ChangeCollection:
			_, err = s.updColl.ExecContext(s.ctx, string(c.Status), nullStr(c.ReturnReason), nullStr(c.ReturnText), c.ID)
		case reconcile.ChangeInvoice:
			var open any
			if open, err = s.tx.d.money(c.Open, s.invCcy[c.ID]); err == nil {
				_, err = s.updInv.ExecContext(s.ctx, string(c.Status), open, c.ID)
			}
		case reconcile.ChangePaymentRequest:
			// Book it first when the provider has not reported it paid yet;
			// a request booked already is only marked settled.
			_, err = bookRequest(s.ctx, s.tx, c.ID, Payment{Payer: "payout seen on a bank statement"}, s.now)
			if errors.Is(err, ErrNotOpen) {
				err = nil
			}
			if err == nil {
				_, err = s.tx.ExecContext(s.ctx, `UPDATE payment_requests SET settled = 1 WHERE id = ?`, c.ID)
			}
		case reconcile.ChangeBatch:
			if _, err = s.updBatch.ExecContext(s.ctx, string(c.Status), c.ID); err == nil && c.Status == reconcile.StatusCollected {
				_, err = s.collectBatch.ExecContext(s.ctx, string(reconcile.StatusCollected), c.Key, string(reconcile.StatusOpen))
			}
		default:
			err = fmt.Errorf("ledger: unknown change kind %q", c.Kind)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// newInvoice is an invoice AddInvoices checked, with what both databases
// store of it.
type newInvoice struct {
	reconcile.Invoice
	amount, open any              // as the database stores money
	status       reconcile.Status // open unless given
	ref          string           // the structured reference, normalised
	ibans        []string         // the customer's IBANs, normalised
}

// invoiceItem checks an invoice to add: its open remainder is the whole
// amount for a new one.
func (l *DB) invoiceItem(v *reconcile.Invoice) (newInvoice, error) {
	ni := newInvoice{Invoice: *v, status: v.Status}
	if v.Number == "" {
		return ni, fmt.Errorf("invoice without number")
	}
	if _, err := cents(v.Amount); err != nil {
		return ni, fmt.Errorf("invoice %q: %w", v.Number, err)
	}
	open := v.Open
	if open.IsZero() && v.Status == "" {
		open = v.Amount
	}
	if ni.status == "" {
		ni.status = reconcile.StatusOpen
	}
	if v.Reference != "" {
		ni.ref = reconcile.NormalizeReference(v.Reference)
	}
	for _, iban := range v.CustomerIBANs {
		if iban = reconcile.NormIBAN(iban); iban != "" {
			ni.ibans = append(ni.ibans, iban)
		}
	}
	var err error
	if ni.amount, err = l.d.money(v.Amount, v.Currency); err != nil {
		return ni, fmt.Errorf("invoice %q: %w", v.Number, err)
	}
	if ni.open, err = l.d.money(open, v.Currency); err != nil {
		return ni, fmt.Errorf("invoice %q: open %w", v.Number, err)
	}
	return ni, nil
}
