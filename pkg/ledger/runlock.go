package ledger

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The run lock is one row of the run_lock table (migration 5): the process
// holding it, its command, since when, and a lease the holder renews while
// it runs. Two runs never change the ledger or talk to the platform at
// once; a second one is refused with a *LockedError instead of waiting on
// the database (SQLITE_BUSY) or seeing the first one's half-done work (an
// upload refused because the other run had just sent it). A run killed
// with its lock held stops renewing: its lease ends, and the next run takes
// the lock over.
const (
	// RunLockLease is how long a lock lives without being renewed.
	RunLockLease = 2 * time.Minute
	// runLockName is the row: one lock for every run of a ledger.
	runLockName = "run"
)

// LockedError says that another run holds the ledger's run lock.
type LockedError struct {
	Command string    // what the other run is doing, e.g. "nightly"
	Holder  string    // host:pid:nonce of its process
	Since   time.Time // when it took the lock
	Expires time.Time // when its lease ends unless renewed
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another run (%s) is in progress since %s (holder %s, lease renewed until %s)",
		e.Command, e.Since.UTC().Format(time.RFC3339), e.Holder, e.Expires.UTC().Format(time.RFC3339))
}

// ErrLockLost is what Release returns when the lock was taken over while it
// was held: the holder did not renew its lease for RunLockLease (the
// process was stopped, or its database unreachable).
var ErrLockLost = errors.New("run lock lost: another run took it over after the lease ran out")

// RunLock is the ledger's run lock, held by this process.
type RunLock struct {
	l         *DB
	holder    string
	reentrant bool // this process held it already: Release leaves it held

	stop chan struct{}
	done chan struct{}
	once sync.Once
	mu   sync.Mutex
	lost bool
}

// AcquireRunLock takes the ledger's run lock for command, or returns a
// *LockedError naming the run that holds it. The lock is re-entrant for
// the process holding it: nightly runs the other commands in-process, and
// they take the lock again without being refused. The lock of a process of
// this host that is gone is taken over at once; one held on another host
// once its lease ran out; a live process of this host keeps it even then
// (a long transaction on SQLite can delay the renewal). Hosts are told
// apart by name: containers sharing one ledger need distinct host names
// (Docker's default), as their process ids are not comparable. While
// held, the lease is renewed every RunLockLease/4; Release ends it. Closing
// the ledger releases the locks taken through it.
func (l *DB) AcquireRunLock(ctx context.Context, command string) (*RunLock, error) {
	holder, err := newHolder()
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		lk, err := l.tryRunLock(ctx, holder, command)
		if err != nil || lk != nil {
			if lk != nil {
				l.track(lk)
				lk.start()
			}
			return lk, err
		}
		if attempt == 3 {
			return nil, fmt.Errorf("ledger: run lock: it changed hands %d times while being taken", attempt+1)
		}
	}
}

// tryRunLock makes one attempt: the lock, a *LockedError, or neither when
// the row changed between reading and writing it (the caller tries again).
func (l *DB) tryRunLock(ctx context.Context, holder, command string) (*RunLock, error) {
	now := l.now()
	since, expires := now.Format(time.RFC3339Nano), now.Add(l.lease()).Format(time.RFC3339Nano)
	res, err := l.db.ExecContext(ctx, `INSERT INTO run_lock (name, holder, command, since, expires_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, runLockName, holder, command, since, expires)
	if err != nil {
		return nil, runLockErr(err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return &RunLock{l: l, holder: holder}, nil
	}
	var cur LockedError
	var curSince, curExpires string
	err = l.db.QueryRowContext(ctx, `SELECT holder, command, since, expires_at FROM run_lock WHERE name = ?`, runLockName).
		Scan(&cur.Holder, &cur.Command, &curSince, &curExpires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil // released meanwhile
	}
	if err != nil {
		return nil, runLockErr(err)
	}
	cur.Since, _ = time.Parse(time.RFC3339Nano, curSince)
	cur.Expires, _ = time.Parse(time.RFC3339Nano, curExpires)
	self, alive, known := holderHere(cur.Holder)
	switch {
	case self:
		return &RunLock{l: l, holder: cur.Holder, reentrant: true}, nil
	case known && !alive:
		// A process of this host that is gone: killed, its lease not
		// ended yet. Nothing renews it any more.
	case now.Before(cur.Expires):
		return nil, &cur
	case known && alive:
		// The lease ran out but the holder lives: it is slow (a long
		// SQLite transaction delays its renewal), not dead.
		return nil, &cur
	}
	// The holder was killed: take its lock over, if no one else did first.
	res, err = l.db.ExecContext(ctx, `UPDATE run_lock SET holder = ?, command = ?, since = ?, expires_at = ? WHERE name = ? AND holder = ? AND expires_at = ?`,
		holder, command, since, expires, runLockName, cur.Holder, curExpires)
	if err != nil {
		return nil, runLockErr(err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return &RunLock{l: l, holder: holder}, nil
	}
	return nil, nil
}

// runLockErr says what failed; a SQLite database locked by another process
// for longer than its busy timeout is another run at work.
func runLockErr(err error) error {
	if isBusy(err) {
		return fmt.Errorf("another run is in progress (the ledger stayed locked by another process): %w", err)
	}
	return fmt.Errorf("ledger: run lock: %w", err)
}

// newHolder names this process and this acquisition: host:pid:nonce.
func newHolder() (string, error) {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return host + ":" + strconv.Itoa(os.Getpid()) + ":" + hex.EncodeToString(b[:]), nil
}

// holderHere tells what a holder (host:pid:nonce) is on this host: this
// process (self), or a process of this host that is alive or gone (known
// false when the holder is of another host, or the platform cannot tell).
func holderHere(holder string) (self, alive, known bool) {
	host, pid, ok := parseHolder(holder)
	if here, _ := os.Hostname(); !ok || host != here {
		return false, false, false
	}
	if pid == os.Getpid() {
		return true, true, true
	}
	alive, known = processAlive(pid)
	return false, alive, known
}

// parseHolder splits host:pid:nonce.
func parseHolder(h string) (host string, pid int, ok bool) {
	i := strings.LastIndexByte(h, ':')
	if i < 0 {
		return "", 0, false
	}
	j := strings.LastIndexByte(h[:i], ':')
	if j < 0 {
		return "", 0, false
	}
	pid, err := strconv.Atoi(h[j+1 : i])
	return h[:j], pid, err == nil
}

// Holder is host:pid:nonce of the process holding the lock.
func (lk *RunLock) Holder() string { return lk.holder }

// Reentrant tells whether this process held the lock already when it was
// taken (a command nightly runs in-process).
func (lk *RunLock) Reentrant() bool { return lk.reentrant }

func (lk *RunLock) start() {
	lk.stop, lk.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(lk.done)
		t := time.NewTicker(lk.l.lease() / 4)
		defer t.Stop()
		for {
			select {
			case <-lk.stop:
				return
			case <-t.C:
				if !lk.renew() {
					return
				}
			}
		}
	}()
}

// renew extends the lease; false once the lock was found taken over. An
// error of the database is not a loss: the next tick tries again.
func (lk *RunLock) renew() bool {
	ctx, cancel := context.WithTimeout(context.Background(), lk.l.lease()/4)
	defer cancel()
	res, err := lk.l.db.ExecContext(ctx, `UPDATE run_lock SET expires_at = ? WHERE name = ? AND holder = ?`,
		lk.l.now().Add(lk.l.lease()).Format(time.RFC3339Nano), runLockName, lk.holder)
	if err != nil {
		return true
	}
	if n, _ := res.RowsAffected(); n == 0 {
		lk.mu.Lock()
		lk.lost = true
		lk.mu.Unlock()
		return false
	}
	return true
}

// Release stops renewing the lease and gives the lock up (a re-entrant
// lock stays with the outer holder). It returns ErrLockLost when the lock
// was taken over meanwhile. Calling it again does nothing.
func (lk *RunLock) Release() error {
	var err error
	lk.once.Do(func() {
		close(lk.stop)
		<-lk.done
		lk.l.untrack(lk)
		lk.mu.Lock()
		lost := lk.lost
		lk.mu.Unlock()
		if lost {
			err = ErrLockLost
			return
		}
		if lk.reentrant {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err = lk.l.db.ExecContext(ctx, `DELETE FROM run_lock WHERE name = ? AND holder = ?`, runLockName, lk.holder)
		if err != nil {
			err = fmt.Errorf("ledger: releasing the run lock: %w", err)
		}
	})
	return err
}

// runLocks are the run locks taken through one DB, released when it
// closes.
type runLocks struct {
	mu     sync.Mutex
	held   []*RunLock
	claims []*Claim      // claims held (claims.go)
	lease  time.Duration // RunLockLease; shorter in tests
}

func (l *DB) lease() time.Duration {
	if l.locks.lease > 0 {
		return l.locks.lease
	}
	return RunLockLease
}

func (l *DB) track(lk *RunLock) {
	l.locks.mu.Lock()
	l.locks.held = append(l.locks.held, lk)
	l.locks.mu.Unlock()
}

func (l *DB) untrack(lk *RunLock) {
	l.locks.mu.Lock()
	defer l.locks.mu.Unlock()
	for i, h := range l.locks.held {
		if h == lk {
			l.locks.held = append(l.locks.held[:i], l.locks.held[i+1:]...)
			return
		}
	}
}

// releaseLocks releases the run locks still held through l.
func (l *DB) releaseLocks() error {
	l.locks.mu.Lock()
	held := append([]*RunLock(nil), l.locks.held...)
	l.locks.mu.Unlock()
	var errs []error
	for _, lk := range held {
		errs = append(errs, lk.Release())
	}
	return errors.Join(errs...)
}
