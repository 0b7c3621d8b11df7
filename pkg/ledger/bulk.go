package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// The PostgreSQL import is set-based: it reads bulkChunk entries, then
// does for all of them at once what the SQLite import does line by line,
// in a few round trips a chunk whatever its size:
//
//  1. one batch of statements: the lock of each account not seen before
//     (see sqlLockAccount), the detail identities of its batch bookings
//     and the identities of its lines booked already (duplicates), as many
//     new line ids, and the open items its lines could touch: when the
//     chunk was read, reconcile.Keys noted every key a line can be looked
//     up by, and the items carrying those keys are read in one query per
//     kind (= ANY of an array);
//  2. its new lines, with one COPY (and the detail identities of its new
//     batch bookings, in one INSERT);
//  3. the engine, on those items in memory (chunkStore), each line seeing
//     the changes of the lines before it;
//  4. the items it changed, one UPDATE ... FROM unnest(...) per kind in
//     one batch, each row on condition that it is as read in 1 (the
//     UPDATE locks it in id order): when another worker changed one
//     meanwhile, the rows updated are set back, the items read again and
//     steps 3-4 run again on what is there now;
//  5. the matches, with one COPY, sent after the next chunk's step 1: the
//     server copies them while the client decides that chunk.
//
// So no update is lost, no lock is held on an item the import does not
// change, and files of different accounts, touching different items, never
// wait on each other. A line a payment request's payout could be (the
// ledger has open or paid requests named by its remittance) makes its
// chunk run on the line-by-line store instead, under row locks.
//
// Reading the file, hashing its entries and noting their keys runs in a
// goroutine of its own, a chunk ahead (prepare): while the server works on
// chunk N, the client reads chunk N+1.
const bulkChunk = 5000

// The statements of the PostgreSQL import, named so that a test can
// EXPLAIN each of them on a loaded ledger.
const (
	sqlDetailsKnown     = `SELECT identity, file_id FROM statement_details WHERE identity = ANY(?::bytea[])`
	sqlMyDetails        = `SELECT COUNT(*) FROM statement_details WHERE identity = ANY(?::bytea[]) AND file_id = ?`
	sqlLinesKnown       = `SELECT identity FROM statement_lines WHERE identity = ANY(?::bytea[])`
	sqlLineIDs          = `SELECT nextval(?::regclass) FROM generate_series(1, ?)`
	sqlRequestsByKeys   = `SELECT COUNT(*) FROM payment_requests WHERE item_key_norm = ANY(?::text[]) AND status IN (?, ?, ?)`
	sqlCollectionsByE2E = `SELECT ` + collCols + `, return_reason, return_text FROM collections WHERE end_to_end_id = ANY(?::text[])`
	sqlBatchesByKeys    = `SELECT ` + batchCols + `, total_cents FROM batches WHERE pmtinf_id = ANY(?::text[]) OR total_cents = ANY(?::bigint[])`
	sqlUpdateBatches    = `UPDATE batches b SET status = v.status FROM unnest(?::bigint[], ?::text[], ?::text[]) AS v(id, status, was)
		WHERE b.id = v.id AND b.status = v.was RETURNING b.id`
	sqlCollectBatches = `UPDATE collections SET status = ? WHERE pmtinf_id = ANY(?::text[]) AND status = ?`
	sqlInsertDetails  = `INSERT INTO statement_details (identity, file_id, line_id)
		SELECT v.identity, ?, v.line_id FROM unnest(?::bytea[], ?::bigint[]) AS v(identity, line_id)
		WHERE NOT EXISTS (SELECT 1 FROM statement_details d WHERE d.identity = v.identity AND d.file_id = ?)
		ON CONFLICT (identity) DO NOTHING`
	sqlInvoicesByKeys = `SELECT ` + invCols + `, i.reference, i.number_key FROM invoices i
			WHERE i.reference = ANY(?::text[]) OR i.number_key = ANY(?::text[])`
	sqlInvoicesByIBANs = `SELECT ` + invCols + `, i.reference, i.number_key, x.iban FROM invoice_ibans x JOIN invoices i ON i.id = x.invoice_id
			WHERE x.iban = ANY(?::text[])`
	sqlUpdateInvoices = `UPDATE invoices i SET status = v.status, open_amount = v.open::numeric
			FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[]) AS v(id, status, open, was, was_open)
			WHERE i.id = v.id AND i.status = v.was AND i.open_amount = v.was_open::numeric RETURNING i.id`
	sqlUpdateCollections = `UPDATE collections c SET status = v.status, return_reason = v.rr, return_text = v.rt
			FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[]) AS v(id, status, rr, rt, was)
			WHERE c.id = v.id AND c.status = v.was RETURNING c.id`

	// sqlLockAccount serializes the imports of one account (until their
	// commits): the lines of a file are looked up (sqlLinesKnown) before
	// they are copied in, so two files repeating the same lines must not be
	// imported side by side; files of different accounts still are. The
	// lock is PostgreSQL's advisory lock (classid accountLockClass, objid a
	// hash of the account).
	sqlLockAccount = `SELECT pg_advisory_xact_lock(?, hashtext(?))`

	copyLines   = `COPY statement_lines (id, identity, file_id, account, statement_id, entry_ref, entry_seq, occurrence, booking_date, amount, currency, reversal, info) FROM STDIN (FORMAT binary)`
	copyMatches = `COPY matches (line_id, detail, outcome, rule, item_kind, item_id, item_key, amount, applied, currency, candidates, return_reason, evidence) FROM STDIN (FORMAT binary)`
)

// accountLockClass is the first key of the imports' account locks
// ("ledg"): the run lock's key (20261130, one bigint) has 0 there.
const accountLockClass = 0x6c656467

// pgSQL is q for PostgreSQL ($1, $2, ... placeholders): for the statements
// sent through pgx itself.
func pgSQL(q string) string { return dialect{postgres: true}.bind(q) }

// sqlIndexPlans makes the import's statements probe indexes key by key
// (set for its transaction only). A chunk asks for a few thousand keys; on
// a table of some 100,000 rows, cached, the planner's costs prefer reading
// the table whole to a few thousand index probes, and it would do so for
// every chunk: time quadratic in the lines. Index probes cost the same
// whatever the table's size: time linear in the lines.
//
// The plans are generic (plan_cache_mode): planned once for the
// transaction's prepared statements, not again for every chunk with its
// arrays' values, where the planner estimated each of some 5,000 keys
// against the column's statistics (5 ms a query on 100,000 invoices).
const sqlIndexPlans = `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true),
	set_config('enable_mergejoin', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true)`

// bulkRetries is how often a chunk is decided again because another worker
// changed one of its items between the read and the lock.
const bulkRetries = 8

// ErrConcurrent is returned (wrapped) when an import met another import
// booking the same transactions at the same time: nothing was written,
// and importing the file again is safe.
var ErrConcurrent = errors.New("another import booked the same transactions at the same time: nothing was written; import the file again")

// concurrent marks as ErrConcurrent (nothing was written, the file can be
// imported again) a deadlock PostgreSQL broke by failing this import
// (SQLSTATE 40P01: two imports paying the same items in opposite orders,
// across chunks, or locking two accounts in opposite orders), and a line
// identity taken by another import between its look-up and the COPY
// (23505: only an import that does not take the account lock, see
// sqlLockAccount).
func concurrent(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001" || pe.Code == "23505") {
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
	row    [2]int // its statement_lines row after the id, in prepared.rows
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
	name     string          // the file's, for the test hook
	lineSeq  string          // the sequence of statement_lines.id
	accounts map[string]bool // locked (sqlLockAccount)
	// matchBytes is the size of the last chunk's matches rows: the next
	// chunk's buffer starts that large.
	matchBytes int
	// booked is the last chunk booked until its matches are queued and
	// its results counted (flush).
	booked *bookedChunk
}

// importBulk reads r and books its entries on PostgreSQL, a chunk at a
// time (see bulkChunk).
func (l *DB) importBulk(ctx context.Context, t *tx, fileID int64, f File, r statement.Reader, opt ImportOptions, res *ImportResult) error {
	b := &bulkImport{ctx: ctx, l: l, tx: t, fileID: fileID, opt: opt, res: res, now: l.stamp(), name: f.Name, accounts: map[string]bool{}}
	if _, err := t.ExecContext(ctx, sqlIndexPlans); err != nil {
		return err
	}
	if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM payment_requests WHERE status IN (?, ?, ?)),
		pg_get_serial_sequence('statement_lines', 'id')`,
		RequestPending, RequestOpen, RequestPaid).Scan(&b.requests, &b.lineSeq); err != nil {
		return err
	}
	rctx, cancel := context.WithCancel(ctx)
	chunks := make(chan *prepared, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		prepare(rctx, newBookable(r, f, res), fileID, chunks)
	}()
	err := b.run(chunks)
	cancel()
	for range chunks { // the reader stops at its next entry
	}
	<-done
	return err
}

// pg runs f on the transaction's connection through pgx itself: batches of
// statements in one round trip, and COPY. (database/sql must not use the
// connection meanwhile.)
func (b *bulkImport) pg(f func(c *pgx.Conn) error) error {
	return b.tx.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("ledger: a PostgreSQL connection of type %T", dc)
		}
		return f(sc.Conn())
	})
}

// prepared is a chunk read and made ready for the database: its entries
// with their identities, their statement_lines rows (but the id) as COPY
// wants them, the accounts they book on and the keys their open items can
// be found by; or the error that ended the reading.
type prepared struct {
	es       []*bulkEntry
	rows     []byte
	accounts []string
	rec      *keyRecorder
	err      error
}

// prepare reads entries into chunks of bulkChunk and sends them on out,
// which it closes at the end or on the first error (sent last).
func prepare(ctx context.Context, entries *bookable, fileID int64, out chan<- *prepared) {
	defer close(out)
	// The rows of a chunk take about as many bytes as the last one's.
	p := &prepared{rows: make([]byte, 0, 128*bulkChunk)}
	send := func() bool {
		select {
		case out <- p:
		case <-ctx.Done():
			return false
		}
		p = &prepared{rows: make([]byte, 0, len(p.rows)+len(p.rows)/8)}
		return true
	}
	for {
		e, ch, n, err := entries.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			p.err = err
			send()
			return
		}
		be := &bulkEntry{e: e, occ: n, id: identityBytes(ch, n), dids: detailIdentities(e)}
		p.es = append(p.es, be)
		if p.err = p.addRow(be, fileID); p.err != nil {
			send()
			return
		}
		if len(p.es) == bulkChunk {
			p.noteKeys()
			if !send() { // the import stopped
				return
			}
		}
	}
	if len(p.es) > 0 {
		p.noteKeys()
		send()
	}
}

// addRow appends the entry's statement_lines row, all but its id, and
// notes its account.
func (p *prepared) addRow(be *bulkEntry, fileID int64) error {
	e := be.e
	bd := bookedOn(e)
	acct := accountOf(e)
	if !slices.Contains(p.accounts, acct) {
		p.accounts = append(p.accounts, acct)
	}
	w := copyRows{buf: p.rows}
	be.row[0] = len(w.buf)
	w.bytea(be.id)
	w.int8(fileID)
	w.text(acct)
	w.text(statementIDOf(e))
	w.text(e.Ref)
	w.int8(int64(e.Seq))
	w.int8(int64(be.occ))
	if bd.IsZero() {
		w.null()
	} else {
		w.buf = binary.BigEndian.AppendUint32(w.buf, 10)
		w.buf = bd.AppendFormat(w.buf, "2006-01-02")
	}
	if err := w.numeric(e.Amount); err != nil {
		return err
	}
	w.text(e.Currency)
	w.int8(int64(boolInt(e.Reversal)))
	w.textOrNull(e.Info)
	be.row[1] = len(w.buf)
	p.rows = w.buf
	return nil
}

// noteKeys notes every key a line of the chunk can be decided by (see
// keyRecorder). A line found a duplicate later has its keys noted too;
// their items are read but not changed.
func (p *prepared) noteKeys() {
	p.rec = &keyRecorder{}
	for _, be := range p.es {
		p.rec.add(be.e)
	}
}

// run books the chunks as they arrive, all on one connWorker: the matches
// of a chunk are copied in, and its results counted, after the next
// chunk's look-ups are sent (see dedupe), so that the server copies them
// while the client decides that chunk. A
// chunk that must run on the line-by-line store (see reconcileLines) ends
// the worker and runs on the transaction; the next one starts another.
func (b *bulkImport) run(chunks <-chan *prepared) error {
	var p *prepared // a chunk received, not yet booked
	for {
		var slow []*bulkEntry
		if err := b.pg(func(c *pgx.Conn) error {
			w := startWorker(c)
			defer w.close()
			for {
				if p == nil {
					var ok bool
					if p, ok = <-chunks; !ok {
						if err := b.flush(w); err != nil {
							return err
						}
						return w.close()
					}
				}
				if p.err != nil {
					return p.err
				}
				var err error
				if slow, err = b.chunk(w, p); err != nil || slow != nil {
					return err
				}
				p = nil
			}
		}); err != nil {
			return err
		}
		if slow == nil {
			return nil
		}
		if err := b.reconcileLines(slow); err != nil {
			return err
		}
		mw, err := b.matchRows(p)
		if err != nil {
			return err
		}
		b.finish(p, mw)
		p = nil
	}
}

// chunk books the entries of p on w. The statements whose answers the
// client does not wait for (the COPY of the lines, the updates, the COPY
// of the matches) are queued on w, so the client decides the lines and
// builds the matches meanwhile. When a payment request's payout may be
// among its lines, it returns them undecided, their lines written and w
// ended: they are decided on the line-by-line store (see run).
func (b *bulkImport) chunk(w *connWorker, p *prepared) (slow []*bulkEntry, err error) {
	cs := newChunkStore()
	lines, err := b.dedupe(w, p, cs)
	if err != nil {
		return nil, err
	}
	var live []*bulkEntry
	for _, be := range p.es {
		if !be.dup {
			live = append(live, be)
		}
	}
	w.do(lines.write)
	if lines.requests && len(live) > 0 {
		return live, w.close()
	}
	if len(live) == 0 {
		mw, err := b.matchRows(p)
		if err != nil {
			return nil, err
		}
		b.finish(p, mw)
		return nil, nil
	}
	if b.l.hook != nil {
		if err := w.sync(); err != nil {
			return nil, err
		}
		b.l.hook(b.name, "read", 0)
	}
	mw, err := b.reconcile(w, p, live, cs)
	if err != nil {
		return nil, err
	}
	b.finish(p, mw)
	return nil, nil
}

// matchRows builds the matches rows of the chunk's new entries, for the
// COPY of copyMatches.
func (b *bulkImport) matchRows(p *prepared) (*copyRows, error) {
	mw := newCopyRows(b.matchBytes + b.matchBytes/8)
	for _, be := range p.es {
		if be.dup {
			continue
		}
		for _, ln := range be.rr.Lines {
			if err := addMatches(mw, be.lineID, ln); err != nil {
				return nil, err
			}
		}
	}
	b.matchBytes = len(mw.buf)
	return mw, nil
}

// finish keeps the chunk p, booked, and its matches rows mw until the
// next chunk's look-ups are sent (see flush).
func (b *bulkImport) finish(p *prepared, mw *copyRows) {
	b.booked = &bookedChunk{p, mw}
}

// bookedChunk is a chunk whose changes are written, not yet its matches.
type bookedChunk struct {
	p  *prepared
	mw *copyRows
}

// flush queues on w the COPY of the matches of the last chunk booked, if
// not yet, then counts its results and hands them to OnResult while the
// server works.
func (b *bulkImport) flush(w *connWorker) error {
	d := b.booked
	if d == nil {
		return nil
	}
	b.booked = nil
	if d.mw.rows > 0 {
		w.do(func(c *pgx.Conn) error {
			_, err := c.PgConn().CopyFrom(b.ctx, bytes.NewReader(d.mw.bytes()), copyMatches)
			return err
		})
	}
	for _, be := range d.p.es {
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
		if b.opt.OnResult != nil {
			if err := b.opt.OnResult(be.rr, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// connWorker runs statements on a connection in the order given, in a
// goroutine of its own: the client sends the next while the server works
// on the last. The first error stops it; the statements after it are not
// run and the error is returned by sync and close.
type connWorker struct {
	ops    chan workerOp
	done   chan error
	err    error
	closed bool
}

type workerOp struct {
	f    func(c *pgx.Conn) error
	sync chan error // told when f ran (or would have)
}

func startWorker(c *pgx.Conn) *connWorker {
	w := &connWorker{ops: make(chan workerOp, 8), done: make(chan error, 1)}
	go func() {
		var err error
		for op := range w.ops {
			if err == nil && op.f != nil {
				err = op.f(c)
			}
			if op.sync != nil {
				op.sync <- err
			}
		}
		w.done <- err
	}()
	return w
}

// do queues f.
func (w *connWorker) do(f func(c *pgx.Conn) error) { w.ops <- workerOp{f: f} }

// start queues f and returns what wait, called later, returns once f ran
// (or would have: the error before it), whatever was queued after it.
func (w *connWorker) start(f func(c *pgx.Conn) error) (wait func() error) {
	ch := make(chan error, 1)
	w.ops <- workerOp{f: f, sync: ch}
	return func() error { return <-ch }
}

// sync waits until everything queued ran.
func (w *connWorker) sync() error {
	ch := make(chan error, 1)
	w.ops <- workerOp{sync: ch}
	return <-ch
}

// close waits until everything queued ran and ends the worker; again, it
// returns what it returned the first time.
func (w *connWorker) close() error {
	if !w.closed {
		w.closed = true
		close(w.ops)
		w.err = <-w.done
	}
	return w.err
}

// dedupe takes the locks of the chunk's accounts, marks the entries booked
// already (by their line identity, or by the detail identities of a batch
// booking from another file), gives the others their lineID and returns
// their writes, and reads the open items the chunk can touch into cs (step
// 1). The matches of the chunk before are copied in after these look-ups,
// and its results counted meanwhile.
func (b *bulkImport) dedupe(w *connWorker, p *prepared, cs *chunkStore) (*lineWrites, error) {
	es := p.es
	batch := &pgx.Batch{}
	var accts []string
	for _, a := range p.accounts {
		if !b.accounts[a] {
			accts = append(accts, a)
			b.accounts[a] = true
		}
	}
	sort.Strings(accts)
	for _, a := range accts {
		batch.Queue(pgSQL(sqlLockAccount), int32(accountLockClass), a)
	}
	// Detail identities seen before: booked from another file, or from this
	// one (two bookings of the same transactions in one file are two).
	var dids [][]byte
	for _, be := range es {
		dids = append(dids, be.dids...)
	}
	known := map[[16]byte]bool{} // by another file
	if len(dids) > 0 {
		batch.Queue(pgSQL(sqlDetailsKnown), dids).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id []byte
				var f int64
				if err := rows.Scan(&id, &f); err != nil {
					return err
				}
				if f != b.fileID {
					known[[16]byte(id)] = true
				}
			}
			return rows.Err()
		})
	}
	ids := make([][]byte, len(es))
	for i, be := range es {
		ids[i] = be.id
	}
	booked := map[[16]byte]bool{}
	batch.Queue(pgSQL(sqlLinesKnown), ids).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id []byte
			if err := rows.Scan(&id); err != nil {
				return err
			}
			booked[[16]byte(id)] = true
		}
		return rows.Err()
	})
	lineIDs := make([]int64, 0, len(es))
	batch.Queue(pgSQL(sqlLineIDs), b.lineSeq, len(es)).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			lineIDs = append(lineIDs, id)
		}
		return rows.Err()
	})
	requests := 0
	if b.requests && len(p.rec.requestKeys) > 0 {
		batch.Queue(pgSQL(sqlRequestsByKeys), keys(p.rec.requestKeys), RequestPending, RequestOpen, RequestPaid).QueryRow(func(row pgx.Row) error {
			return row.Scan(&requests)
		})
	}
	cs.queueLoads(batch, p.rec)
	wait := w.start(func(c *pgx.Conn) error { return c.SendBatch(b.ctx, batch).Close() })
	if err := b.flush(w); err != nil {
		return nil, err
	}
	if err := wait(); err != nil {
		return nil, err
	}
	if len(lineIDs) != len(es) {
		return nil, fmt.Errorf("ledger: %d line ids for %d lines", len(lineIDs), len(es))
	}
	lw := &lineWrites{b: b, rows: newCopyRows(len(p.rows) + 14*len(es)), requests: requests > 0}
	rw := lw.rows
	seen := map[[16]byte]bool{}
	for i, be := range es {
		if len(be.dids) > 0 {
			all := true
			for _, id := range be.dids {
				all = all && known[[16]byte(id)]
			}
			be.dup = all
		}
		if be.dup || booked[[16]byte(be.id)] {
			be.dup = true
			continue
		}
		be.lineID = lineIDs[i]
		rw.row(13)
		rw.int8(be.lineID)
		rw.buf = append(rw.buf, p.rows[be.row[0]:be.row[1]]...)
		for _, id := range be.dids {
			k := [16]byte(id)
			if !known[k] && !seen[k] {
				seen[k] = true
				lw.dids = append(lw.dids, id)
				lw.lines = append(lw.lines, be.lineID)
			}
		}
	}
	return lw, nil
}

// lineWrites are the writes of a chunk's new lines (step 2).
type lineWrites struct {
	b        *bulkImport
	rows     *copyRows
	dids     [][]byte // new detail identities
	lines    []int64  // the line of each
	requests bool     // a payment request's payout may be among the lines
}

// write copies the lines in and inserts their detail identities.
func (lw *lineWrites) write(c *pgx.Conn) error {
	b := lw.b
	if lw.rows.rows > 0 {
		if _, err := c.PgConn().CopyFrom(b.ctx, bytes.NewReader(lw.rows.bytes()), copyLines); err != nil {
			return err
		}
	}
	if len(lw.dids) == 0 {
		return nil
	}
	// The details of this file's earlier chunks are in already and
	// conflict; any other conflict is another import booking the same
	// transactions right now.
	var n int64
	var mine int
	batch := &pgx.Batch{}
	batch.Queue(pgSQL(sqlInsertDetails), b.fileID, lw.dids, lw.lines, b.fileID).Exec(func(ct pgconn.CommandTag) error {
		n = ct.RowsAffected()
		return nil
	})
	batch.Queue(pgSQL(sqlMyDetails), lw.dids, b.fileID).QueryRow(func(row pgx.Row) error { return row.Scan(&mine) })
	if err := c.SendBatch(b.ctx, batch).Close(); err != nil {
		return err
	}
	if mine != len(lw.dids) {
		return fmt.Errorf("ledger: %d of %d transaction identities taken (%d new): %w", len(lw.dids)-mine, len(lw.dids), n, ErrConcurrent)
	}
	return nil
}

// reconcile decides the chunk's new entries es on the items read into cs
// and queues on w the updates of the items changed, each on condition that
// it is still as read (steps 3 to 5); it builds the matches rows while the
// server updates. When another worker changed an item meanwhile, the items
// are read again and the entries decided again.
func (b *bulkImport) reconcile(w *connWorker, p *prepared, es []*bulkEntry, cs *chunkStore) (*copyRows, error) {
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			w.do(func(c *pgx.Conn) error {
				batch := &pgx.Batch{}
				cs.queueLoads(batch, p.rec)
				return c.SendBatch(b.ctx, batch).Close()
			})
			if err := w.sync(); err != nil {
				return nil, err
			}
			if b.l.hook != nil {
				b.l.hook(b.name, "read", attempt)
			}
		}
		eng := reconcile.NewEngine(cs, b.opt.Engine)
		for _, be := range es {
			rr, err := eng.Reconcile(be.e)
			if err != nil {
				return nil, err
			}
			be.rr = rr
		}
		var changed bool
		w.do(func(c *pgx.Conn) error {
			var err error
			changed, err = cs.write(b.ctx, c)
			return err
		})
		mw, err := b.matchRows(p)
		if err != nil {
			return nil, err
		}
		if err := w.sync(); err != nil {
			return nil, err
		}
		if !changed {
			return mw, nil
		}
		if attempt == bulkRetries {
			return nil, fmt.Errorf("ledger: open items kept changing under the import (%d attempts): %w", attempt+1, ErrConcurrent)
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

// keyRecorder notes the keys the lines of a chunk can be looked up by
// (reconcile.Keys): the items to read for the chunk.
type keyRecorder struct {
	e2e, batchIDs, refs, numberKeys, ibans, requestKeys map[string]bool
	cents                                               map[int64]bool // batch totals
}

func note(m *map[string]bool, k string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[k] = true
}

// add notes the keys of en.
func (r *keyRecorder) add(en *statement.Entry) { reconcile.Keys(en, r.key) }

func (r *keyRecorder) key(k reconcile.Key) {
	switch k.Kind {
	case reconcile.KeyEndToEnd:
		note(&r.e2e, k.Value)
	case reconcile.KeyBatchID:
		note(&r.batchIDs, k.Value)
	case reconcile.KeyBatchTotal:
		if c := k.Total.Shift(2); c.IsInteger() && k.Total.Sign() > 0 {
			if r.cents == nil {
				r.cents = map[int64]bool{}
			}
			r.cents[c.IntPart()] = true
		}
	case reconcile.KeyReference:
		note(&r.refs, k.Value)
	case reconcile.KeyNumber:
		note(&r.numberKeys, k.Value)
	case reconcile.KeyIBAN:
		note(&r.ibans, k.Value)
	case reconcile.KeyPaymentRequest:
		note(&r.requestKeys, k.Value)
	}
}

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
	collWas  map[int64]collState
	batchWas map[int64]string
	invWas   map[int64]invState

	// what changed
	collSet  map[int64]reconcile.Change
	batchSet map[int64]string
	invSet   map[int64]bool
	collect  map[string]bool // PmtInfIds collected: their open collections too
}

// invState and collState are an invoice and a collection as read: the
// updates' condition, and what an update is undone to.
type invState struct {
	status string
	open   decimal.Decimal
}

type collState struct {
	status string
	rr, rt *string // return reason and text
}

func newChunkStore() *chunkStore { return &chunkStore{} }

// resetFor empties s for about colls collections and refs + numberKeys +
// ibans invoices found by as many keys, its maps sized for them: growing
// them a few thousand entries a chunk cost the PostgreSQL import a
// twentieth of its client CPU.
func (s *chunkStore) resetFor(colls, refs, numberKeys, ibans int) {
	invs := refs + numberKeys + ibans
	*s = chunkStore{
		colls: make(map[int64]*reconcile.Collection, colls), byE2E: make(map[string][]int64, colls),
		batches: map[int64]*reconcile.Batch{}, byPmt: map[string]int64{}, byCents: map[int64][]int64{},
		invs: make(map[int64]*reconcile.Invoice, invs), byRef: make(map[string][]int64, refs),
		byKey: make(map[string][]int64, numberKeys), byIBAN: make(map[string][]int64, ibans),
		collWas: make(map[int64]collState, colls), batchWas: map[int64]string{}, invWas: make(map[int64]invState, invs),
		collSet: make(map[int64]reconcile.Change, colls), batchSet: map[int64]string{}, invSet: make(map[int64]bool, invs),
		collect: map[string]bool{},
	}
}

// queueLoads queues on batch the reads of the items carrying the keys rec
// noted, which fill s (emptied first) as their rows arrive.
func (s *chunkStore) queueLoads(batch *pgx.Batch, rec *keyRecorder) {
	s.resetFor(len(rec.e2e), len(rec.refs), len(rec.numberKeys), len(rec.ibans))
	if len(rec.e2e) > 0 {
		batch.Queue(pgSQL(sqlCollectionsByE2E), keys(rec.e2e)).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				r := rawRow{rows.RawValues(), rows.FieldDescriptions()}
				if len(r.vals) != 11 {
					return fmt.Errorf("ledger: %d columns of a collection", len(r.vals))
				}
				var err error
				c := reconcile.Collection{EndToEndID: r.str(1), MandateID: r.str(2), PmtInfID: r.str(3), Currency: r.str(5),
					CollectionDate: parseDatePtr(r.ptr(6)), DebtorName: r.str(7)}
				if c.ID, err = r.int8(0); err != nil {
					return err
				}
				if c.Amount, err = r.num(4); err != nil {
					return err
				}
				st := r.str(8)
				rr, rt := r.ptr(9), r.ptr(10)
				c.Status = reconcile.Status(st)
				s.colls[c.ID] = &c
				s.byE2E[c.EndToEndID] = append(s.byE2E[c.EndToEndID], c.ID)
				s.collWas[c.ID] = collState{st, rr, rt}
			}
			return rows.Err()
		})
	}
	if len(rec.batchIDs) > 0 || len(rec.cents) > 0 {
		cents := make([]int64, 0, len(rec.cents))
		for c := range rec.cents {
			cents = append(cents, c)
		}
		batch.Queue(pgSQL(sqlBatchesByKeys), keys(rec.batchIDs), cents).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var x reconcile.Batch
				var total pgtype.Numeric
				var st string
				var date *string
				var c int64
				if err := rows.Scan(&x.ID, &x.PmtInfID, &x.Count, &total, &x.Currency, &date, &st, &c); err != nil {
					return err
				}
				var err error
				if x.Total, err = numericDec(total); err != nil {
					return err
				}
				x.Date, x.Status = parseDatePtr(date), reconcile.Status(st)
				s.batches[x.ID] = &x
				s.byPmt[x.PmtInfID] = x.ID
				s.byCents[c] = append(s.byCents[c], x.ID)
				s.batchWas[x.ID] = st
			}
			return rows.Err()
		})
	}
	// invoice reads a row of invCols, reference, number key and extra
	// columns into s, once.
	invoice := func(rows pgx.Rows, extra int) (*reconcile.Invoice, rawRow, error) {
		r := rawRow{rows.RawValues(), rows.FieldDescriptions()}
		if len(r.vals) != 10+extra {
			return nil, r, fmt.Errorf("ledger: %d columns of an invoice", len(r.vals))
		}
		id, err := r.int8(0)
		if err != nil {
			return nil, r, err
		}
		if got := s.invs[id]; got != nil {
			return got, r, nil
		}
		st := r.str(7)
		v := reconcile.Invoice{ID: id, Number: r.str(1), CustomerName: r.str(2), Currency: r.str(5), DueDate: parseDatePtr(r.ptr(6)),
			Status: reconcile.Status(st)}
		if v.Amount, err = r.num(3); err != nil {
			return nil, r, err
		}
		if v.Open, err = r.num(4); err != nil {
			return nil, r, err
		}
		s.invs[v.ID] = &v
		s.invWas[v.ID] = invState{st, v.Open}
		return &v, r, nil
	}
	if len(rec.refs) > 0 || len(rec.numberKeys) > 0 {
		batch.Queue(pgSQL(sqlInvoicesByKeys), keys(rec.refs), keys(rec.numberKeys)).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				v, r, err := invoice(rows, 0)
				if err != nil {
					return err
				}
				if ref := r.str(8); rec.refs[ref] {
					s.byRef[ref] = append(s.byRef[ref], v.ID)
				}
				if key := r.str(9); rec.numberKeys[key] {
					s.byKey[key] = append(s.byKey[key], v.ID)
				}
			}
			return rows.Err()
		})
	}
	if len(rec.ibans) > 0 {
		batch.Queue(pgSQL(sqlInvoicesByIBANs), keys(rec.ibans)).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				v, r, err := invoice(rows, 1)
				if err != nil {
					return err
				}
				iban := r.str(10)
				s.byIBAN[iban] = append(s.byIBAN[iban], v.ID)
			}
			return rows.Err()
		})
	}
}

// rawRow is a row as pgx received it (rows.RawValues), read without its
// scan plans: a few thousand rows a chunk, ten columns each.
type rawRow struct {
	vals [][]byte
	fds  []pgconn.FieldDescription
}

// str is a TEXT column ("" for NULL): its bytes in either format.
func (r rawRow) str(i int) string { return string(r.vals[i]) }

// ptr is a TEXT column that may be NULL.
func (r rawRow) ptr(i int) *string {
	if r.vals[i] == nil {
		return nil
	}
	s := string(r.vals[i])
	return &s
}

// int8 is a BIGINT column.
func (r rawRow) int8(i int) (int64, error) {
	b := r.vals[i]
	if r.fds[i].Format == pgx.BinaryFormatCode {
		if len(b) != 8 {
			return 0, fmt.Errorf("ledger: a BIGINT of %d bytes", len(b))
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	}
	return strconv.ParseInt(string(b), 10, 64)
}

// num is a NUMERIC column.
func (r rawRow) num(i int) (decimal.Decimal, error) {
	if r.vals[i] == nil {
		return decimal.Zero, fmt.Errorf("ledger: amount NULL in the database")
	}
	if r.fds[i].Format == pgx.BinaryFormatCode {
		return numericValue(r.vals[i])
	}
	return parseMoney(string(r.vals[i]))
}

// numericDec is a NUMERIC as read by pgx.
func numericDec(n pgtype.Numeric) (decimal.Decimal, error) {
	if !n.Valid || n.NaN || n.InfinityModifier != pgtype.Finite {
		return decimal.Zero, fmt.Errorf("ledger: amount %v in the database", n)
	}
	if n.Int == nil {
		return decimal.New(0, n.Exp), nil
	}
	return decimal.NewFromBigInt(n.Int, n.Exp), nil
}

func parseDatePtr(s *string) time.Time {
	if s == nil {
		return time.Time{}
	}
	return parseDate(sql.NullString{String: *s, Valid: true})
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

// write updates the items the chunk changed to their final states, each
// on condition that it is still as read (status, and an invoice's open
// remainder), then the open collections of the batches collected. It
// tells whether an item had changed meanwhile (another worker's import
// committed since the read): then the items it did update are set back
// as they were and nothing else is written. Each UPDATE locks its rows in
// id order (the arrays are sorted, and the nested loop over them probes
// the primary key in that order), so two imports lock their common items
// in the same order.
func (s *chunkStore) write(ctx context.Context, c *pgx.Conn) (changed bool, err error) {
	batch := &pgx.Batch{}
	var invs, colls, bats []int64
	var done []int64 // the ids the last update returned
	returned := func(rows pgx.Rows) error {
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			done = append(done, id)
		}
		return rows.Err()
	}
	var invDone, collDone, batchDone []int64
	if len(s.invSet) > 0 {
		invs = sortedIDs(keysOf(s.invSet))
		st, open, was, wasOpen := make([]string, len(invs)), make([]string, len(invs)), make([]string, len(invs)), make([]string, len(invs))
		for i, id := range invs {
			v, w := s.invs[id], s.invWas[id]
			st[i], open[i], was[i], wasOpen[i] = string(v.Status), v.Open.String(), w.status, w.open.String()
		}
		batch.Queue(pgSQL(sqlUpdateInvoices), invs, st, open, was, wasOpen).Query(func(rows pgx.Rows) error {
			done = done[:0]
			err := returned(rows)
			invDone = append(invDone, done...)
			return err
		})
	}
	if len(s.collSet) > 0 {
		colls = sortedIDs(keysOf(s.collSet))
		st, rr, rt, was := make([]string, len(colls)), make([]*string, len(colls)), make([]*string, len(colls)), make([]string, len(colls))
		for i, id := range colls {
			ch := s.collSet[id]
			st[i], was[i] = string(s.colls[id].Status), s.collWas[id].status
			if ch.ReturnReason != "" {
				rr[i] = &ch.ReturnReason
			}
			if ch.ReturnText != "" {
				rt[i] = &ch.ReturnText
			}
		}
		batch.Queue(pgSQL(sqlUpdateCollections), colls, st, rr, rt, was).Query(func(rows pgx.Rows) error {
			done = done[:0]
			err := returned(rows)
			collDone = append(collDone, done...)
			return err
		})
	}
	if len(s.batchSet) > 0 {
		bats = sortedIDs(keysOf(s.batchSet))
		st, was := make([]string, len(bats)), make([]string, len(bats))
		for i, id := range bats {
			st[i], was[i] = s.batchSet[id], s.batchWas[id]
		}
		batch.Queue(pgSQL(sqlUpdateBatches), bats, st, was).Query(func(rows pgx.Rows) error {
			done = done[:0]
			err := returned(rows)
			batchDone = append(batchDone, done...)
			return err
		})
	}
	if batch.Len() > 0 {
		if err := c.SendBatch(ctx, batch).Close(); err != nil {
			return false, err
		}
	}
	if len(invDone) == len(invs) && len(collDone) == len(colls) && len(batchDone) == len(bats) {
		if len(s.collect) > 0 {
			if _, err := c.Exec(ctx, pgSQL(sqlCollectBatches), string(reconcile.StatusCollected), keys(s.collect), string(reconcile.StatusOpen)); err != nil {
				return false, err
			}
		}
		return false, nil
	}
	// Undo: each updated item back to its state as read (the update's
	// condition), which it still is under this transaction's row lock.
	batch = &pgx.Batch{}
	if len(invDone) > 0 {
		st, open, now, nowOpen := make([]string, len(invDone)), make([]string, len(invDone)), make([]string, len(invDone)), make([]string, len(invDone))
		for i, id := range invDone {
			w, v := s.invWas[id], s.invs[id]
			st[i], open[i], now[i], nowOpen[i] = w.status, w.open.String(), string(v.Status), v.Open.String()
		}
		batch.Queue(pgSQL(sqlUpdateInvoices), invDone, st, open, now, nowOpen)
	}
	if len(collDone) > 0 {
		st, rr, rt, now := make([]string, len(collDone)), make([]*string, len(collDone)), make([]*string, len(collDone)), make([]string, len(collDone))
		for i, id := range collDone {
			w := s.collWas[id]
			st[i], rr[i], rt[i], now[i] = w.status, w.rr, w.rt, string(s.colls[id].Status)
		}
		batch.Queue(pgSQL(sqlUpdateCollections), collDone, st, rr, rt, now)
	}
	if len(batchDone) > 0 {
		st, was := make([]string, len(batchDone)), make([]string, len(batchDone))
		for i, id := range batchDone {
			st[i], was[i] = s.batchWas[id], s.batchSet[id]
		}
		batch.Queue(pgSQL(sqlUpdateBatches), batchDone, st, was)
	}
	if batch.Len() > 0 {
		if err := c.SendBatch(ctx, batch).Close(); err != nil {
			return true, err
		}
	}
	return true, nil
}

func keysOf[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// addMatches appends the matches rows of a line (see matchRows) to w, for
// the COPY of sqlCopyMatches.
func addMatches(w *copyRows, lineID int64, ln reconcile.Line) error {
	cands := candidates(ln)
	var err error
	matchRows(ln, func(it *reconcile.Item) {
		if err != nil {
			return
		}
		w.row(13)
		w.int8(lineID)
		w.int8(int64(ln.Detail))
		w.text(string(ln.Outcome))
		w.textOrNull(string(ln.Rule))
		if it != nil {
			w.text(string(it.Kind))
			w.int8(it.ID)
			w.text(it.Key)
		} else {
			w.null()
			w.null()
			w.null()
		}
		if err = w.numeric(ln.Amount); err != nil {
			return
		}
		if it != nil {
			err = w.numeric(it.Applied)
		} else {
			w.null()
		}
		w.text(ln.Currency)
		w.textOrNull(cands)
		w.textOrNull(ln.ReturnReason)
		w.text(ln.Evidence)
	})
	return err
}
