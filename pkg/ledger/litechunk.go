package ledger

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync/atomic"

	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// The SQLite import on two cores. SQLite runs in the process, on the
// goroutine that calls it, and a line-by-line import keeps one core busy
// with two kinds of work taking turns: SQLite's (look-ups, inserts,
// updates) and Go's (reading, hashing, the engine's decisions, the rows'
// arguments). importChunks gives each its goroutine, a chunk of liteChunk
// entries at a time:
//
//   - the reader (the caller's goroutine) reads a chunk, hashes it, notes
//     every key its lines can be decided by (reconcile.Keys, as the
//     PostgreSQL import does: keyRecorder), and hands it to the database;
//   - the database goroutine inserts the chunk's lines as the line-by-line
//     import does (same duplicate rules, same order, same ids; lineRows in
//     one statement), then reads the rows of the open items carrying the
//     noted keys (one statement per kind of key);
//   - the reader makes them a chunkStore, decides the chunk in memory on it
//     and hands back the changes and the matches rows to write, then reads
//     the next chunk.
//
// The database goroutine does its work in the order it was handed it:
// lines and items of the next chunks while the reader decides chunk i,
// then the changes of chunk i. The items read for a later chunk therefore
// miss the changes of the chunks decided but not yet written, which the
// reader lays over them before it decides (overlay): each line sees the
// changes of every line before it, as on the line-by-line store. One
// transaction, one connection: nothing changes for a crash or a concurrent
// import.
const liteChunk = 4096

// liteAhead is how many chunks the reader hands over before it decides the
// first: while it decides one, the database goroutine has the next one's
// lines and items to do, not only the last chunk's changes. Each chunk
// ahead holds its entries in memory (three ahead: peak heap 141 MiB
// against 91 at 100,000 lines, no gain measurable on the busy machine).
const liteAhead = 2

// liteEntry is an entry of a chunk, with what the database goroutine
// writes of it.
type liteEntry struct {
	e      *statement.Entry
	args   []any    // the statement_lines row
	dids   [][]byte // DetailIdentity of each transaction of a batch booking
	dup    bool
	lineID int64
}

// liteBatch is one chunk on its way through importChunks.
type liteBatch struct {
	seq     int
	es      []liteEntry
	rec     *keyRecorder
	keys    [6]string           // the keys rec noted, for load (liteKeys)
	store   *chunkStore         // the items read, then decided on
	written int                 // the last chunk whose changes were in the database when the items were read
	raw     [6][][]driver.Value // the rows load read, by look-up, for decode
	// what the database goroutine writes once the chunk is decided
	colls, invs, batches [][]any
	collect              []string
	matches              []any
}

// liteStmts are the statements of the database goroutine.
type liteStmts struct {
	insLine                                 *insertStmt
	lines, delLines                         *stmt // lineRows lines at a time (see insertLines)
	next                                    int64 // the id of the next line
	args                                    []any // of lines, kept for the next
	detGet, detPut                          *stmt
	in                                      map[string]*stmt // look-ups and updates of many rows, by query
	updColl, updInv, updBatch, collectBatch *stmt
	match, matches                          *stmt
}

func (s *liteStmts) close() {
	if s.insLine != nil {
		s.insLine.Close()
	}
	for _, st := range s.in {
		st.Close()
	}
	for _, st := range []*stmt{s.lines, s.delLines, s.detGet, s.detPut, s.updColl, s.updInv, s.updBatch, s.collectBatch, s.match, s.matches} {
		if st != nil {
			st.Close()
		}
	}
}

func prepareLite(ctx context.Context, t *tx, fileID int64) (*liteStmts, error) {
	s := &liteStmts{in: map[string]*stmt{}}
	// The ids SQLite would give the lines (the largest id plus one): the
	// import holds the write lock, no one else adds lines meanwhile.
	if err := t.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM statement_lines`).Scan(&s.next); err != nil {
		return nil, err
	}
	var err error
	if s.insLine, err = t.prepareInsert(ctx, `INSERT INTO statement_lines (identity, file_id, account, statement_id, entry_ref, entry_seq,
		occurrence, booking_date, amount, currency, reversal, info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (identity) DO NOTHING`); err != nil {
		return nil, err
	}
	// OR IGNORE: a statement of many rows that may abort on a constraint
	// (NOT NULL, UNIQUE) first copies every page it changes to a statement
	// journal, to undo itself alone; one that ignores instead has nothing to
	// undo. Every row's values are set here, so a row is ignored only as a
	// duplicate (lines) and the rows written are counted (see insertLines,
	// update, write).
	const ins = `INSERT OR IGNORE INTO matches (line_id, detail, outcome, rule, item_kind, item_id, item_key, amount, applied, currency, candidates, return_reason, evidence) VALUES `
	const row = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	lineRow := fmt.Sprintf(`(?, ?, %d, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, fileID)
	for _, p := range []struct {
		dst **stmt
		sql string
	}{
		{&s.lines, `INSERT OR IGNORE INTO statement_lines (id, identity, file_id, account, statement_id, entry_ref, entry_seq,
		occurrence, booking_date, amount, currency, reversal, info) VALUES ` + lineRow + repeat(", "+lineRow, lineRows-1)},
		{&s.delLines, `DELETE FROM statement_lines WHERE id >= ?`},
		{&s.detGet, `SELECT file_id FROM statement_details WHERE identity = ?`},
		{&s.detPut, `INSERT INTO statement_details (identity, file_id, line_id) VALUES (?, ?, ?) ON CONFLICT (identity) DO NOTHING`},
		{&s.updColl, `UPDATE collections SET status = ?, return_reason = ?, return_text = ? WHERE id = ?`},
		{&s.updInv, `UPDATE invoices SET status = ?, open_amount = ? WHERE id = ?`},
		{&s.updBatch, `UPDATE batches SET status = ? WHERE id = ?`},
		{&s.collectBatch, `UPDATE collections SET status = ? WHERE pmtinf_id = ? AND status = ?`},
		{&s.match, ins + row},
		{&s.matches, ins + row + repeat(", "+row, matchChunk-1)},
	} {
		if *p.dst, err = t.PrepareContext(ctx, p.sql); err != nil {
			s.close()
			return nil, err
		}
	}
	return s, nil
}

// liteDB is the database goroutine: it runs the jobs handed to it in
// order, until the first error or until jobs is closed.
type liteDB struct {
	jobs    chan func() error
	done    chan struct{}
	err     error       // the first error, read after done is closed
	aborted atomic.Bool // the reader gave up: the jobs left are skipped
}

func startLiteDB() *liteDB {
	d := &liteDB{jobs: make(chan func() error, liteAhead+1), done: make(chan struct{})}
	go func() {
		defer close(d.done)
		for job := range d.jobs {
			if d.aborted.Load() {
				continue
			}
			if err := job(); err != nil {
				d.err = err
				return
			}
		}
	}()
	return d
}

// run hands a job to the database goroutine; false when it stopped on an
// error.
func (d *liteDB) run(job func() error) bool {
	select {
	case d.jobs <- job:
		return true
	case <-d.done:
		return false
	}
}

// stop waits for the jobs handed over to be done (skipped when abort) and
// returns the first error.
func (d *liteDB) stop(abort bool) error {
	if abort {
		d.aborted.Store(true)
	}
	close(d.jobs)
	<-d.done
	return d.err
}

// importChunks books the entries of a SQLite import on two goroutines (see
// liteChunk). A ledger with payment requests open or paid uses importLines:
// a payout may book one, which the chunk store does not do.
func (l *DB) importChunks(ctx context.Context, t *tx, fileID int64, f File, r statement.Reader, opt ImportOptions, res *ImportResult) (err error) {
	st, err := prepareLite(ctx, t, fileID)
	if err != nil {
		return err
	}
	defer st.close()
	db := startLiteDB()
	defer func() {
		if e := db.stop(err != nil); err == nil {
			err = e
		}
	}()
	loaded := make(chan *liteBatch, liteAhead)
	failed := func() error {
		<-db.done
		if db.err != nil {
			return db.err
		}
		return errors.New("ledger: the import's database goroutine stopped")
	}
	written := -1 // the last chunk whose changes the database goroutine wrote
	entries := newBookable(r, f, res)
	// read reads, hashes and notes the keys of the next chunk and hands it
	// to the database goroutine: false at the end of the file.
	size := liteChunk
	if l.chunkLines > 0 {
		size = l.chunkLines
	}
	seq, eof := 0, false
	read := func() (bool, error) {
		if eof {
			return false, nil
		}
		// The recorder's sets sized for a chunk: grown from empty they were
		// rehashed a dozen times each.
		c := &liteBatch{seq: seq, rec: &keyRecorder{e2e: make(map[string]bool, size), refs: make(map[string]bool, size/2),
			numberKeys: make(map[string]bool, size/2), ibans: make(map[string]bool, size/4), cents: make(map[int64]bool, size/2)}}
		for len(c.es) < size {
			e, ch, n, err := entries.next(ctx)
			if err != nil {
				if err == io.EOF {
					eof = true
					break
				}
				return false, err
			}
			le, err := l.liteEntry(e, ch, n, fileID)
			if err != nil {
				return false, fmt.Errorf("%s: entry %d: %w", f.Name, e.Seq, err)
			}
			c.es = append(c.es, le)
			c.rec.add(e)
		}
		if len(c.es) == 0 {
			return false, nil
		}
		c.liteKeys()
		seq++
		if !db.run(func() error {
			if err := st.book(ctx, c, fileID); err != nil {
				return err
			}
			c.written = written
			if err := st.load(ctx, t, c); err != nil {
				return err
			}
			loaded <- c
			return nil
		}) {
			return false, failed()
		}
		return true, nil
	}
	// liteAhead chunks are with the database goroutine at most: the one
	// the reader decides next and those after it.
	out := 0
	for range liteAhead {
		more, err := read()
		if err != nil {
			return err
		}
		if !more {
			break
		}
		out++
	}
	// pending are the chunks decided whose changes may not be in the
	// database yet, in order.
	var pending []*liteBatch
	for ; out > 0; out-- {
		var c *liteBatch
		select {
		case c = <-loaded:
		case <-db.done:
			return failed()
		}
		if err := c.decode(); err != nil {
			return err
		}
		k := 0
		for _, p := range pending {
			if p.seq > c.written {
				overlay(c.store, p.store)
				pending[k] = p
				k++
			}
		}
		pending = pending[:k]
		if err := l.decideLite(c, opt, res); err != nil {
			return err
		}
		pending = append(pending, &liteBatch{seq: c.seq, store: c.store.changed()})
		if !db.run(func() error {
			if err := st.write(ctx, t, c); err != nil {
				return err
			}
			written = c.seq
			return nil
		}) {
			return failed()
		}
		more, err := read()
		if err != nil {
			return err
		}
		if more {
			out++
		}
	}
	return nil
}

// liteEntry computes what the database goroutine writes of an entry.
func (l *DB) liteEntry(e *statement.Entry, ch [32]byte, n int, fileID int64) (liteEntry, error) {
	le := liteEntry{e: e, dids: detailIdentities(e)}
	amt, err := l.d.money(e.Amount, e.Currency)
	if err != nil {
		return le, err
	}
	le.args = lineArgs(e, ch, n, fileID, amt)
	return le, nil
}

// book inserts the chunk's lines as importLines does, entry by entry: an
// entry whose every detail identity was booked from another file, or whose
// line identity is booked already, is a duplicate. The lines of entries
// without detail identities go in lineRows at a time (insertLines).
func (s *liteStmts) book(ctx context.Context, c *liteBatch, fileID int64) error {
	run := make([]*liteEntry, 0, lineRows)
	for i := range c.es {
		le := &c.es[i]
		if len(le.dids) == 0 {
			if run = append(run, le); len(run) == lineRows {
				if err := s.insertLines(ctx, run); err != nil {
					return err
				}
				run = run[:0]
			}
			continue
		}
		if err := s.insertOne(ctx, run...); err != nil {
			return err
		}
		run = run[:0]
		all := true
		for _, id := range le.dids {
			var f int64
			switch err := s.detGet.QueryRowContext(ctx, id).Scan(&f); {
			case errors.Is(err, sql.ErrNoRows):
				all = false
			case err != nil:
				return err
			case f == fileID:
				all = false // the same transactions twice in one file are two bookings
			}
			if !all {
				break
			}
		}
		if all {
			le.dup = true
			continue
		}
		if err := s.insertOne(ctx, le); err != nil {
			return err
		}
		if le.dup {
			continue
		}
		for _, did := range le.dids {
			if _, err := s.detPut.ExecContext(ctx, did, fileID, le.lineID); err != nil {
				return err
			}
		}
	}
	return s.insertOne(ctx, run...)
}

// lineRows is how many lines one INSERT of insertLines writes.
const lineRows = 64

// insertLines inserts the lines of lineRows entries with one statement,
// giving them the ids SQLite would (s.next on), as insertOne would one by
// one. An entry whose line identity is booked already leaves its row out
// (OR IGNORE); then the rows written are taken out again and the entries
// inserted one by one, so that the ids stay those of a line-by-line
// import. (A multi-row INSERT … ON CONFLICT DO NOTHING RETURNING cost a
// third more a line: each row lands on a page of the identity index of its
// own, which a statement that may abort copies to its statement journal
// first; see prepareLite.)
func (s *liteStmts) insertLines(ctx context.Context, les []*liteEntry) error {
	args := s.args[:0]
	for i, le := range les {
		args = append(args, s.next+int64(i), le.args[0])
		args = append(args, le.args[2:]...)
	}
	s.args = args
	res, err := s.lines.ExecContext(ctx, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != int64(len(les)) {
		if _, err := s.delLines.ExecContext(ctx, s.next); err != nil {
			return err
		}
		return s.insertOne(ctx, les...)
	}
	for _, le := range les {
		le.lineID = s.next
		s.next++
	}
	return nil
}

// insertOne inserts the entries' lines one by one: a line whose identity
// is booked already makes its entry a duplicate.
func (s *liteStmts) insertOne(ctx context.Context, les ...*liteEntry) error {
	for _, le := range les {
		id, added, err := s.insLine.insert(ctx, le.args...)
		if err != nil {
			return err
		}
		if !added {
			le.dup = true
			continue
		}
		le.lineID, s.next = id, id+1
	}
	return nil
}

// The look-ups of load, each for the keys of one kind a chunk's lines
// noted, given as one JSON array (liteKeys): one statement and one bound
// value per kind and chunk. With the keys bound one by one (IN (?, ?, …),
// 256 at a time) binding them cost more than SQLite's own work, and SQLite
// copied them into a sorted temporary table first; json_each hands them to
// the index look-ups as they are (the plans: TestHotQueriesUseIndexes).
const (
	liteKeysFrom  = ` FROM (SELECT value AS k FROM json_each(?)) JOIN `
	liteCollsIn   = `SELECT ` + collCols + liteKeysFrom + `collections ON end_to_end_id = k`
	liteBatchPmt  = `SELECT ` + batchCols + `, total_cents` + liteKeysFrom + `batches ON pmtinf_id = k`
	liteBatchCent = `SELECT ` + batchCols + `, total_cents` + liteKeysFrom + `batches ON total_cents = k`
	liteInvRef    = `SELECT ` + invCols + `, i.reference, i.number_key, ''` + liteKeysFrom + `invoices i ON i.reference = k`
	liteInvKey    = `SELECT ` + invCols + `, i.reference, i.number_key, ''` + liteKeysFrom + `invoices i ON i.number_key = k`
	liteInvIBAN   = `SELECT ` + invCols + `, i.reference, i.number_key, x.iban` + liteKeysFrom + `invoice_ibans x ON x.iban = k JOIN invoices i ON i.id = x.invoice_id`
)

// liteLookups are the look-ups of load, in the order of liteBatch.keys
// and liteBatch.raw.
var liteLookups = [6]string{liteCollsIn, liteBatchPmt, liteBatchCent, liteInvRef, liteInvKey, liteInvIBAN}

// liteKeys writes the keys a chunk's lines noted as the JSON arrays load
// binds (the reader's work, not the database goroutine's).
func (c *liteBatch) liteKeys() {
	r := c.rec
	for i, m := range []map[string]bool{r.e2e, r.batchIDs, nil, r.refs, r.numberKeys, r.ibans} {
		if i == 2 {
			c.keys[i] = jsonInts(r.cents)
			continue
		}
		c.keys[i] = jsonStrings(m)
	}
}

// jsonStrings is the JSON array of the strings in m ("" when none). Only
// what JSON requires is escaped (", \ and control characters); SQLite's
// json_each gives back every other byte as it is, valid UTF-8 or not, so
// each key is looked up exactly as written.
func jsonStrings(m map[string]bool) string {
	if len(m) == 0 {
		return ""
	}
	n := 2
	for k := range m {
		n += len(k) + 3
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for k := range m {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, '"')
		for i := 0; i < len(k); i++ {
			switch ch := k[i]; {
			case ch == '"' || ch == '\\':
				b = append(b, '\\', ch)
			case ch < 0x20:
				b = append(b, '\\', 'u', '0', '0', "0123456789abcdef"[ch>>4], "0123456789abcdef"[ch&15])
			default:
				b = append(b, ch)
			}
		}
		b = append(b, '"')
	}
	return string(append(b, ']'))
}

// jsonInts is the JSON array of the integers in m ("" when none).
func jsonInts(m map[int64]bool) string {
	if len(m) == 0 {
		return ""
	}
	b := make([]byte, 0, 2+len(m)*8)
	b = append(b, '[')
	for k := range m {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, k, 10)
	}
	return string(append(b, ']'))
}

// load reads the rows of the items carrying the keys the chunk's lines
// noted (the database goroutine); decode makes them the chunk's store (the
// reader).
func (s *liteStmts) load(ctx context.Context, t *tx, c *liteBatch) error {
	for i, q := range liteLookups {
		if c.keys[i] == "" {
			continue
		}
		st := s.in[q]
		if st == nil {
			var err error
			if st, err = t.PrepareContext(ctx, q); err != nil {
				return err
			}
			s.in[q] = st
		}
		rows, err := st.QueryContext(ctx, c.keys[i])
		if err != nil {
			return err
		}
		c.raw[i] = rows.vals
	}
	return nil
}

// decode builds the chunk's store from the rows load read.
func (c *liteBatch) decode() error {
	cs := newChunkStore()
	cs.resetFor(len(c.raw[0]), len(c.raw[3]), len(c.raw[4]), len(c.raw[5]))
	c.store = cs
	each := func(vals [][]driver.Value, fn func(*rows) error) error {
		r := &rows{vals: vals}
		for r.Next() {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	if err := each(c.raw[0], func(rows *rows) error {
		var x reconcile.Collection
		var st string
		var amt moneyCol
		var date, name sql.NullString
		if err := rows.Scan(&x.ID, &x.EndToEndID, &x.MandateID, &x.PmtInfID, &amt, &x.Currency, &date, &name, &st); err != nil {
			return err
		}
		var err error
		if x.Amount, err = amt.dec(x.Currency); err != nil {
			return err
		}
		x.CollectionDate = parseDate(date)
		x.DebtorName, x.Status = name.String, reconcile.Status(st)
		cs.colls[x.ID] = &x
		cs.byE2E[x.EndToEndID] = append(cs.byE2E[x.EndToEndID], x.ID)
		return nil
	}); err != nil {
		return err
	}
	batch := func(rows *rows) error {
		var x reconcile.Batch
		var status string
		var total moneyCol
		var date sql.NullString
		var cents int64
		if err := rows.Scan(&x.ID, &x.PmtInfID, &x.Count, &total, &x.Currency, &date, &status, &cents); err != nil {
			return err
		}
		if cs.batches[x.ID] != nil {
			return nil
		}
		var err error
		if x.Total, err = total.dec(x.Currency); err != nil {
			return err
		}
		x.Date, x.Status = parseDate(date), reconcile.Status(status)
		cs.batches[x.ID] = &x
		cs.byPmt[x.PmtInfID] = x.ID
		cs.byCents[cents] = append(cs.byCents[cents], x.ID)
		return nil
	}
	if err := each(c.raw[1], batch); err != nil {
		return err
	}
	if err := each(c.raw[2], batch); err != nil {
		return err
	}
	// by is where an invoice read is indexed: reference, number key or IBAN.
	invoice := func(by int) func(*rows) error {
		return func(rows *rows) error {
			var v reconcile.Invoice
			var status string
			var amt, open moneyCol
			var cname, due sql.NullString
			var k [3]string // reference, number key, IBAN
			if err := rows.Scan(&v.ID, &v.Number, &cname, &amt, &open, &v.Currency, &due, &status, &k[0], &k[1], &k[2]); err != nil {
				return err
			}
			index := [3]map[string][]int64{cs.byRef, cs.byKey, cs.byIBAN}[by]
			index[k[by]] = append(index[k[by]], v.ID)
			if cs.invs[v.ID] != nil {
				return nil
			}
			var err error
			if v.Amount, err = amt.dec(v.Currency); err != nil {
				return err
			}
			if v.Open, err = open.dec(v.Currency); err != nil {
				return err
			}
			v.CustomerName = cname.String
			v.DueDate, v.Status = parseDate(due), reconcile.Status(status)
			cs.invs[v.ID] = &v
			return nil
		}
	}
	for i := range 3 {
		if err := each(c.raw[3+i], invoice(i)); err != nil {
			return err
		}
	}
	c.raw = [6][][]driver.Value{}
	return nil
}

// changed is what overlay needs of a chunk decided: the items it changed
// and how, not every item it read (a pending chunk is kept until its
// changes are in the database).
func (s *chunkStore) changed() *chunkStore {
	t := &chunkStore{invs: make(map[int64]*reconcile.Invoice, len(s.invSet)), colls: make(map[int64]*reconcile.Collection, len(s.collSet)),
		invSet: s.invSet, collSet: s.collSet, batchSet: s.batchSet, collect: s.collect}
	for id := range s.invSet {
		t.invs[id] = s.invs[id]
	}
	for id := range s.collSet {
		t.colls[id] = s.colls[id]
	}
	return t
}

// overlay lays the final state of the items an earlier chunk changed
// (from) over the same items read for a later one (to).
func overlay(to, from *chunkStore) {
	for id := range from.invSet {
		if v := to.invs[id]; v != nil {
			w := from.invs[id]
			v.Status, v.Open = w.Status, w.Open
		}
	}
	for id := range from.collSet {
		if x := to.colls[id]; x != nil {
			x.Status = from.colls[id].Status
		}
	}
	for id, st := range from.batchSet {
		if x := to.batches[id]; x != nil {
			x.Status = reconcile.Status(st)
		}
	}
	if len(from.collect) > 0 {
		for _, x := range to.colls {
			if from.collect[x.PmtInfID] && x.Status == reconcile.StatusOpen {
				x.Status = reconcile.StatusCollected
			}
		}
	}
}

// decideLite decides the chunk's new entries on the items read, reports
// every entry in file order, and prepares the rows to write.
func (l *DB) decideLite(c *liteBatch, opt ImportOptions, res *ImportResult) error {
	cs := c.store
	eng := reconcile.NewEngine(cs, opt.Engine)
	mw := make([]any, 0, len(c.es)*matchCols) // a row a line, mostly
	for i := range c.es {
		le := &c.es[i]
		if le.dup {
			res.Duplicates++
			res.DuplicateTotal.Add(le.e.Amount, le.e.Currency)
			if opt.OnResult != nil {
				if err := opt.OnResult(&reconcile.Result{Entry: le.e}, true); err != nil {
					return err
				}
			}
			continue
		}
		rr, err := eng.Reconcile(le.e)
		if err != nil {
			return err
		}
		res.Summary.Add(rr)
		for _, ln := range rr.Lines {
			if mw, err = appendMatchArgs(l.d, mw, le.lineID, ln); err != nil {
				return err
			}
		}
		if opt.OnResult != nil {
			if err := opt.OnResult(rr, false); err != nil {
				return err
			}
		}
	}
	c.matches = mw
	for _, id := range sortedIDs(keysOf(cs.invSet)) {
		v := cs.invs[id]
		open, err := l.d.money(v.Open, v.Currency)
		if err != nil {
			return err
		}
		c.invs = append(c.invs, []any{string(v.Status), open, id})
	}
	for _, id := range sortedIDs(keysOf(cs.collSet)) {
		ch := cs.collSet[id]
		c.colls = append(c.colls, []any{string(cs.colls[id].Status), nullStr(ch.ReturnReason), nullStr(ch.ReturnText), id})
	}
	for _, id := range sortedIDs(keysOf(cs.batchSet)) {
		c.batches = append(c.batches, []any{cs.batchSet[id], id})
	}
	c.collect = keys(cs.collect)
	return nil
}

// updateRows is how many items one UPDATE of write changes.
const updateRows = 128

// The UPDATEs of write for updateRows items at a time, each followed by
// the rows; SQLite finds each item by its id (rowid).
const (
	liteUpdInvs  = `UPDATE OR IGNORE invoices SET status = v.column1, open_amount = v.column2 FROM (VALUES `
	liteUpdColls = `UPDATE OR IGNORE collections SET status = v.column1, return_reason = v.column2, return_text = v.column3 FROM (VALUES `
)

// update runs q (one of the above) for rows, updateRows at a time, and
// one (the same UPDATE for one item) for the rest.
func (s *liteStmts) update(ctx context.Context, t *tx, q, table string, one *stmt, rows [][]any) error {
	for ; len(rows) >= updateRows; rows = rows[updateRows:] {
		st := s.in[q]
		if st == nil {
			n := len(rows[0])
			row := `(?` + repeat(", ?", n-1) + `)`
			var err error
			if st, err = t.PrepareContext(ctx, q+row+repeat(", "+row, updateRows-1)+fmt.Sprintf(`) AS v WHERE %s.id = v.column%d`, table, n)); err != nil {
				return err
			}
			s.in[q] = st
		}
		args := make([]any, 0, updateRows*len(rows[0]))
		for _, a := range rows[:updateRows] {
			args = append(args, a...)
		}
		if err := execRows(ctx, st, table, updateRows, args); err != nil {
			return err
		}
	}
	for _, a := range rows {
		if err := execRows(ctx, one, table, 1, a); err != nil {
			return err
		}
	}
	return nil
}

// write stores what a chunk changed and its matches rows.
func (s *liteStmts) write(ctx context.Context, t *tx, c *liteBatch) error {
	if err := s.update(ctx, t, liteUpdInvs, "invoices", s.updInv, c.invs); err != nil {
		return err
	}
	if err := s.update(ctx, t, liteUpdColls, "collections", s.updColl, c.colls); err != nil {
		return err
	}
	for _, a := range c.batches {
		if _, err := s.updBatch.ExecContext(ctx, a...); err != nil {
			return err
		}
	}
	for _, k := range c.collect {
		if _, err := s.collectBatch.ExecContext(ctx, string(reconcile.StatusCollected), k, string(reconcile.StatusOpen)); err != nil {
			return err
		}
	}
	m := c.matches
	for ; len(m) >= matchChunk*matchCols; m = m[matchChunk*matchCols:] {
		if err := execRows(ctx, s.matches, "matches", matchChunk, m[:matchChunk*matchCols]); err != nil {
			return err
		}
	}
	for ; len(m) > 0; m = m[matchCols:] {
		if err := execRows(ctx, s.match, "matches", 1, m[:matchCols]); err != nil {
			return err
		}
	}
	return nil
}

// execRows runs a statement that writes rows rows of table OR IGNORE (see
// prepareLite) and checks that it wrote them all.
func execRows(ctx context.Context, st *stmt, table string, rows int, args []any) error {
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err == nil && n != int64(rows) {
		err = fmt.Errorf("ledger: %s: %d of %d rows written", table, n, rows)
	}
	return err
}
