package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/shopspring/decimal"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// Store is the core of what batchtool needs of a ledger; DB implements it
// on SQLite and on PostgreSQL (see the package doc for what differs).
type Store interface {
	// AddCollections registers the collections next yields (and the batches
	// they form) as open items, in one transaction.
	AddCollections(ctx context.Context, source string, next func() (*reconcile.Collection, error)) (AddResult, error)
	// AddInvoices registers invoices as open items, in one transaction.
	AddInvoices(ctx context.Context, source string, next func() (*reconcile.Invoice, error)) (AddResult, error)
	// Import registers one statement file and reconciles its lines, in one
	// transaction.
	Import(ctx context.Context, f File, r statement.Reader, opt ImportOptions) (*ImportResult, error)
	BeginRun(ctx context.Context, command string) (int64, error)
	FinishRun(ctx context.Context, id int64, summary string) error
	Counts(ctx context.Context) (Counts, error)
	Close() error
}

// AddResult tells what AddCollections or AddInvoices did.
type AddResult struct {
	Added   int `json:"added"`   // new collections or invoices
	Skipped int `json:"skipped"` // already in the ledger: nothing changed
	Batches int `json:"batches"` // new batches (PmtInf)
}

// Counts is the size of the ledger, for reports and tests.
type Counts struct {
	Batches     int                      `json:"batches"`
	Collections map[reconcile.Status]int `json:"collections"`
	Invoices    map[reconcile.Status]int `json:"invoices"`
	Files       int                      `json:"files"`
	Lines       int                      `json:"lines"`
	Matches     int                      `json:"matches"`
	Runs        int                      `json:"runs"`
	Requests    map[string]int           `json:"payment_requests"` // by status
}

// DB is the ledger: one SQLite file, or a PostgreSQL database when several
// workers share one ledger. The SQL is the same; see dialect for what
// differs.
type DB struct {
	db   *conn
	d    dialect
	path string
	now  func() time.Time

	locks runLocks // run locks and claims taken through this DB (runlock.go)
	// leaseClaims is the lease of the claims taken through this DB:
	// ClaimLease, shorter in tests.
	leaseClaims time.Duration
	// hook, when set (tests), is called by the PostgreSQL import after it
	// read the open items of a chunk (stage "read"): tests hold workers
	// there to make them meet.
	hook func(file, stage string, attempt int)
	// chunkLines, when set (tests), is the entries per chunk of the SQLite
	// import (liteChunk); below 0 it books them one by one (importLines).
	chunkLines int
}

var _ Store = (*DB)(nil)

// IsPostgres tells whether a ledger location is a PostgreSQL URL
// (postgres://... or postgresql://...) rather than a SQLite file.
func IsPostgres(location string) bool {
	return strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://")
}

// Open opens (creating and migrating when needed) the ledger at location:
// a SQLite file path, or a PostgreSQL URL.
func Open(location string) (*DB, error) {
	if IsPostgres(location) {
		return openPostgres(location)
	}
	if err := createPrivate(location); err != nil {
		return nil, fmt.Errorf("ledger %s: %w", location, err)
	}
	q := url.Values{}
	// busy_timeout first: the pragmas run in order on every new connection,
	// and journal_mode(WAL) meeting another process's lock without a busy
	// timeout fails at once with SQLITE_BUSY (two nightly runs starting
	// together: the second must wait and be refused by the run lock).
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "cache_size(-131072)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+location+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("ledger %s: %w", location, err)
	}
	// One connection: the pragmas hold for every statement, and writes are
	// serialised anyway. The page cache is 128 MiB (cache_size): an import
	// updates collections and invoices at random, and dirty pages that do not
	// fit are spilled to the WAL before the commit; 128 MiB keeps 1,000,000
	// lines against 1,000,000 open items well inside 512 MiB of memory.
	db.SetMaxOpenConns(1)
	return open(db, dialect{}, location)
}

// openPostgres opens a ledger in PostgreSQL (through pgx's database/sql
// driver). A few connections: imports and the commands of several workers
// run side by side, each import in its own transaction, and the claims'
// heartbeats beside them.
func openPostgres(location string) (*DB, error) {
	db, err := sql.Open("pgx", location)
	if err != nil {
		return nil, fmt.Errorf("ledger %s: %w", redact(location), err)
	}
	db.SetMaxOpenConns(8)
	return open(db, dialect{postgres: true}, redact(location))
}

func open(db *sql.DB, d dialect, name string) (*DB, error) {
	l := &DB{db: &conn{db: db, d: d}, d: d, path: name, now: func() time.Time { return time.Now().UTC() }}
	err := l.migrate(context.Background())
	// Two processes opening a new SQLite ledger together both ask for the
	// lock that switches it to WAL; SQLite refuses one of them at once
	// (waiting could deadlock), busy timeout or not. That refusal is over
	// as soon as the other has switched: try again, for as long as the
	// busy timeout would have waited.
	for deadline := time.Now().Add(10 * time.Second); err != nil && !d.postgres && isBusy(err) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		err = l.migrate(context.Background())
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("ledger %s: %w", name, err)
	}
	return l, nil
}

// isBusy reports whether err is SQLite's SQLITE_BUSY.
func isBusy(err error) bool {
	s := err.Error()
	return strings.Contains(s, "SQLITE_BUSY") || strings.Contains(s, "database is locked")
}

// Describe names a ledger location for messages: the file path, or the
// database URL without its password.
func Describe(location string) string {
	if !IsPostgres(location) {
		return location
	}
	return redact(location)
}

// redact hides the passwords of a database URL in messages: the one in
// user:password@ and those given as parameters (see secretParams).
func redact(location string) string {
	u, err := url.Parse(location)
	if err != nil {
		return "(database URL)"
	}
	u.RawQuery = redactQuery(u.RawQuery)
	return u.Redacted()
}

// Close releases the run locks and claims taken through l and closes the
// ledger.
func (l *DB) Close() error { return errors.Join(l.releaseClaims(), l.releaseLocks(), l.db.Close()) }

// SchemaVersion returns the highest migration applied.
func (l *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := l.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

func (l *DB) migrate(ctx context.Context) error {
	if err := l.createMigrationsTable(ctx); err != nil {
		return err
	}
	v, err := l.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this batchtool knows (%d): upgrade batchtool", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := l.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		// Two runs starting at once: one migrates, the other waits (for
		// SQLite's write lock, taken when the transaction begins, or for
		// PostgreSQL's advisory lock) and finds it done.
		if l.d.postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(20261130)`); err != nil {
				tx.Rollback()
				return err
			}
		}
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&done); err != nil {
			tx.Rollback()
			return err
		}
		if done > i {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, l.d.ddl(migrations[i])); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, i+1, l.stamp()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

func (l *DB) stamp() string { return l.now().Format(time.RFC3339Nano) }

// BeginRun records the start of a command in the run log.
func (l *DB) BeginRun(ctx context.Context, command string) (int64, error) {
	id, _, err := l.d.insertID(ctx, l.db, `INSERT INTO runs (command, started_at) VALUES (?, ?)`, command, l.stamp())
	return id, err
}

// FinishRun records the end of a run and its summary (JSON).
func (l *DB) FinishRun(ctx context.Context, id int64, summary string) error {
	_, err := l.db.ExecContext(ctx, `UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?`, l.stamp(), summary, id)
	return err
}

// Counts returns the size of the ledger.
func (l *DB) Counts(ctx context.Context) (Counts, error) {
	c := Counts{Collections: map[reconcile.Status]int{}, Invoices: map[reconcile.Status]int{}, Requests: map[string]int{}}
	for _, q := range []struct {
		sql string
		dst *int
	}{
		{`SELECT COUNT(*) FROM batches`, &c.Batches},
		{`SELECT COUNT(*) FROM statement_files`, &c.Files},
		{`SELECT COUNT(*) FROM statement_lines`, &c.Lines},
		{`SELECT COUNT(*) FROM matches`, &c.Matches},
		{`SELECT COUNT(*) FROM runs`, &c.Runs},
	} {
		if err := l.db.QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
			return c, err
		}
	}
	for _, q := range []struct {
		sql string
		set func(status string, n int)
	}{
		{`SELECT status, COUNT(*) FROM collections GROUP BY status`, func(s string, n int) { c.Collections[reconcile.Status(s)] = n }},
		{`SELECT status, COUNT(*) FROM invoices GROUP BY status`, func(s string, n int) { c.Invoices[reconcile.Status(s)] = n }},
		{`SELECT status, COUNT(*) FROM payment_requests GROUP BY status`, func(s string, n int) { c.Requests[s] = n }},
	} {
		rows, err := l.db.QueryContext(ctx, q.sql)
		if err != nil {
			return c, err
		}
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				rows.Close()
				return c, err
			}
			q.set(s, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return c, err
		}
	}
	return c, nil
}

// boolInt stores a flag as 0 or 1, an INTEGER in SQLite and PostgreSQL
// alike.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func dateText(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format("2006-01-02")
}

func parseDate(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	t, _ := time.Parse("2006-01-02", s.String)
	return t
}

func parseMoney(s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return d, fmt.Errorf("ledger: bad amount %q in the database: %w", s, err)
	}
	return d, nil
}

// ErrAmount is returned for an open item whose amount has more than two
// decimals or is not positive.
var ErrAmount = errors.New("amount must be positive with at most 2 decimals")

func cents(d decimal.Decimal) (int64, error) {
	c := d.Shift(2)
	if !c.IsInteger() || d.Sign() <= 0 {
		return 0, fmt.Errorf("%w: %s", ErrAmount, d.String())
	}
	return c.IntPart(), nil
}

// findingsOf returns the reader's findings (nil-safe).
func findingsOf(r statement.Reader) []finding.Finding {
	if r == nil {
		return nil
	}
	return r.Findings()
}
