package pipeline

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/openitems"
	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/tabular"
	"github.com/batchtool/batchtool/pkg/ubl"
)

// Registered is what registering one path in the ledger did.
type Registered struct {
	Path string
	ledger.AddResult
	Kind     Format            // FormatPain008, or FormatUBL for invoices
	Invalid  int               // invoices with errors, not added
	Findings []finding.Finding // what the readers found
	Err      error             // the path could not be registered
}

// Failed reports whether a person has to look: the path could not be
// registered, or it has errors (and they were not accepted).
func (r *Registered) Failed(acceptErrors bool) bool {
	return r.Err != nil || finding.List(r.Findings).HasErrors() && !acceptErrors
}

// Register registers what is to be paid as open items: the collections of
// a pain.008 batch (and its PmtInf batches), or UBL invoices (a file, a
// directory or a zip). Adding the same batch or invoice again changes
// nothing. A pain.008 with errors is not added (unless acceptErrors: a batch
// the bank already accepted); invoices with errors, credit notes and
// invoices with nothing payable are skipped, with a finding.
//
// An ERP's open-receivables export (.csv, .tsv, .txt or .xlsx: package
// openitems) is registered as open invoices: rows with errors are reported
// and not added, the others are, in one transaction. dialect says how such
// a CSV is written where detection cannot tell (package tabular).
func Register(ctx context.Context, l *ledger.DB, path string, acceptErrors bool, dialect tabular.Dialect) *Registered {
	r := &Registered{Path: path}
	st, err := os.Stat(path)
	if err != nil {
		r.Err = err
		return r
	}
	if !st.IsDir() {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".csv", ".tsv", ".txt", ".xlsx":
			r.Kind = FormatOpenItems
			r.AddResult, r.Invalid, r.Findings, r.Err = addOpenItems(ctx, l, path, dialect)
			return r
		}
		f, err := os.Open(path)
		if err != nil {
			r.Err = err
			return r
		}
		defer f.Close()
		br := bufio.NewReaderSize(f, inspect.SniffLen)
		head, _ := br.Peek(inspect.SniffLen)
		switch inspect.Detect(head) {
		case FormatPain008:
			r.Kind = FormatPain008
			r.AddResult, r.Findings, r.Err = addPain008(ctx, l, path, br, acceptErrors)
			return r
		case FormatUBL, FormatZip:
		default:
			r.Err = fmt.Errorf("not a pain.008 batch, a UBL invoice, a zip of invoices or an open-items export (.csv, .tsv, .txt, .xlsx)")
			return r
		}
	}
	r.Kind = FormatUBL
	r.AddResult, r.Invalid, r.Findings, r.Err = addInvoices(ctx, l, path)
	return r
}

// errHasErrors stops an add when the input has findings of severity error.
var errHasErrors = errors.New("has errors: nothing added")

func addPain008(ctx context.Context, l *ledger.DB, name string, r io.Reader, acceptErrors bool) (ledger.AddResult, []finding.Finding, error) {
	pr := pain008.NewReader(r, name)
	res, err := l.AddCollections(ctx, name, func() (*reconcile.Collection, error) {
		tx, err := pr.Next()
		if err == io.EOF {
			if !acceptErrors && finding.List(pr.Findings()).HasErrors() {
				return nil, errHasErrors
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		return CollectionOf(tx), nil
	})
	return res, pr.Findings(), err
}

// CollectionOf turns a pain.008 transaction into an open item.
func CollectionOf(tx *pain008.Transaction) *reconcile.Collection {
	ccy := tx.Currency
	if ccy == "" {
		ccy = "EUR"
	}
	return &reconcile.Collection{
		EndToEndID:     tx.EndToEndID,
		MandateID:      tx.MandateID,
		PmtInfID:       tx.PmtInfID,
		Amount:         tx.Amount,
		Currency:       ccy,
		CollectionDate: tx.CollectionDate,
		DebtorName:     tx.DebtorName,
		DebtorIBAN:     tx.DebtorIBAN,
		CreditorID:     tx.Creditor.ID,
		Remittance:     tx.Remittance,
	}
}

// InvoiceOf turns a UBL invoice into an open item; nil (with the reason)
// for what is not to be paid to us: credit notes, nothing payable.
func InvoiceOf(inv *ubl.Invoice) (*reconcile.Invoice, string) {
	if inv.IsCreditNote {
		return nil, "credit note: not an open item"
	}
	amount := inv.Totals.PayableAmount.Value
	if !amount.IsPositive() {
		return nil, fmt.Sprintf("payable amount %s %s: nothing to collect", amount.String(), inv.Totals.PayableAmount.Currency)
	}
	v := &reconcile.Invoice{
		Number:       inv.Number,
		CustomerName: inv.Customer.DisplayName(),
		Amount:       amount,
		Currency:     inv.Currency,
		IssueDate:    inv.IssueDate,
		DueDate:      inv.DueDate,
	}
	if m, _ := inv.Mapping(); m != nil {
		v.CustomerNumber = m.CustomerNumber
	}
	if scheme, ref := inv.StructuredReference(); ref != "" && scheme != "" {
		v.Reference = ref
	}
	for _, pm := range inv.PaymentMeans {
		if pm.Mandate != nil && pm.Mandate.PayerAccount.ID != "" {
			v.CustomerIBANs = append(v.CustomerIBANs, reconcile.NormIBAN(pm.Mandate.PayerAccount.ID))
		}
	}
	return v, ""
}

// addInvoices reads the invoices on one goroutine while the ledger adds
// them on another.
func addInvoices(ctx context.Context, l *ledger.DB, name string) (ledger.AddResult, int, []finding.Finding, error) {
	type item struct {
		v   *reconcile.Invoice
		err error
	}
	ch := make(chan item)
	done := make(chan struct{})
	var fs []finding.Finding
	skipped := 0
	go func() {
		defer close(ch)
		err := ubl.Walk(name, func(member string, r io.Reader) error {
			inv, list, err := ubl.Read(r, member)
			fs = append(fs, list...)
			if err != nil {
				fs = append(fs, errorFinding(member, err))
				return nil
			}
			if list.HasErrors() {
				skipped++
				return nil
			}
			v, why := InvoiceOf(inv)
			if v == nil {
				fs = append(fs, finding.Finding{Severity: finding.Warning, File: member, Path: "/" + inv.Root(), Value: inv.Number, Message: why + ": not added"})
				return nil
			}
			select {
			case ch <- item{v: v}:
				return nil
			case <-done:
				return context.Canceled
			}
		})
		if err != nil {
			select {
			case ch <- item{err: err}:
			case <-done:
			}
		}
	}()
	res, err := l.AddInvoices(ctx, name, func() (*reconcile.Invoice, error) {
		it, ok := <-ch
		if !ok {
			return nil, io.EOF
		}
		return it.v, it.err
	})
	close(done)
	for range ch { // let the walker end
	}
	return res, skipped, fs, err
}

// addOpenItems registers the open receivables of an ERP export as open
// invoices; invalid counts the rows with errors, not added.
func addOpenItems(ctx context.Context, l *ledger.DB, name string, dialect tabular.Dialect) (res ledger.AddResult, invalid int, fs []finding.Finding, err error) {
	f, err := os.Open(name)
	if err != nil {
		return res, 0, nil, err
	}
	defer f.Close()
	var r *openitems.Reader
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		if r, err = openitems.NewXLSXReader(f, name, dialect.Decimal); err != nil {
			return res, 0, nil, err
		}
		defer r.Close()
	} else {
		r = openitems.NewCSVReader(f, name, dialect)
	}
	res, err = l.AddInvoices(ctx, name, func() (*reconcile.Invoice, error) {
		for {
			row, err := r.Next()
			if err != nil {
				return nil, err
			}
			fs = append(fs, row.Findings...)
			if row.Invoice != nil {
				return row.Invoice, nil
			}
			invalid++
		}
	})
	return res, invalid, fs, err
}
