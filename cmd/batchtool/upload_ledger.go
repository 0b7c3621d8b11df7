package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// ledgerUploadHooks connects `collect upload` to the ledger: a batch whose
// PmtInfId or any EndToEndId the ledger knows as uploaded is refused, and a
// batch the platform took (or already held) is recorded.
func ledgerUploadHooks(path string) uploadHooks {
	return uploadHooks{
		check: func(ctx context.Context, b *batchSummary) error {
			l, err := ledger.Open(path)
			if err != nil {
				return err
			}
			defer l.Close()
			for _, p := range b.PmtInfIDs {
				if u, err := l.Uploaded(ctx, ledger.UploadBatch, p); err != nil {
					return err
				} else if u != nil {
					return fmt.Errorf("the ledger %s says batch %s was uploaded on %s", ledger.Describe(path), p, u.At.Format("2006-01-02 15:04"))
				}
				for _, e := range b.E2E[p] {
					if u, err := l.Uploaded(ctx, ledger.UploadCollection, e); err != nil {
						return err
					} else if u != nil {
						return fmt.Errorf("the ledger %s says collection %s was uploaded on %s", ledger.Describe(path), e, u.At.Format("2006-01-02 15:04"))
					}
				}
			}
			return nil
		},
		record: func(ctx context.Context, b *batchSummary, held []twikey.Collection) error {
			l, err := ledger.Open(path)
			if err != nil {
				return err
			}
			defer l.Close()
			digest, err := sha256File(b.File)
			if err != nil {
				return err
			}
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
		},
	}
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
