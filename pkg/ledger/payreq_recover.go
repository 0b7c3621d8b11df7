package ledger

import "context"

// AdoptPaymentRequests makes run the owner of the requests of provider that
// earlier runs left unfinished: every pending one (recorded, perhaps sent,
// its answer never recorded), and every open one whose run never finished
// (killed after sending, before it listed the links for finance). The
// caller holds the run lock, so no other run is still at work on them: it
// recovers the pending ones at once and lists all of them as new, so no
// link the provider holds is left unsent. It returns how many it took.
func (l *DB) AdoptPaymentRequests(ctx context.Context, provider string, run int64) (int, error) {
	res, err := l.db.ExecContext(ctx, `UPDATE payment_requests SET run_id = ?
		WHERE provider = ? AND (run_id IS NULL OR run_id <> ?) AND (status = ?
			OR (status = ? AND EXISTS (SELECT 1 FROM runs r WHERE r.id = payment_requests.run_id AND r.finished_at IS NULL)))`,
		run, provider, run, RequestPending, RequestOpen)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
