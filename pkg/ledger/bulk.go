package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// The PostgreSQL import is set-based: it reads bulkChunk entries, then
// does for all of them at once what the SQLite import does line by line.
// A chunk costs about a dozen statements whatever its size:
//
//  1. the detail identities of its batch bookings, looked up in one query;
//  2. its lines, inserted in one INSERT ... SELECT FROM unnest(...) ON
//     CONFLICT (identity) DO NOTHING RETURNING: a line not returned was
//     booked from another file (a duplicate);
//  3. the detail identities of its new batch bookings, in one INSERT;
//  4. the open items its lines could touch: the engine runs once over an
//     empty recorder, which notes every key a line can be looked up by
//     (every rule is tried when nothing matches), and the items carrying
//     those keys are read in one query per kind (= ANY of an array);
//  5. the engine, on those items in memory (chunkStore), each line seeing
//     the changes of the lines before it;
//  6. the items it changed, locked in id order (SELECT ... FOR UPDATE) and
//     compared with what was read in 4: when another worker changed one
//     meanwhile, steps 4-6 run again on what is there now, under the lock;
//  7. the changes, one UPDATE ... FROM unnest(...) per kind, and the
//     matches, one INSERT.
//
// So no update is lost, no lock is held on an item the import does not
// change, and files of different accounts, touching different items, never
// wait on each other. A line a payment request's payout could be (the
// ledger has open or paid requests named by its remittance) makes its
// chunk run on the line-by-line store instead, under row locks.
const bulkChunk = 5000

// The statements of the PostgreSQL import, named so that a test can
// EXPLAIN each of them on a loaded ledger.
const (
	sqlDetailsKnown     = `SELECT identity, file_id FROM statement_details WHERE identity = ANY(?::bytea[])`
	sqlMyDetails        = `SELECT COUNT(*) FROM statement_details WHERE identity = ANY(?::bytea[]) AND file_id = ?`
	sqlRequestsByKeys   = `SELECT COUNT(*) FROM payment_requests WHERE item_key_norm = ANY(?::text[]) AND status IN (?, ?, ?)`
	sqlCollectionsByE2E = `SELECT ` + collCols + ` FROM collections WHERE end_to_end_id = ANY(?::text[])`
	sqlBatchesByKeys    = `SELECT ` + batchCols + `, total_cents FROM batches WHERE pmtinf_id = ANY(?::text[]) OR total_cents = ANY(?::bigint[])`
	sqlLockInvoices     = `SELECT id, status, open_amount FROM invoices WHERE id = ANY(?::bigint[]) ORDER BY id FOR UPDATE`
	sqlLockCollections  = `SELECT id, status FROM collections WHERE id = ANY(?::bigint[]) ORDER BY id FOR UPDATE`
	sqlLockBatches      = `SELECT id, status FROM batches WHERE id = ANY(?::bigint[]) ORDER BY id FOR UPDATE`
	sqlUpdateBatches    = `UPDATE batches b SET status = v.status FROM unnest(?::bigint[], ?::text[]) AS v(id, status) WHERE b.id = v.id`
	sqlCollectBatches   = `UPDATE collections SET status = ? WHERE pmtinf_id = ANY(?::text[]) AND status = ?`
	sqlInsertLines      = `INSERT INTO statement_lines (identity, file_id, account, statement_id, entry_ref, entry_seq,
		occurrence, booking_date, amount, currency, reversal, info)
		SELECT v.identity, ?, v.account, v.statement_id, v.entry_ref, v.entry_seq, v.occurrence, NULLIF(v.booking_date, ''), v.amount::numeric,
			v.currency, v.reversal, NULLIF(v.info, '')
		FROM unnest(?::bytea[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[])
			AS v(identity, account, statement_id, entry_ref, entry_seq, occurrence, booking_date, amount, currency, reversal, info)
		ON CONFLICT (identity) DO NOTHING RETURNING identity, id`
	sqlInsertDetails = `INSERT INTO statement_details (identity, file_id, line_id)
		SELECT v.identity, ?, v.line_id FROM unnest(?::bytea[], ?::bigint[]) AS v(identity, line_id)
		WHERE NOT EXISTS (SELECT 1 FROM statement_details d WHERE d.identity = v.identity AND d.file_id = ?)
		ON CONFLICT (identity) DO NOTHING`
	sqlInvoicesByKeys = `SELECT ` + invCols + `, i.reference, i.number_key FROM invoices i
			WHERE i.reference = ANY(?::text[]) OR i.number_key = ANY(?::text[])`
	sqlInvoicesByIBANs = `SELECT ` + invCols + `, i.reference, i.number_key, x.iban FROM invoice_ibans x JOIN invoices i ON i.id = x.invoice_id
			WHERE x.iban = ANY(?::text[])`
	sqlUpdateInvoices = `UPDATE invoices i SET status = v.status, open_amount = v.open::numeric
			FROM unnest(?::bigint[], ?::text[], ?::text[]) AS v(id, status, open) WHERE i.id = v.id`
	sqlUpdateCollections = `UPDATE collections c SET status = v.status, return_reason = NULLIF(v.rr, ''), return_text = NULLIF(v.rt, '')
			FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[]) AS v(id, status, rr, rt) WHERE c.id = v.id`
	sqlInsertMatches = `INSERT INTO matches (line_id, detail, outcome, rule, item_kind, item_id, item_key, amount, applied, currency, candidates, return_reason, evidence)
		SELECT v.line_id, v.detail, v.outcome, NULLIF(v.rule, ''), CASE WHEN v.item_set THEN v.item_kind END, CASE WHEN v.item_set THEN v.item_id END,
			CASE WHEN v.item_set THEN v.item_key END, v.amount::numeric, CASE WHEN v.item_set THEN v.applied::numeric END, v.ccy,
			NULLIF(v.cands, ''), NULLIF(v.rr, ''), v.evidence
		FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bool[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
			WITH ORDINALITY AS v(line_id, detail, outcome, rule, item_kind, item_id, item_set, item_key, amount, applied, ccy, cands, rr, evidence, n)
		ORDER BY v.n`
)

// sqlIndexPlans makes the import's statements probe indexes key by key
// (set for its transaction only). A chunk asks for a few thousand keys; on
// a table of some 100,000 rows, cached, the planner's costs prefer reading
// the table whole to a few thousand index probes, and it would do so for
// every chunk: time quadratic in the lines. Index probes cost the same
// whatever the table's size: time linear in the lines.
const sqlIndexPlans = `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true),
	set_config('enable_mergejoin', 'off', true)`

// bulkRetries is how often a chunk is decided again because another worker
// changed one of its items between the read and the lock.
const bulkRetries = 8

// ErrConcurrent is returned (wrapped) when an import met another import
// booking the same transactions at the same moment; nothing was written,
// and importing the file again is safe.
var ErrConcurrent = errors.New("another import booked the same transactions at the same time: nothing was written; import the file again")

// concurrent marks a deadlock PostgreSQL broke by failing this import
// (SQLSTATE 40P01: two imports paying the same items in opposite orders,
// across chunks) as ErrConcurrent: nothing was written, the file can be
// imported again.
func concurrent(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001") {
		return fmt.Errorf("ledger: %w (%s)", ErrConcurrent, pe.Message)
	}
	return err
}

// bulkEntry is an entry of the chunk being imported.
type bulkEntry struct {
	e      *statement.Entry
	id     []byte   // LineIdentity
	occ    int      // occurrence of its content in the file
	dids   [][]byte // DetailIdentity of each transaction of a batch booking
	dup    bool
	lineID int64
	rr     *reconcile.Result
}

type bulkImport struct {
	ctx      context.Context
	l        *DB
	tx       *tx
	fileID   int64
	opt      ImportOptions
	res      *ImportResult
	requests bool // some payment request is open or paid
	now      string
	name     string // the file's, for the test hook
}

// importBulk reads r and books its entries on PostgreSQL, a chunk at a
// time (see bulkChunk).
func (l *DB) importBulk(ctx context.Context, t *tx, fileID int64, f File, r statement.Reader, opt ImportOptions, res *ImportResult) error {
	b := &bulkImport{ctx: ctx, l: l, tx: t, fileID: fileID, opt: opt, res: res, now: l.stamp(), name: f.Name}
	if _, err := t.ExecContext(ctx, sqlIndexPlans); err != nil {
		return err
	}
	if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM payment_requests WHERE status IN (?, ?, ?))`,
		RequestPending, RequestOpen, RequestPaid).Scan(&b.requests); err != nil {
		return err
	}
	entries := newBookable(r, f, res)
	buf := make([]*bulkEntry, 0, bulkChunk)
	for {
		e, ch, n, err := entries.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		be := &bulkEntry{e: e, occ: n, id: identityBytes(ch, n)}
		if isBatch(e) {
			be.dids = make([][]byte, len(e.Details))
			for i := range e.Details {
				be.dids[i] = DetailIdentity(e, &e.Details[i])
			}
		}
		buf = append(buf, be)
		if len(buf) == bulkChunk {
			if err := b.chunk(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		return b.chunk(buf)
	}
	return nil
}

func (b *bulkImport) chunk(es []*bulkEntry) error {
	if err := b.dedupe(es); err != nil {
		return err
	}
	var live []*bulkEntry
	for _, be := range es {
		if !be.dup {
			live = append(live, be)
		}
	}
	if len(live) > 0 {
		if err := b.reconcile(live); err != nil {
			return err
		}
	}
	var mw bulkMatches
	for _, be := range es {
		if be.dup {
			b.res.Duplicates++
			b.res.DuplicateTotal.Add(be.e.Amount, be.e.Currency)
			if b.opt.OnResult != nil {
				if err := b.opt.OnResult(&reconcile.Result{Entry: be.e}, true); err != nil {
					return err
				}
			}
			continue
		}
		b.res.Summary.Add(be.rr)
		for _, ln := range be.rr.Lines {
			mw.add(be.lineID, ln)
		}
		if b.opt.OnResult != nil {
			if err := b.opt.OnResult(be.rr, false); err != nil {
				return err
			}
		}
	}
	return mw.write(b.ctx, b.tx)
}

// dedupe marks the entries booked already from another file (by their
// detail identities or their line identity) and inserts the lines of the
// others, setting their lineID.
func (b *bulkImport) dedupe(es []*bulkEntry) error {
	// Detail identities seen before: booked from another file, or from this
	// one (two bookings of the same transactions in one file are two).
	var dids [][]byte
	for _, be := range es {
		dids = append(dids, be.dids...)
	}
	known := map[[16]byte]bool{} // by another file
	if len(dids) > 0 {
		rows, err := b.tx.QueryContext(b.ctx, sqlDetailsKnown, dids)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id []byte
			var f int64
			if err := rows.Scan(&id, &f); err != nil {
				rows.Close()
				return err
			}
			if f != b.fileID {
				known[[16]byte(id)] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	var lines lineCols
	for _, be := range es {
		if len(be.dids) > 0 {
			all := true
			for _, id := range be.dids {
				all = all && known[[16]byte(id)]
			}
			if all {
				be.dup = true
				continue
			}
		}
		lines.add(be, b.fileID)
	}
	if len(lines.identity) == 0 {
		return nil
	}
	rows, err := b.tx.QueryContext(b.ctx, sqlInsertLines,
		b.fileID, lines.identity, lines.account, lines.statementID, lines.entryRef, lines.entrySeq, lines.occurrence, lines.bookingDate,
		lines.amount, lines.currency, lines.reversal, lines.info)
	if err != nil {
		return err
	}
	ids := make(map[[16]byte]int64, len(lines.identity))
	for rows.Next() {
		var id []byte
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return err
		}
		ids[[16]byte(id)] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var newDIDs [][]byte
	var newLines []int64
	seen := map[[16]byte]bool{}
	for _, be := range es {
		if be.dup {
			continue
		}
		n, ok := ids[[16]byte(be.id)]
		if !ok {
			be.dup = true // a line with this identity is booked already
			continue
		}
		be.lineID = n
		for _, id := range be.dids {
			k := [16]byte(id)
			if !known[k] && !seen[k] {
				seen[k] = true
				newDIDs = append(newDIDs, id)
				newLines = append(newLines, n)
			}
		}
	}
	if len(newDIDs) == 0 {
		return nil
	}
	// The details of this file's earlier chunks are in already and
	// conflict; any other conflict is another import booking the same
	// transactions right now.
	r, err := b.tx.ExecContext(b.ctx, sqlInsertDetails, b.fileID, newDIDs, newLines, b.fileID)
	if err != nil {
		return err
	}
	var mine int
	if err := b.tx.QueryRowContext(b.ctx, sqlMyDetails,
		newDIDs, b.fileID).Scan(&mine); err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); mine != len(newDIDs) {
		return fmt.Errorf("ledger: %d of %d transaction identities taken (%d new): %w", len(newDIDs)-mine, len(newDIDs), n, ErrConcurrent)
	}
	return nil
}

// lineCols are statement_lines rows as column arrays, for unnest.
type lineCols struct {
	identity                                                      [][]byte
	account, statementID, entryRef, bookingDate, amount, currency []string
	info                                                          []string
	entrySeq, occurrence, reversal                                []int64
}

func (c *lineCols) add(be *bulkEntry, fileID int64) {
	e := be.e
	stmtID := ""
	if e.Statement != nil {
		stmtID = e.Statement.ID
	}
	bd := e.BookingDate
	if bd.IsZero() {
		bd = e.ValueDate
	}
	date := ""
	if !bd.IsZero() {
		date = bd.Format("2006-01-02")
	}
	c.identity = append(c.identity, be.id)
	c.account = append(c.account, accountOf(e))
	c.statementID = append(c.statementID, stmtID)
	c.entryRef = append(c.entryRef, e.Ref)
	c.entrySeq = append(c.entrySeq, int64(e.Seq))
	c.occurrence = append(c.occurrence, int64(be.occ))
	c.bookingDate = append(c.bookingDate, date)
	c.amount = append(c.amount, e.Amount.String())
	c.currency = append(c.currency, e.Currency)
	c.reversal = append(c.reversal, int64(boolInt(e.Reversal)))
	c.info = append(c.info, e.Info)
}

// reconcile decides the chunk's new entries (steps 4 to 7).
func (b *bulkImport) reconcile(es []*bulkEntry) error {
	rec := &keyRecorder{}
	dry := reconcile.NewEngine(rec, b.opt.Engine)
	for _, be := range es {
		if _, err := dry.Reconcile(be.e); err != nil {
			return err
		}
	}
	if b.requests && len(rec.requestKeys) > 0 {
		var n int
		if err := b.tx.QueryRowContext(b.ctx, sqlRequestsByKeys,
			keys(rec.requestKeys), RequestPending, RequestOpen, RequestPaid).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return b.reconcileLines(es)
		}
	}
	cs := newChunkStore()
	for attempt := 0; ; attempt++ {
		if err := cs.load(b.ctx, b.tx, rec); err != nil {
			return err
		}
		if b.l.hook != nil {
			b.l.hook(b.name, "read", attempt)
		}
		eng := reconcile.NewEngine(cs, b.opt.Engine)
		for _, be := range es {
			rr, err := eng.Reconcile(be.e)
			if err != nil {
				return err
			}
			be.rr = rr
		}
		ok, err := cs.lock(b.ctx, b.tx)
		if err != nil {
			return err
		}
		if ok {
			return cs.write(b.ctx, b.tx)
		}
		if attempt == bulkRetries {
			return fmt.Errorf("ledger: open items kept changing under the import (%d attempts): %w", attempt+1, ErrConcurrent)
		}
	}
}

// reconcileLines decides the entries one by one on the line-by-line store,
// whose lookups lock what they read: for the chunks where a payout of a
// payment request may book its item.
func (b *bulkImport) reconcileLines(es []*bulkEntry) error {
	store, err := newTxStore(b.ctx, b.tx, b.now)
	if err != nil {
		return err
	}
	defer store.close()
	eng := reconcile.NewEngine(store, b.opt.Engine)
	for _, be := range es {
		if be.rr, err = eng.Reconcile(be.e); err != nil {
			return err
		}
	}
	return nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// keyRecorder is a reconcile.Store without items: it notes every key the
// engine looks up. With nothing found, the engine tries every rule, so the
// keys noted are all those a line can be decided by.
type keyRecorder struct {
	e2e, batchIDs, refs, numberKeys, ibans, requestKeys map[string]bool
	cents                                               map[int64]bool
}

func note(m *map[string]bool, k string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[k] = true
}

func (r *keyRecorder) CollectionsByEndToEnd(e2e string) ([]reconcile.Collection, error) {
	note(&r.e2e, e2e)
	return nil, nil
}

func (r *keyRecorder) BatchByID(id string) (*reconcile.Batch, error) {
	note(&r.batchIDs, id)
	return nil, nil
}

func (r *keyRecorder) BatchesByTotal(count int, total decimal.Decimal, ccy string) ([]reconcile.Batch, error) {
	if c := total.Shift(2); c.IsInteger() && total.Sign() > 0 {
		if r.cents == nil {
			r.cents = map[int64]bool{}
		}
		r.cents[c.IntPart()] = true
	}
	return nil, nil
}

func (r *keyRecorder) InvoicesByReference(ref string) ([]reconcile.Invoice, error) {
	note(&r.refs, ref)
	return nil, nil
}

func (r *keyRecorder) InvoicesByNumberKey(ks []string) ([]reconcile.Invoice, error) {
	for _, k := range ks {
		note(&r.numberKeys, k)
	}
	return nil, nil
}

func (r *keyRecorder) InvoicesByIBAN(iban string) ([]reconcile.Invoice, error) {
	note(&r.ibans, iban)
	return nil, nil
}

func (r *keyRecorder) PaymentRequestsByKey(ks []string) ([]reconcile.PaymentRequest, error) {
	for _, k := range ks {
		note(&r.requestKeys, k)
	}
	return nil, nil
}

func (r *keyRecorder) Apply([]reconcile.Change) error { return nil }

// chunkStore is reconcile.Store on the items one chunk can touch, read
// ahead in a few queries; changes stay in memory until write.
type chunkStore struct {
	colls   map[int64]*reconcile.Collection
	byE2E   map[string][]int64
	batches map[int64]*reconcile.Batch
	byPmt   map[string]int64
	byCents map[int64][]int64
	invs    map[int64]*reconcile.Invoice
	byRef   map[string][]int64
	byKey   map[string][]int64
	byIBAN  map[string][]int64

	// what was read, for the comparison under the lock
	collWas  map[int64]string
	batchWas map[int64]string
	invWas   map[int64][2]string // status, open_amount

	// what changed
	collSet  map[int64]reconcile.Change
	batchSet map[int64]string
	invSet   map[int64]bool
	collect  map[string]bool // PmtInfIds collected: their open collections too
}

func newChunkStore() *chunkStore { return &chunkStore{} }

func (s *chunkStore) reset() {
	*s = chunkStore{
		colls: map[int64]*reconcile.Collection{}, byE2E: map[string][]int64{},
		batches: map[int64]*reconcile.Batch{}, byPmt: map[string]int64{}, byCents: map[int64][]int64{},
		invs: map[int64]*reconcile.Invoice{}, byRef: map[string][]int64{}, byKey: map[string][]int64{}, byIBAN: map[string][]int64{},
		collWas: map[int64]string{}, batchWas: map[int64]string{}, invWas: map[int64][2]string{},
		collSet: map[int64]reconcile.Change{}, batchSet: map[int64]string{}, invSet: map[int64]bool{}, collect: map[string]bool{},
	}
}

// load reads the items carrying the keys rec noted.
func (s *chunkStore) load(ctx context.Context, t *tx, rec *keyRecorder) error {
	s.reset()
	if len(rec.e2e) > 0 {
		rows, err := t.QueryContext(ctx, sqlCollectionsByE2E, keys(rec.e2e))
		if err != nil {
			return err
		}
		if err := scanEach(rows, func() error {
			var c reconcile.Collection
			var amt, st string
			var date, name sql.NullString
			if err := rows.Scan(&c.ID, &c.EndToEndID, &c.MandateID, &c.PmtInfID, &amt, &c.Currency, &date, &name, &st); err != nil {
				return err
			}
			var err error
			if c.Amount, err = parseMoney(amt); err != nil {
				return err
			}
			c.CollectionDate = parseDate(date)
			c.DebtorName, c.Status = name.String, reconcile.Status(st)
			s.colls[c.ID] = &c
			s.byE2E[c.EndToEndID] = append(s.byE2E[c.EndToEndID], c.ID)
			s.collWas[c.ID] = st
			return nil
		}); err != nil {
			return err
		}
	}
	if len(rec.batchIDs) > 0 || len(rec.cents) > 0 {
		cents := make([]int64, 0, len(rec.cents))
		for c := range rec.cents {
			cents = append(cents, c)
		}
		rows, err := t.QueryContext(ctx, sqlBatchesByKeys,
			keys(rec.batchIDs), cents)
		if err != nil {
			return err
		}
		if err := scanEach(rows, func() error {
			var x reconcile.Batch
			var total, st string
			var date sql.NullString
			var c int64
			if err := rows.Scan(&x.ID, &x.PmtInfID, &x.Count, &total, &x.Currency, &date, &st, &c); err != nil {
				return err
			}
			var err error
			if x.Total, err = parseMoney(total); err != nil {
				return err
			}
			x.Date, x.Status = parseDate(date), reconcile.Status(st)
			s.batches[x.ID] = &x
			s.byPmt[x.PmtInfID] = x.ID
			s.byCents[c] = append(s.byCents[c], x.ID)
			s.batchWas[x.ID] = st
			return nil
		}); err != nil {
			return err
		}
	}
	invoice := func(rows *sql.Rows, extra ...any) (*reconcile.Invoice, string, string, error) {
		var v reconcile.Invoice
		var amt, open, st, ref, key string
		var cname, due sql.NullString
		if err := rows.Scan(append([]any{&v.ID, &v.Number, &cname, &amt, &open, &v.Currency, &due, &st, &ref, &key}, extra...)...); err != nil {
			return nil, "", "", err
		}
		if got := s.invs[v.ID]; got != nil {
			return got, ref, key, nil
		}
		var err error
		if v.Amount, err = parseMoney(amt); err != nil {
			return nil, "", "", err
		}
		if v.Open, err = parseMoney(open); err != nil {
			return nil, "", "", err
		}
		v.CustomerName = cname.String
		v.DueDate, v.Status = parseDate(due), reconcile.Status(st)
		s.invs[v.ID] = &v
		s.invWas[v.ID] = [2]string{st, open}
		return &v, ref, key, nil
	}
	if len(rec.refs) > 0 || len(rec.numberKeys) > 0 {
		rows, err := t.QueryContext(ctx, sqlInvoicesByKeys, keys(rec.refs), keys(rec.numberKeys))
		if err != nil {
			return err
		}
		if err := scanEach(rows, func() error {
			v, ref, key, err := invoice(rows)
			if err != nil {
				return err
			}
			if rec.refs[ref] {
				s.byRef[ref] = append(s.byRef[ref], v.ID)
			}
			if rec.numberKeys[key] {
				s.byKey[key] = append(s.byKey[key], v.ID)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if len(rec.ibans) > 0 {
		rows, err := t.QueryContext(ctx, sqlInvoicesByIBANs, keys(rec.ibans))
		if err != nil {
			return err
		}
		if err := scanEach(rows, func() error {
			var iban string
			v, _, _, err := invoice(rows, &iban)
			if err != nil {
				return err
			}
			s.byIBAN[iban] = append(s.byIBAN[iban], v.ID)
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

func scanEach(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sortedIDs returns ids in order without repeats.
func sortedIDs(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	n := 0
	for i, id := range out {
		if i == 0 || id != out[n-1] {
			out[n] = id
			n++
		}
	}
	return out[:n]
}

func (s *chunkStore) CollectionsByEndToEnd(e2e string) ([]reconcile.Collection, error) {
	var out []reconcile.Collection
	for _, id := range sortedIDs(s.byE2E[e2e]) {
		out = append(out, *s.colls[id])
	}
	return out, nil
}

func (s *chunkStore) BatchByID(id string) (*reconcile.Batch, error) {
	n, ok := s.byPmt[id]
	if !ok {
		return nil, nil
	}
	x := *s.batches[n]
	return &x, nil
}

func (s *chunkStore) BatchesByTotal(count int, total decimal.Decimal, ccy string) ([]reconcile.Batch, error) {
	c := total.Shift(2)
	if !c.IsInteger() || total.Sign() <= 0 {
		return nil, nil
	}
	var out []reconcile.Batch
	for _, id := range sortedIDs(s.byCents[c.IntPart()]) {
		x := s.batches[id]
		if (count == 0 || x.Count == count) && (ccy == "" || x.Currency == ccy) {
			out = append(out, *x)
		}
	}
	return out, nil
}

func (s *chunkStore) invoices(ids []int64, openOnly bool) []reconcile.Invoice {
	var out []reconcile.Invoice
	for _, id := range sortedIDs(ids) {
		v := s.invs[id]
		if openOnly && v.Open.Sign() <= 0 {
			continue
		}
		out = append(out, *v)
	}
	return out
}

func (s *chunkStore) InvoicesByReference(ref string) ([]reconcile.Invoice, error) {
	return s.invoices(s.byRef[ref], false), nil
}

func (s *chunkStore) InvoicesByNumberKey(ks []string) ([]reconcile.Invoice, error) {
	var ids []int64
	for _, k := range ks {
		ids = append(ids, s.byKey[k]...)
	}
	return s.invoices(ids, false), nil
}

func (s *chunkStore) InvoicesByIBAN(iban string) ([]reconcile.Invoice, error) {
	return s.invoices(s.byIBAN[iban], true), nil
}

// PaymentRequestsByKey finds none: a chunk where a request could be found
// runs on the line-by-line store (see reconcileLines).
func (s *chunkStore) PaymentRequestsByKey([]string) ([]reconcile.PaymentRequest, error) {
	return nil, nil
}

func (s *chunkStore) Apply(changes []reconcile.Change) error {
	for _, c := range changes {
		switch c.Kind {
		case reconcile.ChangeCollection:
			x := s.colls[c.ID]
			if x == nil {
				return fmt.Errorf("ledger: collection %d changed but not read", c.ID)
			}
			x.Status = c.Status
			s.collSet[c.ID] = c
		case reconcile.ChangeInvoice:
			v := s.invs[c.ID]
			if v == nil {
				return fmt.Errorf("ledger: invoice %d changed but not read", c.ID)
			}
			v.Status, v.Open = c.Status, c.Open
			s.invSet[c.ID] = true
		case reconcile.ChangeBatch:
			x := s.batches[c.ID]
			if x == nil {
				return fmt.Errorf("ledger: batch %d changed but not read", c.ID)
			}
			x.Status = c.Status
			s.batchSet[c.ID] = string(c.Status)
			if c.Status == reconcile.StatusCollected {
				s.collect[c.Key] = true
				for _, x := range s.colls {
					if x.PmtInfID == c.Key && x.Status == reconcile.StatusOpen {
						x.Status = reconcile.StatusCollected
					}
				}
			}
		default:
			return fmt.Errorf("ledger: change kind %q in a bulk import", c.Kind)
		}
	}
	return nil
}

// lock locks the items the chunk changes, in id order, and tells whether
// they are still as they were read. A collection whose batch was collected
// is not locked here: the UPDATE that collects it checks its status.
func (s *chunkStore) lock(ctx context.Context, t *tx) (bool, error) {
	check := func(q string, ids []int64, same func(id int64, cur []string) bool, ncols int) (bool, error) {
		if len(ids) == 0 {
			return true, nil
		}
		rows, err := t.QueryContext(ctx, q, sortedIDs(ids))
		if err != nil {
			return false, err
		}
		ok := true
		err = scanEach(rows, func() error {
			var id int64
			cur := make([]string, ncols)
			dst := []any{&id}
			for i := range cur {
				dst = append(dst, &cur[i])
			}
			if err := rows.Scan(dst...); err != nil {
				return err
			}
			ok = ok && same(id, cur)
			return nil
		})
		return ok && err == nil, err
	}
	ids := func(n int, each func(func(int64))) []int64 {
		out := make([]int64, 0, n)
		each(func(id int64) { out = append(out, id) })
		return out
	}
	ok1, err := check(sqlLockInvoices,
		ids(len(s.invSet), func(f func(int64)) {
			for id := range s.invSet {
				f(id)
			}
		}), func(id int64, cur []string) bool { return s.invWas[id] == [2]string{cur[0], cur[1]} }, 2)
	if err != nil {
		return false, err
	}
	ok2, err := check(sqlLockCollections,
		ids(len(s.collSet), func(f func(int64)) {
			for id := range s.collSet {
				f(id)
			}
		}), func(id int64, cur []string) bool { return s.collWas[id] == cur[0] }, 1)
	if err != nil {
		return false, err
	}
	ok3, err := check(sqlLockBatches,
		ids(len(s.batchSet), func(f func(int64)) {
			for id := range s.batchSet {
				f(id)
			}
		}), func(id int64, cur []string) bool { return s.batchWas[id] == cur[0] }, 1)
	return ok1 && ok2 && ok3, err
}

// write stores the changes: each changed item's final state, then the open
// collections of the batches collected.
func (s *chunkStore) write(ctx context.Context, t *tx) error {
	if len(s.invSet) > 0 {
		var ids []int64
		var st, open []string
		for _, id := range sortedIDs(keysOf(s.invSet)) {
			v := s.invs[id]
			ids, st, open = append(ids, id), append(st, string(v.Status)), append(open, v.Open.String())
		}
		if _, err := t.ExecContext(ctx, sqlUpdateInvoices, ids, st, open); err != nil {
			return err
		}
	}
	if len(s.collSet) > 0 {
		var ids []int64
		var st, rr, rt []string
		for _, id := range sortedIDs(keysOf(s.collSet)) {
			c := s.collSet[id]
			ids, st = append(ids, id), append(st, string(s.colls[id].Status))
			rr, rt = append(rr, c.ReturnReason), append(rt, c.ReturnText)
		}
		if _, err := t.ExecContext(ctx, sqlUpdateCollections, ids, st, rr, rt); err != nil {
			return err
		}
	}
	if len(s.batchSet) > 0 {
		var ids []int64
		var st []string
		for _, id := range sortedIDs(keysOf(s.batchSet)) {
			ids, st = append(ids, id), append(st, s.batchSet[id])
		}
		if _, err := t.ExecContext(ctx, sqlUpdateBatches,
			ids, st); err != nil {
			return err
		}
	}
	if len(s.collect) > 0 {
		if _, err := t.ExecContext(ctx, sqlCollectBatches,
			string(reconcile.StatusCollected), keys(s.collect), string(reconcile.StatusOpen)); err != nil {
			return err
		}
	}
	return nil
}

func keysOf[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// bulkMatches are matches rows as column arrays, for one INSERT.
type bulkMatches struct {
	lineID, detail, itemID                                       []int64
	itemSet                                                      []bool
	outcome, rule, itemKind, itemKey, amount, applied, cands, rr []string
	currency, evidence                                           []string
}

func (m *bulkMatches) add(lineID int64, ln reconcile.Line) {
	cands := candidates(ln)
	matchRows(ln, func(it *reconcile.Item) {
		var kind, key, applied string
		var id int64
		if it != nil {
			kind, id, key, applied = string(it.Kind), it.ID, it.Key, it.Applied.String()
		}
		m.lineID, m.detail = append(m.lineID, lineID), append(m.detail, int64(ln.Detail))
		m.itemID, m.itemSet = append(m.itemID, id), append(m.itemSet, it != nil)
		m.outcome, m.rule = append(m.outcome, string(ln.Outcome)), append(m.rule, string(ln.Rule))
		m.itemKind, m.itemKey = append(m.itemKind, kind), append(m.itemKey, key)
		m.amount, m.applied, m.currency = append(m.amount, ln.Amount.String()), append(m.applied, applied), append(m.currency, ln.Currency)
		m.cands, m.rr = append(m.cands, cands), append(m.rr, ln.ReturnReason)
		m.evidence = append(m.evidence, ln.Evidence)
	})
}

func (m *bulkMatches) write(ctx context.Context, t *tx) error {
	if len(m.lineID) == 0 {
		return nil
	}
	_, err := t.ExecContext(ctx, sqlInsertMatches,
		m.lineID, m.detail, m.outcome, m.rule, m.itemKind, m.itemID, m.itemSet, m.itemKey, m.amount, m.applied, m.currency, m.cands, m.rr, m.evidence)
	return err
}
