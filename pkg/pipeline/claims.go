package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/batchtool/batchtool/pkg/ledger"
)

// Workers. On PostgreSQL several workers (nightly runs on several
// machines, or several processes) share one ledger and split the night's
// work without a run lock: each unit — a due file, an upload, a platform
// file, a payment request — is claimed in the ledger (ledger.Claim) by
// the one worker that does it; the others report it as done elsewhere. On
// SQLite one machine owns the ledger file and the night holds the run
// lock: nothing is claimed.

// Shared tells whether the ledger is shared by workers that claim their
// units of work (PostgreSQL).
func Shared(l *ledger.DB) bool { return l.Postgres() }

// Elsewhere is a unit of work another worker holds or did; the step that
// met it reports it and leaves it.
type Elsewhere struct {
	Kind  ledger.ClaimKind
	Key   string
	Owner string    // host:pid:nonce of the worker holding it or that did it
	Until time.Time // held: when its lease ends unless renewed; zero once done
	Done  bool      // done: never done again
	At    time.Time // done: when, on the clock of the worker that did it
}

// Before tells whether the unit was done before t: by an earlier run, not
// by a worker of this one.
func (e *Elsewhere) Before(t time.Time) bool { return e.Done && !e.At.IsZero() && e.At.Before(t) }

func (e *Elsewhere) String() string {
	if e.Done {
		return fmt.Sprintf("done by worker %s on %s: not done again", e.Owner, e.At.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("claimed by worker %s (lease until %s): left to it", e.Owner, e.Until.UTC().Format(time.RFC3339))
}

// claim takes the unit kind/key for this worker on a shared ledger. It
// returns the claim (nil on SQLite: the run lock is held), or the worker
// holding or having done the unit, or an error of the ledger.
func claim(ctx context.Context, l *ledger.DB, kind ledger.ClaimKind, key string) (*ledger.Claim, *Elsewhere, error) {
	if !Shared(l) {
		return nil, nil, nil
	}
	c, err := l.Claim(ctx, kind, key)
	var held *ledger.HeldError
	var done *ledger.DoneError
	switch {
	case err == nil:
		return c, nil, nil
	case errors.As(err, &held):
		return nil, &Elsewhere{Kind: kind, Key: key, Owner: held.Owner, Until: held.Expires}, nil
	case errors.As(err, &done):
		at, _ := time.Parse(time.RFC3339Nano, done.At)
		return nil, &Elsewhere{Kind: kind, Key: key, Owner: done.Owner, Done: true, At: at}, nil
	}
	return nil, nil, err
}

// finish ends a claim: done when ok (no worker does the unit again), else
// released for the next worker to take at once. A nil claim (SQLite) is
// nothing to end. It returns ledger.ErrClaimLost (wrapped) when the lease
// ran out meanwhile and another worker took the unit over.
func finish(ctx context.Context, c *ledger.Claim, ok bool) error {
	if c == nil {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	if ok {
		return c.Done(ctx)
	}
	return c.Release(ctx)
}

// Unit is one unit of a night's work, named as it is claimed: a due file
// (ledger.ClaimDue, its digest), a batch upload (ledger.ClaimUpload, the
// batch's SHA-256) or invoice upload (ledger.ClaimUpload, "invoice" and its
// number), a platform file downloaded (ledger.ClaimFile, its name), a
// statement file imported (ledger.ClaimStatement, its SHA-256), a payment
// request sent (ledger.ClaimRequest, provider:external id) or booked or
// closed by a sync ("sync provider:external id", under the claim of the
// provider's sync, "sync provider"). The units the workers of one night
// did are together what one worker alone would have done, each once.
type Unit struct {
	Kind ledger.ClaimKind `json:"kind"`
	Key  string           `json:"key"`
}

// did records a unit this run did.
func (n *night) did(kind ledger.ClaimKind, key string) {
	n.res.Done = append(n.res.Done, Unit{Kind: kind, Key: key})
}

// left records a unit this run found held or done by another worker.
func (n *night) left(kind ledger.ClaimKind, key string) {
	n.res.Elsewhere = append(n.res.Elsewhere, Unit{Kind: kind, Key: key})
}

// ClaimBatch claims the upload of a batch on a shared ledger under the key
// a nightly worker uses (its file's SHA-256), so that a single `collect
// upload` and the workers never send one batch twice. It returns the
// worker that holds or did the upload instead, or release, which ends the
// claim: done when sent, else free for the next worker at once. On SQLite
// nothing is claimed (the run lock is held) and release does nothing.
func ClaimBatch(ctx context.Context, l *ledger.DB, b *Batch) (release func(sent bool) error, other *Elsewhere, err error) {
	none := func(bool) error { return nil }
	c, other, err := claim(ctx, l, ledger.ClaimUpload, b.SHA256)
	if c == nil {
		return none, other, err
	}
	return func(sent bool) error { return finish(ctx, c, sent) }, nil, nil
}
