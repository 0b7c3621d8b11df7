package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// Batch is what the local reading of a pain.008 batch found.
type Batch struct {
	File      string            `json:"file"`
	MessageID string            `json:"message_id"`
	Version   string            `json:"version"`
	Count     int64             `json:"transactions"`
	Sum       decimal.Decimal   `json:"-"`      // over every currency: compared with the platform's (EUR) figures only
	Totals    reconcile.Totals  `json:"totals"` // one per currency
	PmtInfIDs []string          `json:"pmtinfids"`
	ReqdDates []string          `json:"collection_dates"`
	Findings  []finding.Finding `json:"findings"`
	// E2E holds the EndToEndIds per PmtInfId, for the ledger's check.
	E2E map[string][]string `json:"-"`
	// SHA256 is the hex SHA-256 of the file as read: the batch's identity
	// in the ledger's uploads and claims.
	SHA256 string `json:"-"`
}

// ReadBatch reads a pain.008 batch: counts, sums, ids and findings. An
// error is a file that cannot be opened; what the reader refuses is a
// finding.
func ReadBatch(path string) (*Batch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	src := io.TeeReader(f, h)
	rd := pain008.NewReader(src, path)
	b := &Batch{File: path, E2E: map[string][]string{}, Totals: reconcile.Totals{}, PmtInfIDs: []string{}, ReqdDates: []string{}}
	dates := map[string]bool{}
	for {
		tx, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Findings = append(b.Findings, errorFinding(path, err))
			break
		}
		b.Count++
		b.Sum = b.Sum.Add(tx.Amount)
		b.Totals.Add(tx.Amount, tx.Currency)
		if _, ok := b.E2E[tx.PmtInfID]; !ok {
			b.PmtInfIDs = append(b.PmtInfIDs, tx.PmtInfID)
		}
		b.E2E[tx.PmtInfID] = append(b.E2E[tx.PmtInfID], tx.EndToEndID)
		if d := tx.CollectionDate.Format(time.DateOnly); !dates[d] {
			dates[d] = true
			b.ReqdDates = append(b.ReqdDates, d)
		}
	}
	if _, err := io.Copy(h, f); err != nil { // what the reader left unread
		return nil, err
	}
	b.SHA256 = hex.EncodeToString(h.Sum(nil))
	b.Findings = append(rd.Findings(), b.Findings...)
	b.MessageID = rd.Header().MsgId
	b.Version = rd.Version()
	if b.Findings == nil {
		b.Findings = []finding.Finding{}
	}
	return b, nil
}

// VersionWarning is a warning when the batch is in a pain.008 version the
// platform does not import (it imports pain.008.001.02), else "".
func (b *Batch) VersionWarning() string {
	if b.Version == "" || b.Version == pain008.Version02 {
		return ""
	}
	return fmt.Sprintf("%s is pain.008.%s; the platform imports pain.008.001.02", b.File, b.Version)
}

// Upload outcomes.
const (
	Imported           = "imported"            // the platform took the batch
	Confirmed          = "confirmed"           // the answer was lost, but the platform holds every collection
	AlreadyUploaded    = "already_uploaded"    // the platform held the batch in full already
	Rejected           = "rejected"            // the platform refused it (its error says why)
	Failed             = "failed"              // the call failed; the platform does not hold it
	ImportedUnrecorded = "imported_unrecorded" // taken, but the ledger could not record it
)

// UploadResult is what Upload did with a batch.
type UploadResult struct {
	Batch       *Batch              `json:"batch"`
	Profile     int64               `json:"profile"`
	Outcome     string              `json:"outcome"` // Imported, Confirmed, AlreadyUploaded, Rejected, Failed, ImportedUnrecorded
	Message     string              `json:"message,omitempty"`
	Error       *twikey.Error       `json:"error,omitempty"`
	Collections []twikey.Collection `json:"collections"` // what the platform holds of the batch
}

// Sent reports whether the platform holds the batch and the ledger knows it.
func (r *UploadResult) Sent() bool {
	return r.Outcome == Imported || r.Outcome == Confirmed || r.Outcome == AlreadyUploaded
}

// UploadOptions are the choices of an upload.
type UploadOptions struct {
	Profile int64 // the platform's collection profile (ct)
	// Force uploads a batch with errors found locally, or one the ledger
	// knows as uploaded.
	Force bool
}

// BatchErrorsError is a batch not uploaded because it has errors.
type BatchErrorsError struct {
	File   string
	Errors int
}

func (e *BatchErrorsError) Error() string {
	return fmt.Sprintf("%s: %d error(s): not uploaded (fix them, or --force to let the platform judge)", e.File, e.Errors)
}

// Upload imports a batch on the platform once. A batch whose PmtInfId or
// any EndToEndId the ledger knows as uploaded is refused (unless Force). A
// failed call is retried by the client only when that is safe; when the
// answer is lost, or the platform calls the file a duplicate, the platform
// is asked what it holds of the batch, so the outcome is never a guess. A
// batch the platform took, or already holds in full, is recorded in the
// ledger. The caller holds the ledger's run lock from before Upload to
// after it: a run at the same time could send the batch in between.
func Upload(ctx context.Context, c *twikey.Client, l *ledger.DB, b *Batch, opt UploadOptions) (*UploadResult, error) {
	if errs, _ := finding.List(b.Findings).Count(); errs > 0 && !opt.Force {
		return nil, &BatchErrorsError{File: b.File, Errors: errs}
	}
	if !opt.Force {
		if err := checkNotUploaded(ctx, l, b); err != nil {
			return nil, fmt.Errorf("%s: %w (--force uploads anyway)", b.File, err)
		}
	}
	res := &UploadResult{Batch: b, Profile: opt.Profile}
	f, err := os.Open(b.File)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	upErr := c.ImportCollection(ctx, opt.Profile, f)
	var apiErr *twikey.Error
	switch {
	case upErr == nil:
		res.Outcome = Imported
	case errors.As(upErr, &apiErr) && apiErr.IsUserError():
		res.Outcome, res.Error, res.Message = Rejected, apiErr, apiErr.Error()
	default:
		res.Outcome, res.Message = Failed, upErr.Error()
	}
	// Ask the platform what it holds of this batch: the answer to show,
	// and the truth when the import's own answer was lost or a duplicate.
	held, qerr := platformCollections(ctx, c, opt.Profile, b)
	res.Collections = held
	if res.Outcome != Imported && qerr == nil && len(held) == len(b.PmtInfIDs) && len(held) > 0 {
		if res.Outcome == Failed {
			res.Outcome = Confirmed
			res.Message = "the answer was lost (" + res.Message + "), but the platform holds every collection of the batch"
		} else if apiErr != nil && apiErr.Code == "invalid_file" {
			res.Outcome = AlreadyUploaded
		}
	}
	if qerr != nil && res.Outcome == Imported {
		res.Message = "imported; listing its collections failed: " + qerr.Error()
	}
	if res.Sent() {
		if err := recordUpload(ctx, l, b, held); err != nil {
			res.Message = strings.TrimPrefix(res.Message+"; ", "; ") + "recording in the ledger failed: " + err.Error()
			res.Outcome = ImportedUnrecorded
		}
	}
	if res.Collections == nil {
		res.Collections = []twikey.Collection{}
	}
	return res, nil
}

// checkNotUploaded fails when the ledger knows any PmtInfId or EndToEndId
// of the batch as uploaded.
func checkNotUploaded(ctx context.Context, l *ledger.DB, b *Batch) error {
	for _, p := range b.PmtInfIDs {
		if u, err := l.Uploaded(ctx, ledger.UploadBatch, p); err != nil {
			return err
		} else if u != nil {
			return fmt.Errorf("the ledger %s says batch %s was uploaded on %s", l.Name(), p, u.At.Format("2006-01-02 15:04"))
		}
		for _, e := range b.E2E[p] {
			if u, err := l.Uploaded(ctx, ledger.UploadCollection, e); err != nil {
				return err
			} else if u != nil {
				return fmt.Errorf("the ledger %s says collection %s was uploaded on %s", l.Name(), e, u.At.Format("2006-01-02 15:04"))
			}
		}
	}
	return nil
}

// recordUpload records every block and collection of a batch the platform
// took (or already held) as uploaded, with the platform's reference.
func recordUpload(ctx context.Context, l *ledger.DB, b *Batch, held []twikey.Collection) error {
	digest := b.SHA256
	ref := map[string]string{}
	for _, c := range held {
		ref[c.PmtInfID] = fmt.Sprint(c.ID)
	}
	var ups []ledger.Upload
	for _, p := range b.PmtInfIDs {
		ups = append(ups, ledger.Upload{Kind: ledger.UploadBatch, Key: p, Digest: digest, PlatformRef: ref[p]})
		for _, e := range b.E2E[p] {
			ups = append(ups, ledger.Upload{Kind: ledger.UploadCollection, Key: e, Digest: digest})
		}
	}
	return l.RecordUploads(ctx, ups)
}

// BatchUploaded tells when the ledger recorded every payment information
// block of the batch as uploaded; ok is false when any is not.
func BatchUploaded(ctx context.Context, l *ledger.DB, b *Batch) (at time.Time, ok bool, err error) {
	for _, p := range b.PmtInfIDs {
		u, err := l.Uploaded(ctx, ledger.UploadBatch, p)
		if err != nil || u == nil {
			return time.Time{}, false, err
		}
		at = u.At
	}
	return at, len(b.PmtInfIDs) > 0, nil
}

// platformCollections returns the platform's collections of the batch,
// looked up by profile and collection date and matched by PmtInfId.
func platformCollections(ctx context.Context, c *twikey.Client, ct int64, b *Batch) ([]twikey.Collection, error) {
	want := map[string]bool{}
	for _, id := range b.PmtInfIDs {
		want[id] = true
	}
	var out []twikey.Collection
	for _, d := range b.ReqdDates {
		day, _ := time.Parse(time.DateOnly, d)
		for page := 0; page < 100; page++ {
			p, err := c.QueryCollections(ctx, twikey.CollectionQuery{CT: ct, ReqCollDate: day, Page: page})
			if err != nil {
				return out, err
			}
			for _, col := range p.Collections {
				if want[col.PmtInfID] {
					out = append(out, col)
					delete(want, col.PmtInfID)
				}
			}
			if len(p.Collections) < 50 {
				break
			}
		}
	}
	return out, nil
}
