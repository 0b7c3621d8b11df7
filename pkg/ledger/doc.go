// Package ledger is batchtool's only state: the batches and collections
// that were sent, the invoices that are open, every bank statement file and
// line that was read (by SHA-256 and by a stable line identity), the matches
// the reconciler decided (rule and evidence) and a run log.
//
// The store is a SQLite file (modernc.org/sqlite, pure Go: no cgo, one file
// to copy), created and migrated on first use through a versioned
// schema_migrations table. It runs in WAL mode with synchronous=FULL: every
// import is one transaction, so a crash (kill -9, power loss) leaves the
// ledger exactly before or after a file, and a committed import is on disk
// before batchtool reports it — reports go to an ERP, and an import lost
// after its report was delivered would be booked twice there. (NORMAL would
// keep the ledger consistent too, but could lose the last commit on power
// loss; the cost of FULL is one fsync per file.)
//
// Re-running never counts twice:
//   - the same statement file again (same SHA-256) is reported and nothing
//     changes;
//   - a different file repeating lines already booked — a bank re-sending a
//     statement, a camt.053 repeating a camt.052, a CODA and a camt of the
//     same day — is detected line by line: those lines are reported as
//     duplicates and skipped. See LineIdentity for how a line is named;
//     a batch booking is also named transaction by transaction
//     (DetailIdentity), so a batch that CODA splits into several movements
//     and camt books as one entry is one booking.
//   - adding the same batch or invoice again adds nothing;
//   - a payment request (Tikkie, Tinka) is recorded before it is sent, at
//     most one is open per item, and it is booked against its item once:
//     when the provider reports it paid or when its payout is on a
//     statement, whichever comes first.
//
// One run works on a ledger at a time: nightly and the commands that change
// the ledger or call a platform take its run lock (AcquireRunLock), a row
// naming the process and its command with a lease renewed while it lives.
// A second run is refused with a LockedError instead of meeting a busy
// database or the first run's half-done work; a killed run's lock is taken
// over; a pending payment request found under the lock is a dead run's, to
// recover at once.
//
// The same ledger runs on PostgreSQL when several workers share one: Open
// takes a postgres:// URL instead of a file (pgx's database/sql driver).
// The SQL is written once, portable — INSERT ... ON CONFLICT DO NOTHING,
// plain and partial indexes, no SQLite functions — and a small dialect does
// what differs: $1.. placeholders, RETURNING for new ids, BIGINT identity
// columns and BYTEA for the 16-byte identities, index names that do not
// clash with PostgreSQL's constraint indexes, FOR UPDATE, and money:
// NUMERIC there, integer minor units on SQLite (see money.go), each amount
// beside its currency. Dates are 'YYYY-MM-DD' TEXT on both.
//
// SQLite serialises writers with its database lock, and imports line by
// line: a lookup in the process costs microseconds. PostgreSQL has no
// global lock: a file is claimed (Claim: a row with a lease its worker
// renews, marked done in the import's transaction), so a second worker
// given it leaves it to the first, and takes it over only once a killed
// worker's lease ran out; an import works a chunk of entries at a time with
// set-based statements, its lines and matches written with COPY (see
// bulkChunk), updates only the open items it changes, in id order and on
// condition that they are as it read them, and decides a chunk again when
// another worker changed one of them meanwhile; imports of the same
// account queue on an advisory lock of that account (two files repeating
// the same lines are not looked up side by side); a booking of a payment
// request locks its request and item (SELECT ... FOR UPDATE). Two workers
// importing files of different accounts, paying different items, never
// wait on each other; two paying the same item queue on that item's row.
// Migrations run under
// an advisory lock. Big loads refresh the tables' statistics (ANALYZE),
// and the import's statements are planned as index probes, so the time
// stays linear in the lines.
package ledger
