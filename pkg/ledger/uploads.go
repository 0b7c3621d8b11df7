package ledger

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Kinds of upload the ledger remembers.
const (
	UploadBatch      = "batch"      // key: PmtInfId
	UploadCollection = "collection" // key: EndToEndId
	UploadInvoice    = "invoice"    // key: invoice number
)

// Upload is one thing sent to the platform.
type Upload struct {
	Kind        string
	Key         string
	Digest      string // SHA-256 (hex) of the file sent
	PlatformRef string // the platform's id, when it gave one
	At          time.Time
}

// RecordUploads remembers uploads in one transaction. Recording the same
// kind and key again keeps the first record: the first upload is the one
// the platform holds.
func (l *DB) RecordUploads(ctx context.Context, ups []Upload) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO uploads (kind, key, digest, platform_ref, uploaded_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, key) DO NOTHING`)
	if err != nil {
		return err
	}
	defer st.Close()
	now := l.stamp()
	for _, u := range ups {
		if _, err := st.ExecContext(ctx, u.Kind, u.Key, u.Digest, u.PlatformRef, now); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Uploaded returns the record of an upload, or nil when kind and key were
// never uploaded.
func (l *DB) Uploaded(ctx context.Context, kind, key string) (*Upload, error) {
	u := Upload{Kind: kind, Key: key}
	var at string
	err := l.db.QueryRowContext(ctx, `SELECT digest, platform_ref, uploaded_at FROM uploads WHERE kind = ? AND key = ?`, kind, key).
		Scan(&u.Digest, &u.PlatformRef, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u.At, _ = time.Parse(time.RFC3339Nano, at)
	return &u, nil
}
