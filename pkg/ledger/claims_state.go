package ledger

import (
	"context"
	"time"
)

// LiveClaims returns the claims of kind that a worker holds now, by key:
// not done, the lease running, and the holder not a process of this host
// known to be gone. This process's own claims are among them.
func (l *DB) LiveClaims(ctx context.Context, kind ClaimKind) (map[string]ClaimState, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT key, owner, expires_ms, attempts FROM claims
		WHERE kind = ? AND done_at IS NULL AND expires_ms >= `+l.d.nowMS(), string(kind))
	if err != nil {
		return nil, err
	}
	out := map[string]ClaimState{}
	err = scanEach(rows, func() error {
		s := ClaimState{Kind: kind}
		var ms int64
		if err := rows.Scan(&s.Key, &s.Owner, &ms, &s.Attempts); err != nil {
			return err
		}
		if !deadHere(s.Owner) {
			s.Expires = time.UnixMilli(ms).UTC()
			out[s.Key] = s
		}
		return nil
	})
	return out, err
}

// Mine tells whether the claim's holder is this process.
func (s *ClaimState) Mine() bool {
	self, _, _ := holderHere(s.Owner)
	return self
}
