package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// File names a statement file being imported.
type File struct {
	Name   string `json:"name"`   // as the user gave it, for reports
	SHA256 string `json:"sha256"` // hex SHA-256 of the file's bytes: the file's identity
	Format string `json:"format"` // e.g. "camt.053", "CODA"
}

// HashFile returns the hex SHA-256 of everything r yields.
func HashFile(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ImportOptions tune Import.
type ImportOptions struct {
	Engine reconcile.Options
	RunID  int64
	// OnResult is called for every entry in file order: with its result, or
	// with dup set (and no lines) when the entry was already booked from
	// another file. An error aborts the import (nothing is written).
	OnResult func(r *reconcile.Result, dup bool) error
	// AcceptErrors books a file even when its reader reported findings of
	// severity error (totals or balances that do not add up). By default
	// such a file is not booked: ErrFindings.
	AcceptErrors bool
}

// ErrFindings is returned (wrapped) when a file is not booked because its
// reader reported errors; ImportResult.Findings lists them.
var ErrFindings = errors.New("the file has errors: not booked (use AcceptErrors to book it anyway)")

// ImportResult tells what Import did with one file.
type ImportResult struct {
	File            File   `json:"file"`
	AlreadyImported bool   `json:"already_imported"`        // same SHA-256 seen before: nothing changed
	PreviousName    string `json:"previous_name,omitempty"` // the name it was imported under
	PreviousAt      string `json:"previous_at,omitempty"`
	// ClaimedBy names the worker importing the file now (host:pid:nonce):
	// it was left to that worker and nothing changed. ClaimExpires is when
	// its lease runs out unless it renews it.
	ClaimedBy      string           `json:"claimed_by,omitempty"`
	ClaimExpires   time.Time        `json:"claim_expires,omitzero"`
	Entries        int              `json:"entries"`         // entries read
	Duplicates     int              `json:"duplicates"`      // entries already booked from another file: skipped
	DuplicateTotal reconcile.Totals `json:"duplicate_total"` // one per currency
	// Pending entries (status PDNG or INFO, as camt.052/.054 report them)
	// are not booked: the booked entry comes later, in the day's statement.
	Pending      int               `json:"pending"`
	PendingTotal reconcile.Totals  `json:"pending_total"` // one per currency
	Summary      reconcile.Summary `json:"summary"`       // of the entries booked now
	Findings     []finding.Finding `json:"findings,omitempty"`
}

// LineIdentity names a statement entry (in hex; stored as 16 bytes) so that the same bank line is
// recognised in any file that repeats it: a re-sent statement, a camt.053
// after the camt.052 of the day, the CODA export of a camt statement. It is
// a hash of the account, the booking date, the signed amount and currency,
// the reversal flag, the bank's own reference (AcctSvcrRef) and, per
// detail, its amount, end-to-end id, mandate id, return reason and
// counterparty IBAN — plus occurrence, the n-th time the same content
// appears for the account in the file, so that two genuinely identical
// lines in one statement stay two lines.
//
// Free text (remittance, structured reference, additional information)
// counts only where nothing stronger names the money: no bank reference on
// the entry and no end-to-end id on the detail. Formats carry the same
// text differently (CODA cuts a direct debit's communication at 62
// characters and prints its OGM in it; camt has 140 and a Strd block), so
// hashing it would make one movement two. The statement id, the file and
// the entry's sequence number are left out too: a re-sent file may be
// renumbered; they are stored next to the identity for tracing.
func LineIdentity(e *statement.Entry, occurrence int) string {
	return identityOf(contentHash(e), occurrence)
}

// contentHash is the SHA-256 of what identifies an entry, occurrence apart.
func contentHash(e *statement.Entry) [32]byte { return sha256.Sum256([]byte(contentKey(e))) }

func accountOf(e *statement.Entry) string {
	if e.Statement == nil {
		return ""
	}
	return e.Statement.Account.ID()
}

// statementIDOf is the id of the statement e is in ("" for none).
func statementIDOf(e *statement.Entry) string {
	if e.Statement == nil {
		return ""
	}
	return e.Statement.ID
}

// bookedOn is the date e is booked on: its booking date, else its value
// date.
func bookedOn(e *statement.Entry) time.Time {
	if e.BookingDate.IsZero() {
		return e.ValueDate
	}
	return e.BookingDate
}

// lineArgs are the values of e's statement_lines row after its id, as
// both SQLite imports insert it; amt is e's amount as the ledger stores it.
func lineArgs(e *statement.Entry, ch [32]byte, n int, fileID int64, amt any) []any {
	return []any{identityBytes(ch, n), fileID, accountOf(e), statementIDOf(e), e.Ref, e.Seq, n,
		dateText(bookedOn(e)), amt, e.Currency, boolInt(e.Reversal), nullStr(e.Info)}
}

func contentKey(e *statement.Entry) string {
	var b strings.Builder
	sep := func(s string) { b.WriteString(s); b.WriteByte(0x1f) }
	sep(accountOf(e))
	sep(bookedOn(e).Format("2006-01-02"))
	sep(e.Amount.String())
	sep(e.Currency)
	sep(strconv.FormatBool(e.Reversal))
	sep(e.AccountSvcrRef)
	strong := e.AccountSvcrRef != ""
	if len(e.Details) == 0 && !strong {
		sep(e.Info)
	}
	for _, d := range e.Details {
		sep(d.Amount.String())
		sep(d.EndToEndID)
		sep(d.MandateID)
		sep(strings.ToUpper(d.ReturnReason))
		sep(strings.ToUpper(strings.ReplaceAll(d.Counterparty.IBAN, " ", "")))
		if !strong && d.EndToEndID == "" {
			sep(d.Reference.Value)
			sep(strings.Join(strings.Fields(d.Remittance), " "))
		}
	}
	return b.String()
}

// isBatch tells whether an entry books a batch whose every transaction
// carries an end-to-end id: such an entry is also named detail by detail.
// detailIdentities are the DetailIdentity of each transaction of a batch
// entry (isBatch), nil for any other entry.
func detailIdentities(e *statement.Entry) [][]byte {
	if !isBatch(e) {
		return nil
	}
	ids := make([][]byte, len(e.Details))
	for i := range e.Details {
		ids[i] = DetailIdentity(e, &e.Details[i])
	}
	return ids
}

func isBatch(e *statement.Entry) bool {
	if len(e.Details) == 0 || (len(e.Details) == 1 && e.BatchID == "" && e.BatchCount == 0) {
		return false
	}
	for i := range e.Details {
		if e.Details[i].EndToEndID == "" {
			return false
		}
	}
	return true
}

// DetailIdentity names one transaction of a batch booking (16 bytes): the
// account, the booking date, the reversal flag and the transaction's amount,
// end-to-end id, mandate and return reason. A batch booked as one camt entry
// and as several CODA movements (a bank splits batches of more than 9,998
// details) has the same transactions; an entry whose every transaction was
// booked from another file is a duplicate.
func DetailIdentity(e *statement.Entry, t *statement.Transaction) []byte {
	h := sha256.Sum256([]byte(strings.Join([]string{accountOf(e), bookedOn(e).Format("2006-01-02"), strconv.FormatBool(e.Reversal),
		t.Amount.String(), t.EndToEndID, t.MandateID, strings.ToUpper(t.ReturnReason)}, "\x1f")))
	return h[:16]
}

func identityOf(content [32]byte, occurrence int) string {
	return hex.EncodeToString(identityBytes(content, occurrence))
}

// identityBytes is the identity as stored: 16 bytes (a BLOB; BYTEA in
// PostgreSQL), half the index of its hex form.
func identityBytes(content [32]byte, occurrence int) []byte {
	h := sha256.Sum256(append(content[:], strconv.Itoa(occurrence)...))
	return h[:16]
}

// Import registers one statement file and reconciles its entries against
// the open items, all in one transaction: on any error (or a crash) nothing
// of the file is in the ledger. The same file again (by SHA-256) changes
// nothing and reports AlreadyImported; entries already booked from another
// file are reported as duplicates and skipped.
//
// The file is first claimed (ClaimStatement, its SHA-256; see Claim), and
// the claim is marked done in the import's own transaction: a file another
// worker is importing is left to it (ClaimedBy says who; nothing changes
// here), and one whose worker was killed is taken over once its lease ran
// out — its transaction died with it, so the file is booked exactly once.
// The SHA-256 is also unique among the files imported. On SQLite the
// entries are booked one by one (the database is in the process, a lookup
// costs microseconds); on PostgreSQL a chunk at a time with set-based
// statements (see bulkChunk).
func (l *DB) Import(ctx context.Context, f File, r statement.Reader, opt ImportOptions) (*ImportResult, error) {
	res := &ImportResult{File: f}
	if f.SHA256 == "" {
		return res, fmt.Errorf("ledger: %s: no SHA-256 given", f.Name)
	}
	c, err := l.Claim(ctx, ClaimStatement, f.SHA256)
	var held *HeldError
	switch {
	case errors.As(err, &held):
		res.ClaimedBy, res.ClaimExpires = held.Owner, held.Expires
		return res, nil
	case errors.Is(err, ErrDone):
		return res, l.previous(ctx, l.db, res)
	case err != nil:
		return res, err
	}
	defer c.Release(context.WithoutCancel(ctx)) // after Done, nothing
	// On a connection of its own: SQLite's statements talk to the driver
	// (stmt.go), PostgreSQL's bulk import to pgx (bulkImport.pg).
	// Not cancelled with ctx: database/sql would roll the transaction back on
	// its own while the chunk import's database goroutine still writes on the
	// connection (its statements commit one by one then); the deferred
	// Rollback undoes it all, and ctx still stops the reading and the commit.
	tx, err := l.db.beginConn(context.WithoutCancel(ctx))
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	fileID, added, err := l.d.insertID(ctx, tx, `INSERT INTO statement_files (sha256, name, format, imported_at, run_id, entries, duplicates) VALUES (?, ?, ?, ?, ?, 0, 0)
		ON CONFLICT (sha256) DO NOTHING`, f.SHA256, f.Name, f.Format, l.stamp(), nullID(opt.RunID))
	if err != nil {
		return res, err
	}
	if !added {
		// Imported before claims existed (a ledger of schema 7): the claim
		// is done.
		if err := l.previous(ctx, tx, res); err != nil {
			return res, err
		}
		return res, commitDone(ctx, tx, c)
	}
	if l.d.postgres {
		err = concurrent(l.importBulk(ctx, tx, fileID, f, r, opt, res))
	} else {
		err = l.importSQLite(ctx, tx, fileID, f, r, opt, res)
	}
	if err != nil {
		return res, err
	}
	res.Findings = findingsOf(r)
	if !opt.AcceptErrors && finding.List(res.Findings).HasErrors() {
		n, _ := finding.List(res.Findings).Count()
		return res, fmt.Errorf("%s: %d error(s): %w", f.Name, n, ErrFindings)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE statement_files SET entries = ?, duplicates = ? WHERE id = ?`, res.Entries, res.Duplicates, fileID); err != nil {
		return res, err
	}
	if err := commitDone(ctx, tx, c); err != nil {
		return res, fmt.Errorf("%s: %w", f.Name, err)
	}
	return res, l.analyzeAfter(ctx, res.Entries-res.Duplicates-res.Pending, "statement_lines", "statement_details", "matches")
}

// commitDone marks the claim done in tx and commits: the work and its
// mark together, or neither (ErrClaimLost: the lease ran out and another
// worker took the unit over; this worker's work is rolled back).
func commitDone(ctx context.Context, tx *tx, c *Claim) error {
	return c.end(func() error {
		if err := c.doneIn(ctx, tx); err != nil {
			return err
		}
		return tx.Commit()
	})
}

// previous fills in when and as what the file of res was imported.
func (l *DB) previous(ctx context.Context, x execQueryer, res *ImportResult) error {
	res.AlreadyImported = true
	return x.QueryRowContext(ctx, `SELECT name, imported_at FROM statement_files WHERE sha256 = ?`, res.File.SHA256).Scan(&res.PreviousName, &res.PreviousAt)
}

// importSQLite books the entries on SQLite: a chunk at a time on two
// goroutines (importChunks), or one by one (importLines) when the ledger
// has payment requests open or paid, whose payouts the chunk store does not
// book.
func (l *DB) importSQLite(ctx context.Context, tx *tx, fileID int64, f File, r statement.Reader, opt ImportOptions, res *ImportResult) error {
	var requests bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM payment_requests WHERE status IN (?, ?, ?))`,
		RequestPending, RequestOpen, RequestPaid).Scan(&requests); err != nil {
		return err
	}
	if requests || l.chunkLines < 0 {
		return l.importLines(ctx, tx, fileID, f, r, opt, res)
	}
	return l.importChunks(ctx, tx, fileID, f, r, opt, res)
}

// importLines books the entries one by one (SQLite).
func (l *DB) importLines(ctx context.Context, tx *tx, fileID int64, f File, r statement.Reader, opt ImportOptions, res *ImportResult) error {
	store, err := newTxStore(ctx, tx, l.stamp())
	if err != nil {
		return err
	}
	defer store.close()
	insLine, err := tx.prepareInsert(ctx, `INSERT INTO statement_lines (identity, file_id, account, statement_id, entry_ref, entry_seq,
		occurrence, booking_date, amount, currency, reversal, info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (identity) DO NOTHING`)
	if err != nil {
		return err
	}
	defer insLine.Close()
	mw, err := newMatchWriter(ctx, tx)
	if err != nil {
		return err
	}
	defer mw.close()
	details, err := newDetailIndex(ctx, tx)
	if err != nil {
		return err
	}
	defer details.close()

	eng := reconcile.NewEngine(store, opt.Engine)
	entries := newBookable(r, f, res)
	for {
		e, ch, n, err := entries.next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		var dids [][]byte
		booked := false
		if isBatch(e) {
			if dids, booked, err = details.known(e, fileID); err != nil {
				return err
			}
		}
		var lineID int64
		if !booked {
			amt, err := l.d.money(e.Amount, e.Currency)
			if err != nil {
				return fmt.Errorf("%s: entry %d: %w", f.Name, e.Seq, err)
			}
			var added bool
			if lineID, added, err = insLine.insert(ctx, lineArgs(e, ch, n, fileID, amt)...); err != nil {
				return err
			}
			booked = !added // a line with this identity is booked already
		}
		if booked {
			res.Duplicates++
			res.DuplicateTotal.Add(e.Amount, e.Currency)
			if opt.OnResult != nil {
				if err := opt.OnResult(&reconcile.Result{Entry: e}, true); err != nil {
					return err
				}
			}
			continue
		}
		if err := details.add(dids, fileID, lineID); err != nil {
			return err
		}
		rr, err := eng.Reconcile(e)
		if err != nil {
			return err
		}
		store.entryDone()
		res.Summary.Add(rr)
		for _, ln := range rr.Lines {
			if err := mw.add(lineID, ln); err != nil {
				return err
			}
		}
		if opt.OnResult != nil {
			if err := opt.OnResult(rr, false); err != nil {
				return err
			}
		}
	}
	return mw.flush()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// detailIndex looks up and records the detail identities of batch
// bookings.
type detailIndex struct {
	ctx      context.Context
	get, put *stmt
}

func newDetailIndex(ctx context.Context, tx *tx) (*detailIndex, error) {
	get, err := tx.PrepareContext(ctx, `SELECT file_id FROM statement_details WHERE identity = ?`)
	if err != nil {
		return nil, err
	}
	put, err := tx.PrepareContext(ctx, `INSERT INTO statement_details (identity, file_id, line_id) VALUES (?, ?, ?) ON CONFLICT (identity) DO NOTHING`)
	if err != nil {
		get.Close()
		return nil, err
	}
	return &detailIndex{ctx: ctx, get: get, put: put}, nil
}

func (d *detailIndex) close() { d.get.Close(); d.put.Close() }

// known returns the entry's detail identities and whether every one of
// them was booked from another file.
func (d *detailIndex) known(e *statement.Entry, fileID int64) ([][]byte, bool, error) {
	ids := make([][]byte, len(e.Details))
	all := true
	for i := range e.Details {
		ids[i] = DetailIdentity(e, &e.Details[i])
		if !all {
			continue
		}
		var f int64
		switch err := d.get.QueryRowContext(d.ctx, ids[i]).Scan(&f); {
		case errors.Is(err, sql.ErrNoRows):
			all = false
		case err != nil:
			return nil, false, err
		case f == fileID:
			all = false // the same transactions twice in one file are two bookings
		}
	}
	return ids, all, nil
}

func (d *detailIndex) add(ids [][]byte, fileID, lineID int64) error {
	for _, id := range ids {
		if _, err := d.put.ExecContext(d.ctx, id, fileID, lineID); err != nil {
			return err
		}
	}
	return nil
}

// matchCols are the columns of a matches row.
const matchCols = 13

// matchChunk is how many matches rows one INSERT writes: one statement per
// 64 rows instead of one per row.
const matchChunk = 64

// matchWriter buffers matches rows and writes them in multi-row INSERTs.
type matchWriter struct {
	ctx        context.Context
	tx         *tx
	one, chunk *stmt
	buf        []any
}

func newMatchWriter(ctx context.Context, tx *tx) (*matchWriter, error) {
	const ins = `INSERT INTO matches (line_id, detail, outcome, rule, item_kind, item_id, item_key, amount, applied, currency, candidates, return_reason, evidence) VALUES `
	const row = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	m := &matchWriter{ctx: ctx, tx: tx, buf: make([]any, 0, matchChunk*matchCols)}
	var err error
	if m.one, err = tx.PrepareContext(ctx, ins+row); err != nil {
		return nil, err
	}
	if m.chunk, err = tx.PrepareContext(ctx, ins+row+repeat(", "+row, matchChunk-1)); err != nil {
		m.one.Close()
		return nil, err
	}
	return m, nil
}

func (m *matchWriter) close() { m.one.Close(); m.chunk.Close() }

// add queues the rows of a line and writes each full chunk of them.
func (m *matchWriter) add(lineID int64, ln reconcile.Line) error {
	var err error
	if m.buf, err = appendMatchArgs(m.tx.d, m.buf, lineID, ln); err != nil {
		return err
	}
	for full := matchChunk * matchCols; len(m.buf) >= full; {
		if _, err := m.chunk.ExecContext(m.ctx, m.buf[:full]...); err != nil {
			return err
		}
		m.buf = append(m.buf[:0], m.buf[full:]...)
	}
	return nil
}

// appendMatchArgs appends the arguments of a line's matches rows (see
// matchRows), matchCols a row, for both SQLite import paths.
func appendMatchArgs(d dialect, buf []any, lineID int64, ln reconcile.Line) ([]any, error) {
	cands := nullStr(candidates(ln))
	amt, err := d.money(ln.Amount, ln.Currency)
	if err != nil {
		return buf, err
	}
	matchRows(ln, func(it *reconcile.Item) {
		if err != nil {
			return
		}
		var kind, id, key, applied any
		if it != nil {
			if applied, err = d.money(it.Applied, ln.Currency); err != nil {
				return
			}
			kind, id, key = string(it.Kind), it.ID, it.Key
		}
		buf = append(buf, lineID, ln.Detail, string(ln.Outcome), nullStr(string(ln.Rule)), kind, id, key,
			amt, applied, ln.Currency, cands, nullStr(ln.ReturnReason), ln.Evidence)
	})
	return buf, err
}

// matchRows calls row for each matches row of a line, on both databases:
// one per item it matched, or one without item (nil) for an ambiguous or
// unmatched line.
func matchRows(ln reconcile.Line, row func(it *reconcile.Item)) {
	if len(ln.Items) == 0 {
		row(nil)
		return
	}
	for i := range ln.Items {
		row(&ln.Items[i])
	}
}

// candidates lists the candidates of a line as kind:key, space-separated.
func candidates(ln reconcile.Line) string {
	var b strings.Builder
	for i, c := range ln.Candidates {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(c.Kind) + ":" + c.Key)
	}
	return b.String()
}

// flush writes the rows still queued.
func (m *matchWriter) flush() error {
	for i := 0; i < len(m.buf); i += matchCols {
		if _, err := m.one.ExecContext(m.ctx, m.buf[i:i+matchCols]...); err != nil {
			return err
		}
	}
	m.buf = m.buf[:0]
	return nil
}

// bookable reads the entries of a statement file to import, for both
// import paths: it counts the pending ones in res (booked when the statement
// brings them) and numbers each other entry's occurrence of its content in
// the file, by the first 8 bytes of its hash — about 20 bytes a line, the
// only state that grows with the file. (A clash of two 64-bit hashes in one
// file would only number a line's occurrence one too high.)
type bookable struct {
	r   statement.Reader
	f   File
	res *ImportResult
	occ map[uint64]int32
}

func newBookable(r statement.Reader, f File, res *ImportResult) *bookable {
	return &bookable{r: r, f: f, res: res, occ: map[uint64]int32{}}
}

// next returns the next entry to book with its content hash and its
// occurrence of that content in the file (1 for the first), or io.EOF.
func (b *bookable) next(ctx context.Context) (*statement.Entry, [32]byte, int, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, [32]byte{}, 0, err
		}
		e, err := b.r.Next()
		if err == io.EOF {
			return nil, [32]byte{}, 0, io.EOF
		}
		if err != nil {
			b.res.Findings = findingsOf(b.r)
			return nil, [32]byte{}, 0, fmt.Errorf("%s: %w", b.f.Name, err)
		}
		b.res.Entries++
		if e.Status == "PDNG" || e.Status == "INFO" {
			b.res.Pending++
			b.res.PendingTotal.Add(e.Amount, e.Currency)
			continue
		}
		ch := contentHash(e)
		k := binary.BigEndian.Uint64(ch[:8])
		b.occ[k]++
		return e, ch, int(b.occ[k]), nil
	}
}
