package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// States of a file the platform listed: it is recorded as listed before it
// is downloaded, downloaded once it is whole on disk, and booked once a
// statement file with its SHA-256 is in the ledger. A file that is not
// booked is owed: the next fetch downloads it again, and the nightly job
// says so until it is booked.
const (
	FileListed     = "listed"
	FileDownloaded = "downloaded"
	FileBooked     = "booked"
)

// ListingMargin is how far before the last complete listing a listing
// resets the platform's feed (X-RESET) when an answer may have been lost: it
// covers the difference between this machine's clock and the platform's.
// The files listed twice are known by name and not downloaded again.
const ListingMargin = time.Hour

// PlatformFile is a reconciliation file the platform listed.
type PlatformFile struct {
	ID           int64     `json:"-"`
	Name         string    `json:"name"`
	Format       string    `json:"format"`
	Created      time.Time `json:"created"`
	State        string    `json:"state"`
	ListedAt     time.Time `json:"listed_at"`
	DownloadedAt time.Time `json:"downloaded_at,omitzero"`
	Path         string    `json:"path,omitempty"`
	Bytes        int64     `json:"bytes,omitempty"`
	SHA256       string    `json:"sha256,omitempty"`
	Attempts     int       `json:"attempts"`
	LastError    string    `json:"last_error,omitempty"`
}

// ListedFile is one file of a platform listing.
type ListedFile struct {
	Name    string
	Format  string // camt, coda
	Created time.Time
}

// Listing is a listing of the platform's files about to be sent.
type Listing struct {
	ID int64
	// Reset is the X-RESET to send. Once a listing has completed, every
	// listing resets the feed to the start of the last complete one less
	// ListingMargin: the platform lists a file once, and an answer lost on
	// the wire cannot always be told from an empty one (HTTP transports
	// send a GET again on their own), so a listing is only safe when it is
	// the same however often it is sent. Files listed again are known by
	// name and not downloaded twice. Before any listing completed, the
	// first is plain (zero), and one after a lost first answer resets to
	// the Unix epoch.
	Reset time.Time
}

// BeginListing records that a listing of the platform's files is about to
// be sent, before it is sent, and returns its id and the reset to send.
func (l *DB) BeginListing(ctx context.Context, format string) (*Listing, error) {
	var lastComplete sql.NullString
	var lost int
	err := l.db.QueryRowContext(ctx, `SELECT
		(SELECT started_at FROM platform_listings WHERE completed_at IS NOT NULL ORDER BY id DESC LIMIT 1),
		(SELECT COUNT(*) FROM platform_listings WHERE completed_at IS NULL)`).Scan(&lastComplete, &lost)
	if err != nil {
		return nil, fmt.Errorf("ledger: platform listings: %w", err)
	}
	ls := &Listing{}
	switch {
	case lastComplete.Valid:
		t, err := time.Parse(time.RFC3339Nano, lastComplete.String)
		if err != nil {
			return nil, fmt.Errorf("ledger: platform listing started %q: %w", lastComplete.String, err)
		}
		ls.Reset = t.Add(-ListingMargin).UTC().Truncate(time.Second)
	case lost > 0:
		ls.Reset = time.Unix(0, 0).UTC()
	}
	var reset any
	if !ls.Reset.IsZero() {
		reset = ls.Reset.Format(time.RFC3339)
	}
	id, _, err := l.d.insertID(ctx, l.db, `INSERT INTO platform_listings (format, reset_from, started_at) VALUES (?, ?, ?)`, format, reset, l.stamp())
	if err != nil {
		return nil, fmt.Errorf("ledger: recording a platform listing: %w", err)
	}
	ls.ID = id
	return ls, nil
}

// CompleteListing records the answer of a listing: every file in it is
// recorded as listed (a file the ledger knows already keeps its state), in
// one transaction with the listing's completion. A listing sent with a
// reset also completes every earlier listing whose answer was lost: its
// files were listed again. It returns the files new to the ledger.
func (l *DB) CompleteListing(ctx context.Context, ls *Listing, files []ListedFile) (added int, err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	now := l.stamp()
	for _, f := range files {
		res, err := tx.ExecContext(ctx, `INSERT INTO platform_files (name, format, created, state, listing_id, listed_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			f.Name, f.Format, timeText(f.Created), FileListed, ls.ID, now)
		if err != nil {
			return 0, fmt.Errorf("ledger: recording listed file %q: %w", f.Name, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added++
		}
	}
	if _, err = tx.ExecContext(ctx, `UPDATE platform_listings SET completed_at = ?, files = ? WHERE id = ?`, now, len(files), ls.ID); err != nil {
		return 0, err
	}
	if !ls.Reset.IsZero() {
		if _, err = tx.ExecContext(ctx, `UPDATE platform_listings SET completed_at = ? WHERE completed_at IS NULL AND id < ?`, now, ls.ID); err != nil {
			return 0, err
		}
	}
	return added, tx.Commit()
}

// PlatformFiles returns the files the platform listed in the given states
// (all when none), oldest first.
func (l *DB) PlatformFiles(ctx context.Context, states ...string) ([]PlatformFile, error) {
	q := `SELECT id, name, format, created, state, listed_at, downloaded_at, path, bytes, sha256, attempts, last_error FROM platform_files`
	var args []any
	if len(states) > 0 {
		q += ` WHERE state IN (?` + repeat(", ?", len(states)-1) + `)`
		for _, s := range states {
			args = append(args, s)
		}
	}
	rows, err := l.db.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("ledger: platform files: %w", err)
	}
	defer rows.Close()
	var out []PlatformFile
	for rows.Next() {
		var f PlatformFile
		var created, listed, downloaded, path, sha, lastErr sql.NullString
		var bytes sql.NullInt64
		if err := rows.Scan(&f.ID, &f.Name, &f.Format, &created, &f.State, &listed, &downloaded, &path, &bytes, &sha, &f.Attempts, &lastErr); err != nil {
			return nil, err
		}
		f.Created, f.ListedAt, f.DownloadedAt = parseTime(created), parseTime(listed), parseTime(downloaded)
		f.Path, f.Bytes, f.SHA256, f.LastError = path.String, bytes.Int64, sha.String, lastErr.String
		out = append(out, f)
	}
	return out, rows.Err()
}

// FileDownloaded records that a listed file is whole on disk at path.
func (l *DB) FileDownloaded(ctx context.Context, id int64, path string, bytes int64, sha256 string) error {
	_, err := l.db.ExecContext(ctx, `UPDATE platform_files SET state = ?, downloaded_at = ?, path = ?, bytes = ?, sha256 = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?`,
		FileDownloaded, l.stamp(), path, bytes, sha256, id)
	return err
}

// FileFailed records a failed download of a listed file: it stays listed,
// and the next fetch tries again.
func (l *DB) FileFailed(ctx context.Context, id int64, reason string) error {
	_, err := l.db.ExecContext(ctx, `UPDATE platform_files SET attempts = attempts + 1, last_error = ? WHERE id = ?`, reason, id)
	return err
}

// FileMissing puts a downloaded file that is not booked and no longer on
// disk back to listed, so that the next fetch downloads it again.
func (l *DB) FileMissing(ctx context.Context, id int64) error {
	_, err := l.db.ExecContext(ctx, `UPDATE platform_files SET state = ?, path = NULL, last_error = ? WHERE id = ? AND state = ?`,
		FileListed, "downloaded file no longer on disk", id, FileDownloaded)
	return err
}

// MarkBooked marks every downloaded file whose content the ledger has
// imported as a statement file (by SHA-256) as booked, and returns how many
// it marked.
func (l *DB) MarkBooked(ctx context.Context) (int, error) {
	res, err := l.db.ExecContext(ctx, `UPDATE platform_files SET state = ?, booked_at = ?
		WHERE state = ? AND sha256 IN (SELECT sha256 FROM statement_files)`, FileBooked, l.stamp(), FileDownloaded)
	if err != nil {
		return 0, fmt.Errorf("ledger: marking platform files booked: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// PlatformTransaction is one entry of the platform's transaction feed: the
// platform's own account of a collection it settled (PAID) or that failed
// (ERROR).
type PlatformTransaction struct {
	Seq        int64           `json:"seq"`
	ID         int64           `json:"id"`
	Ref        string          `json:"ref"` // end-to-end id
	State      string          `json:"state"`
	Amount     decimal.Decimal `json:"amount"`
	Currency   string          `json:"currency"`
	BankError  string          `json:"bank_error,omitempty"`
	BookedDate time.Time       `json:"booked_date,omitzero"`
}

// FeedPosition returns the last sequence number of the platform's
// transaction feed the ledger holds (0 when none): the next read resumes
// after it.
func (l *DB) FeedPosition(ctx context.Context) (int64, error) {
	var seq int64
	err := l.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM platform_transactions`).Scan(&seq)
	return seq, err
}

// RecordFeed stores feed entries (each sequence number once), in one
// transaction.
func (l *DB) RecordFeed(ctx context.Context, runID int64, ts []PlatformTransaction) (err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	now := l.stamp()
	for _, t := range ts {
		if _, err = tx.ExecContext(ctx, `INSERT INTO platform_transactions (seq, id, ref, state, amount, currency, bank_error, booked_date, seen_at, run_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING`,
			t.Seq, t.ID, t.Ref, t.State, t.Amount.String(), t.Currency, nullStr(t.BankError), dateText(t.BookedDate), now, nullID(runID)); err != nil {
			return fmt.Errorf("ledger: recording feed entry %d: %w", t.Seq, err)
		}
	}
	return tx.Commit()
}

// FeedGap is a collection the platform reports as settled or failed that no
// booked statement line accounts for.
type FeedGap struct {
	PlatformTransaction
	LedgerStatus string `json:"ledger_status"` // the collection's status in the ledger, "" when unknown
}

// FeedGaps cross-checks the platform's transaction feed against what the
// statements booked: every collection the feed reported before since as
// PAID must be collected in the ledger, and every ERROR returned. Entries
// seen after since are left to the next check (their statement may not be
// generated yet). A reference the ledger does not know is not a gap: the
// collection was not sent by batchtool.
func (l *DB) FeedGaps(ctx context.Context, since time.Time) ([]FeedGap, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT p.seq, p.id, p.ref, p.state, p.amount, p.currency, p.bank_error, p.booked_date, c.status
		FROM platform_transactions p JOIN collections c ON c.end_to_end_id = p.ref
		WHERE p.seen_at < ? AND p.seq = (SELECT MAX(q.seq) FROM platform_transactions q WHERE q.ref = p.ref)
		AND NOT ((p.state = 'PAID' AND c.status IN ('collected', 'paid')) OR (p.state = 'ERROR' AND c.status IN ('returned', 'paid')))
		ORDER BY p.seq`, since.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return nil, fmt.Errorf("ledger: feed cross-check: %w", err)
	}
	defer rows.Close()
	var out []FeedGap
	for rows.Next() {
		var g FeedGap
		var amount string
		var bankErr, booked sql.NullString
		if err := rows.Scan(&g.Seq, &g.ID, &g.Ref, &g.State, &amount, &g.Currency, &bankErr, &booked, &g.LedgerStatus); err != nil {
			return nil, err
		}
		if g.Amount, err = parseMoney(amount); err != nil {
			return nil, err
		}
		g.BankError, g.BookedDate = bankErr.String, parseDate(booked)
		out = append(out, g)
	}
	return out, rows.Err()
}

func timeText(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTime(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, s.String)
	return t
}

// LineTotal is the count and signed sum of booked statement lines in one
// currency.
type LineTotal struct {
	Currency string          `json:"currency"`
	Count    int             `json:"count"`
	Sum      decimal.Decimal `json:"sum"`
}

// LineTotals returns the booked statement lines' count and sum per
// currency, in currency order.
func (l *DB) LineTotals(ctx context.Context) ([]LineTotal, error) {
	// Money is a number in the ledger: the database adds it up, exactly
	// (NUMERIC, or integer minor units on SQLite).
	rows, err := l.db.QueryContext(ctx, `SELECT currency, COUNT(*), SUM(amount) FROM statement_lines GROUP BY currency ORDER BY currency`)
	if err != nil {
		return nil, fmt.Errorf("ledger: line totals: %w", err)
	}
	defer rows.Close()
	var out []LineTotal
	for rows.Next() {
		var t LineTotal
		var sum moneyCol
		if err := rows.Scan(&t.Currency, &t.Count, &sum); err != nil {
			return nil, err
		}
		if t.Sum, err = sum.dec(t.Currency); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
