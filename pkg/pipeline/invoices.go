package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/statement"
	"github.com/batchtool/batchtool/pkg/twikey"
	"github.com/batchtool/batchtool/pkg/ubl"
)

// InvoiceCheck is what the checks of one UBL file found.
type InvoiceCheck struct {
	File           string            `json:"file"`
	Document       string            `json:"document,omitempty"`
	Number         string            `json:"number,omitempty"`
	Customer       string            `json:"customer,omitempty"`
	CustomerNumber string            `json:"customer_number,omitempty"`
	Payable        string            `json:"payable,omitempty"`
	Currency       string            `json:"currency,omitempty"`
	Credit         bool              `json:"credit,omitempty"` // a credit note (root or type code)
	Errors         int               `json:"errors"`
	Warnings       int               `json:"warnings"`
	Findings       []finding.Finding `json:"findings"`
}

// CheckInvoice reads one UBL invoice or credit note and applies the EN
// 16931 rules and the platform's field mapping.
func CheckInvoice(name string, r io.Reader) InvoiceCheck {
	row := InvoiceCheck{File: name}
	inv, fl, err := ubl.Read(r, name)
	row.Findings = fl
	if err != nil {
		row.Findings = append(row.Findings, errorFinding(name, err))
	}
	if inv != nil && err == nil {
		row.Findings = append(row.Findings, inv.Validate()...)
		m, _ := inv.Mapping()
		row.Document = inv.Root()
		row.Number = inv.Number
		row.Customer = inv.Customer.DisplayName()
		row.CustomerNumber = m.CustomerNumber
		row.Currency = inv.Currency
		if pa := inv.Totals.PayableAmount; pa.IsSet() {
			row.Payable = statement.FormatAmount(pa.Value, inv.Currency)
		}
		row.Credit = inv.IsCredit()
	}
	if row.Findings == nil {
		row.Findings = []finding.Finding{}
	}
	row.Errors, row.Warnings = finding.List(row.Findings).Count()
	return row
}

// MaxInvoiceSize bounds one UBL file: it is held in memory to be checked
// and then sent (invoices with embedded PDFs run to a few MB).
const MaxInvoiceSize = 64 << 20

// Invoice upload statuses.
const (
	InvoiceUploaded        = "uploaded"
	InvoiceAlreadyUploaded = "already uploaded" // the same file, by the ledger
	InvoiceSkipped         = "skipped"          // errors found locally, or the number uploaded from another file
	InvoiceFailed          = "failed"           // the platform refused it, or the file could not be read
	InvoiceElsewhere       = "elsewhere"        // another worker sharing the ledger is uploading it now
)

// InvoiceUpload is one file of an invoice upload.
type InvoiceUpload struct {
	File     string
	Number   string
	Payable  string
	Currency string
	Status   string // InvoiceUploaded, InvoiceAlreadyUploaded, InvoiceSkipped, InvoiceFailed
	Platform *twikey.Invoice
	Message  string
	Findings []finding.Finding
}

// InvoiceUploads is what an invoice upload did, one row a file.
type InvoiceUploads []InvoiceUpload

// Failed reports whether any file was skipped or failed.
func (rs InvoiceUploads) Failed() bool {
	for _, r := range rs {
		if r.Status != InvoiceUploaded && r.Status != InvoiceAlreadyUploaded && r.Status != InvoiceElsewhere {
			return true
		}
	}
	return false
}

// UploadInvoices checks every UBL invoice and credit note in the paths
// (files, folders, zips) and uploads, once, those without errors: the
// ledger remembers every uploaded invoice, so the same file again is
// already uploaded and not sent, and another file with an invoice number
// already uploaded is skipped for a person to look at. manual sends
// X-MANUAL: the platform does not collect them itself.
func UploadInvoices(ctx context.Context, c *twikey.Client, l *ledger.DB, paths []string, manual bool) InvoiceUploads {
	var rows InvoiceUploads
	for _, p := range paths {
		err := ubl.Walk(p, func(name string, r io.Reader) error {
			rows = append(rows, uploadInvoice(ctx, c, l, name, r, manual))
			return ctx.Err()
		})
		if err != nil {
			rows = append(rows, InvoiceUpload{File: p, Status: InvoiceFailed, Message: err.Error(), Findings: []finding.Finding{}})
		}
	}
	return rows
}

// uploadInvoice checks one file and uploads it when it has no errors and
// the ledger has no record of it.
func uploadInvoice(ctx context.Context, c *twikey.Client, l *ledger.DB, name string, r io.Reader, manual bool) InvoiceUpload {
	data, err := io.ReadAll(io.LimitReader(r, MaxInvoiceSize+1))
	if err == nil && len(data) > MaxInvoiceSize {
		err = fmt.Errorf("larger than %d MiB", MaxInvoiceSize>>20)
	}
	if err != nil {
		return InvoiceUpload{File: name, Status: InvoiceFailed, Message: err.Error(), Findings: []finding.Finding{}}
	}
	chk := CheckInvoice(name, bytes.NewReader(data))
	row := InvoiceUpload{File: name, Number: chk.Number, Payable: chk.Payable, Currency: chk.Currency, Findings: chk.Findings}
	if chk.Errors > 0 {
		row.Status = InvoiceSkipped
		row.Message = fmt.Sprintf("%d error(s) found locally: not uploaded", chk.Errors)
		return row
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	if known(ctx, l, &row, digest) {
		return row
	}
	// On a shared ledger the invoice number is claimed: the one worker
	// holding it uploads it; one that finds it done reads the ledger again.
	cl, other, err := claim(ctx, l, ledger.ClaimUpload, "invoice "+chk.Number)
	switch {
	case err != nil:
		row.Status, row.Message = InvoiceFailed, err.Error()
		return row
	case other != nil && other.Done && known(ctx, l, &row, digest):
		return row
	case other != nil:
		row.Status, row.Message = InvoiceElsewhere, "invoice "+chk.Number+": "+other.String()
		return row
	}
	ok := false
	defer func() {
		if err := finish(ctx, cl, ok); err != nil {
			row.Message = strings.TrimPrefix(row.Message+"; ", "; ") + err.Error()
		}
	}()
	inv, err := c.UploadInvoice(ctx, bytes.NewReader(data), twikey.UploadInvoiceOptions{Manual: manual})
	if err != nil {
		row.Status = InvoiceFailed
		var ae *twikey.Error
		if errors.As(err, &ae) {
			row.Message = ae.Error()
		} else {
			row.Message = err.Error()
		}
		return row
	}
	row.Status, ok = InvoiceUploaded, true
	row.Platform = inv
	ref := ""
	if inv != nil {
		ref = inv.ID
	}
	if err := l.RecordUploads(ctx, []ledger.Upload{{Kind: ledger.UploadInvoice, Key: chk.Number, Digest: digest, PlatformRef: ref}}); err != nil {
		row.Message = "uploaded; recording it in the ledger failed: " + err.Error()
	}
	return row
}

// known fills in row and returns true when the ledger has the invoice
// number as uploaded: from this file (already uploaded) or another one
// (skipped), or when the ledger cannot be read (failed).
func known(ctx context.Context, l *ledger.DB, row *InvoiceUpload, digest string) bool {
	prev, err := l.Uploaded(ctx, ledger.UploadInvoice, row.Number)
	switch {
	case err != nil:
		row.Status, row.Message = InvoiceFailed, err.Error()
	case prev == nil:
		return false
	case prev.Digest == digest:
		row.Status = InvoiceAlreadyUploaded
		row.Message = "uploaded on " + prev.At.Format("2006-01-02 15:04") + " (ledger)"
		row.Platform = &twikey.Invoice{ID: prev.PlatformRef}
	default:
		row.Status = InvoiceSkipped
		row.Message = "invoice " + row.Number + " was uploaded on " + prev.At.Format("2006-01-02 15:04") + " from another file: not sent again"
	}
	return true
}
