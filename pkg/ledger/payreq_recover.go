package ledger

import (
	"context"
	"database/sql"
	"strconv"
)

// RequestClaimKey is the key of a payment request's claim (ClaimRequest):
// its provider and external id, which the provider keeps unique.
func RequestClaimKey(provider, externalID string) string { return provider + ":" + externalID }

// RunClaimKey is the key of the claim a run sending payment requests holds
// while it works (ClaimRun): its run log id.
func RunClaimKey(run int64) string { return strconv.FormatInt(run, 10) }

// AdoptPaymentRequests makes run the owner of the requests of provider that
// earlier runs left unfinished: every pending one (recorded, perhaps sent,
// its answer never recorded), and every open one whose run never finished
// (killed after sending, before it listed the links for finance), so no
// link the provider holds is left unsent. It returns how many it took.
//
// A request another worker is at work on is left to it: one whose own
// claim (ClaimRequest, RequestClaimKey) is live — it is being sent right
// now — or whose run's claim (ClaimRun, RunClaimKey) is live — its run
// lists it, or recovers it the next time (a send that failed). Only the requests of dead workers (killed, their lease
// run out or their process gone from this host) and of runs that held no
// claim are taken, each by one run: the update names the run it takes the
// request from. The caller claims each pending request before it
// recovers it.
func (l *DB) AdoptPaymentRequests(ctx context.Context, provider string, run int64) (int, error) {
	now := l.d.nowMS()
	rows, err := l.db.QueryContext(ctx, `SELECT p.id, p.status, COALESCE(p.run_id, 0),
			rc.owner, rc.expires_ms - `+now+`, rc.done_at, uc.owner, uc.expires_ms - `+now+`, uc.done_at
		FROM payment_requests p
		LEFT JOIN claims rc ON rc.kind = ? AND rc.key = p.provider || ':' || p.external_id
		LEFT JOIN claims uc ON uc.kind = ? AND uc.key = CAST(p.run_id AS TEXT)
		WHERE p.provider = ? AND (p.run_id IS NULL OR p.run_id <> ?) AND (p.status = ?
			OR (p.status = ? AND EXISTS (SELECT 1 FROM runs r WHERE r.id = p.run_id AND r.finished_at IS NULL)))
		ORDER BY p.id`,
		string(ClaimRequest), string(ClaimRun), provider, run, RequestPending, RequestOpen)
	if err != nil {
		return 0, err
	}
	type orphan struct {
		id, run int64
		status  string
	}
	var take []orphan
	err = scanEach(rows, func() error {
		var o orphan
		var rOwner, rDone, uOwner, uDone sql.NullString
		var rLeft, uLeft sql.NullInt64
		if err := rows.Scan(&o.id, &o.status, &o.run, &rOwner, &rLeft, &rDone, &uOwner, &uLeft, &uDone); err != nil {
			return err
		}
		if !liveClaim(rOwner, rLeft, rDone) && !liveClaim(uOwner, uLeft, uDone) {
			take = append(take, o)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range take {
		res, err := l.db.ExecContext(ctx, `UPDATE payment_requests SET run_id = ? WHERE id = ? AND status = ? AND COALESCE(run_id, 0) = ?`,
			run, o.id, o.status, o.run)
		if err != nil {
			return n, err
		}
		if k, _ := res.RowsAffected(); k == 1 {
			n++
		}
	}
	return n, nil
}

// liveClaim tells whether a claim read through a LEFT JOIN is held now:
// there is one, it is not done, its lease runs, and its holder is not a
// process of this host that is gone.
func liveClaim(owner sql.NullString, left sql.NullInt64, done sql.NullString) bool {
	return owner.Valid && !done.Valid && left.Int64 >= 0 && !deadHere(owner.String)
}
