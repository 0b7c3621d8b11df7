package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Claims spread the night's work over workers sharing one ledger — several
// machines against one PostgreSQL database, or several processes on one
// SQLite file — without a server of their own: a unit of work (a due file
// to build, a batch to upload, a statement file to import, a payment
// request to send) is one row of the claims table (migration 8), named by
// its kind and key. A worker takes it with one INSERT ... ON CONFLICT DO
// UPDATE that succeeds only when the unit is new, or its holder's lease
// ran out and it is not done; the holder renews its lease while it works
// (a heartbeat every lease/3, sooner after a failed renewal) and marks it
// done once — in the transaction of the work itself where there is one
// (Import), so the work and its mark commit together. A worker killed with
// -9 stops renewing: its lease runs out, and the next worker to ask takes
// the unit over. The lease is counted on the database's clock, so machines
// whose clocks differ agree on when it ends.
//
// On SQLite the same SQL runs; the database lock serialises the writers
// of one machine, so a claim there only keeps two processes from doing
// the same unit one after the other.

// Postgres tells whether the ledger is a PostgreSQL database, which
// workers on several machines can share.
func (l *DB) Postgres() bool { return l.d.postgres }

// ClaimKind is what a claim is for.
type ClaimKind string

// The kinds of unit the night's work is split into.
const (
	ClaimDue       ClaimKind = "due"       // a due file to build a batch from; key: the file's digest
	ClaimUpload    ClaimKind = "upload"    // a batch to upload; key: its file's SHA-256 or PmtInfId
	ClaimStatement ClaimKind = "statement" // a fetched statement file to import; key: its SHA-256
	ClaimRequest   ClaimKind = "payreq"    // a payment request to send (key: provider:external id); a provider to sync ("sync provider")
	ClaimFile      ClaimKind = "file"      // a platform file to download and import; key: its name
	ClaimListing   ClaimKind = "listing"   // the platform's files feed (generate, list): held, then released
	ClaimRun       ClaimKind = "run"       // a run sending payment requests; key: its run log id
	ClaimUploading ClaimKind = "uploading" // a night uploading its batches and invoices; key: the worker
)

// ClaimLease is how long a claim lives without being renewed.
const ClaimLease = 2 * time.Minute

// ErrDone is returned (wrapped) by Claim for a unit a worker finished.
var ErrDone = errors.New("already done")

// ErrClaimLost is returned by Done when the claim's lease ran out and
// another worker took the unit over: the work must not be kept.
var ErrClaimLost = errors.New("claim lost: its lease ran out and another worker took the unit over")

// HeldError says that another worker holds a unit, and until when its
// lease runs unless renewed.
type HeldError struct {
	Kind    ClaimKind
	Key     string
	Owner   string // host:pid:nonce of the worker holding it
	Expires time.Time
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%s %s: claimed by worker %s (lease until %s)", e.Kind, e.Key, e.Owner, e.Expires.UTC().Format(time.RFC3339))
}

// DoneError is Claim's answer for a unit a worker finished; it wraps
// ErrDone.
type DoneError struct {
	Kind  ClaimKind
	Key   string
	Owner string // host:pid:nonce of the worker that did it
	At    string // when, RFC 3339 on that worker's clock
}

func (e *DoneError) Error() string {
	return fmt.Sprintf("%s %s: %v by worker %s on %s", e.Kind, e.Key, ErrDone, e.Owner, e.At)
}

func (e *DoneError) Unwrap() error { return ErrDone }

// Claim is a unit of work held by this worker.
type Claim struct {
	Kind     ClaimKind
	Key      string
	Owner    string // host:pid:nonce: every claim is a worker of its own
	Attempts int    // 1 for the first worker; more when a lease ran out

	l      *DB
	cancel context.CancelFunc
	beat   chan struct{} // closed when the heartbeat ends
	once   sync.Once
	mu     sync.Mutex
	lost   bool
}

// nowMS is the database's clock in milliseconds since 1970.
func (d dialect) nowMS() string {
	if d.postgres {
		return `(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT`
	}
	return `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`
}

func (l *DB) claimLease() time.Duration {
	if l.leaseClaims > 0 {
		return l.leaseClaims
	}
	return ClaimLease
}

// Claim takes the unit kind/key for this worker: it is new, or its last
// holder's lease ran out before the unit was done. It returns a *HeldError
// when another worker holds it, and a *DoneError (wrapping ErrDone) when it
// was done. The lease is renewed until Done or Release (or Close of the
// ledger).
func (l *DB) Claim(ctx context.Context, kind ClaimKind, key string) (*Claim, error) {
	owner, err := newHolder()
	if err != nil {
		return nil, err
	}
	now := l.d.nowMS()
	for attempt := 0; attempt < 3; attempt++ {
		var n int
		err := l.db.QueryRowContext(ctx, `INSERT INTO claims (kind, key, owner, expires_ms, attempts, claimed_at)
			VALUES (?, ?, ?, `+now+` + ?, 1, ?)
			ON CONFLICT (kind, key) DO UPDATE SET owner = excluded.owner, expires_ms = excluded.expires_ms,
				attempts = claims.attempts + 1, claimed_at = excluded.claimed_at
			WHERE claims.done_at IS NULL AND claims.expires_ms < `+now+`
			RETURNING attempts`, string(kind), key, owner, l.claimLease().Milliseconds(), l.stamp()).Scan(&n)
		if err == nil {
			return l.held(kind, key, owner, n), nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("ledger: claim %s %s: %w", kind, key, err)
		}
		held := HeldError{Kind: kind, Key: key}
		var expires, left int64
		var done sql.NullString
		err = l.db.QueryRowContext(ctx, `SELECT owner, expires_ms, expires_ms - `+now+`, done_at FROM claims WHERE kind = ? AND key = ?`,
			string(kind), key).Scan(&held.Owner, &expires, &left, &done)
		if err != nil {
			return nil, fmt.Errorf("ledger: claim %s %s: %w", kind, key, err)
		}
		if done.Valid {
			return nil, &DoneError{Kind: kind, Key: key, Owner: held.Owner, At: done.String}
		}
		if left >= 0 && !deadHere(held.Owner) { // the INSERT takes a lease only once it ended: expires_ms < now
			held.Expires = time.UnixMilli(expires).UTC()
			return nil, &held
		}
		if left >= 0 {
			// Its worker ran on this host and is gone (killed): nothing
			// renews the lease any more; take the unit over now rather
			// than when the lease ends, as the run lock does.
			err := l.db.QueryRowContext(ctx, `UPDATE claims SET owner = ?, expires_ms = `+now+` + ?, attempts = attempts + 1, claimed_at = ?
				WHERE kind = ? AND key = ? AND owner = ? AND done_at IS NULL RETURNING attempts`,
				owner, l.claimLease().Milliseconds(), l.stamp(), string(kind), key, held.Owner).Scan(&n)
			if err == nil {
				return l.held(kind, key, owner, n), nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("ledger: claim %s %s: %w", kind, key, err)
			}
		}
		// The lease ran out, or the unit changed hands, between the
		// statements: ask again.
	}
	return nil, fmt.Errorf("ledger: claim %s %s: it changed hands while being taken", kind, key)
}

// held starts the lease of a claim this worker just took.
func (l *DB) held(kind ClaimKind, key, owner string, attempts int) *Claim {
	c := &Claim{Kind: kind, Key: key, Owner: owner, Attempts: attempts, l: l}
	l.trackClaim(c, true)
	c.start()
	return c
}

// start renews the lease every lease/3 until the claim ends; a renewal
// that failed (the database busy or unreachable) is tried again after a
// tenth of the lease, so one slow moment does not cost the claim.
func (c *Claim) start() {
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel, c.beat = cancel, make(chan struct{})
	go func() {
		defer close(c.beat)
		lease := c.l.claimLease()
		next := lease / 3
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(next):
				ok, lost := c.renew(ctx)
				if lost {
					return
				}
				next = lease / 3
				if !ok {
					next = lease / 10
				}
			}
		}
	}()
}

// renew extends the lease: ok when it did, lost once the claim was found
// taken over. An error of the database is neither.
func (c *Claim) renew(ctx context.Context) (ok, lost bool) {
	ctx, cancel := context.WithTimeout(ctx, c.l.claimLease()/5)
	defer cancel()
	res, err := c.l.db.ExecContext(ctx, `UPDATE claims SET expires_ms = `+c.l.d.nowMS()+` + ? WHERE kind = ? AND key = ? AND owner = ? AND done_at IS NULL`,
		c.l.claimLease().Milliseconds(), string(c.Kind), c.Key, c.Owner)
	if err != nil {
		return false, false
	}
	if n, _ := res.RowsAffected(); n == 0 {
		c.mu.Lock()
		c.lost = true
		c.mu.Unlock()
		return false, true
	}
	return true, false
}

// stop ends the heartbeat and waits for it; it reports whether the claim
// was found lost.
func (c *Claim) stop() (lost bool) {
	c.cancel()
	<-c.beat
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lost
}

// Done marks the unit finished: no worker claims it again. It returns
// ErrClaimLost when another worker took it over meanwhile.
func (c *Claim) Done(ctx context.Context) error {
	return c.end(func() error { return c.doneIn(ctx, c.l.db) })
}

// Release gives the unit back unfinished: the next worker to ask takes it
// at once (a step that failed, to be tried again).
func (c *Claim) Release(ctx context.Context) error {
	return c.end(func() error {
		_, err := c.l.db.ExecContext(ctx, `UPDATE claims SET expires_ms = 0 WHERE kind = ? AND key = ? AND owner = ? AND done_at IS NULL`,
			string(c.Kind), c.Key, c.Owner)
		return err
	})
}

// end stops the heartbeat and runs fin, once: later calls do nothing. It
// returns ErrClaimLost when the heartbeat found the claim taken over.
func (c *Claim) end(fin func() error) error {
	var err error
	c.once.Do(func() {
		c.l.trackClaim(c, false)
		if c.stop() {
			err = ErrClaimLost
		} else {
			err = fin()
		}
		if errors.Is(err, ErrClaimLost) {
			err = fmt.Errorf("%s %s: %w", c.Kind, c.Key, err)
		}
	})
	return err
}

// doneIn marks the unit done through x: in the transaction of the work
// itself, the mark commits with the work or not at all.
func (c *Claim) doneIn(ctx context.Context, x execQueryer) error {
	res, err := x.ExecContext(ctx, `UPDATE claims SET done_at = ? WHERE kind = ? AND key = ? AND owner = ? AND done_at IS NULL`,
		c.l.stamp(), string(c.Kind), c.Key, c.Owner)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrClaimLost
	}
	return nil
}

// Once runs fn as the unit kind/key unless another worker holds it or it
// was done: it claims it, runs fn (the lease renewed meanwhile), and marks
// it done when fn succeeds, or releases it when fn fails. It returns the
// claim's error (a *HeldError, ErrDone) without running fn.
func (l *DB) Once(ctx context.Context, kind ClaimKind, key string, fn func(ctx context.Context) error) error {
	c, err := l.Claim(ctx, kind, key)
	if err != nil {
		return err
	}
	if err := fn(ctx); err != nil {
		return errors.Join(err, c.Release(context.WithoutCancel(ctx)))
	}
	return c.Done(ctx)
}

// ClaimState is a claim as the ledger holds it, for status and tests.
type ClaimState struct {
	Kind     ClaimKind
	Key      string
	Owner    string
	Expires  time.Time
	Attempts int
	DoneAt   string // empty while not done
}

// Claims lists the claims of kind, in key order.
func (l *DB) Claims(ctx context.Context, kind ClaimKind) ([]ClaimState, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT key, owner, expires_ms, attempts, done_at FROM claims WHERE kind = ? ORDER BY key`, string(kind))
	if err != nil {
		return nil, err
	}
	var out []ClaimState
	err = scanEach(rows, func() error {
		s := ClaimState{Kind: kind}
		var ms int64
		var done sql.NullString
		if err := rows.Scan(&s.Key, &s.Owner, &ms, &s.Attempts, &done); err != nil {
			return err
		}
		s.Expires, s.DoneAt = time.UnixMilli(ms).UTC(), done.String
		out = append(out, s)
		return nil
	})
	return out, err
}

// trackClaim remembers (or forgets) a claim held through l: Close
// releases the ones still held.
func (l *DB) trackClaim(c *Claim, add bool) {
	l.locks.mu.Lock()
	defer l.locks.mu.Unlock()
	if add {
		l.locks.claims = append(l.locks.claims, c)
		return
	}
	for i, h := range l.locks.claims {
		if h == c {
			l.locks.claims = append(l.locks.claims[:i], l.locks.claims[i+1:]...)
			return
		}
	}
}

// releaseClaims releases the claims still held through l.
func (l *DB) releaseClaims() error {
	l.locks.mu.Lock()
	held := append([]*Claim(nil), l.locks.claims...)
	l.locks.mu.Unlock()
	var errs []error
	for _, c := range held {
		if err := c.Release(context.Background()); err != nil && !errors.Is(err, ErrClaimLost) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deadHere reports whether a claim's owner (host:pid:nonce) is a process
// of this host that no longer runs.
func deadHere(owner string) bool {
	self, alive, known := holderHere(owner)
	return !self && known && !alive
}
