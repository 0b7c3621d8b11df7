package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/openitems"
	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/tabular"
	"github.com/batchtool/batchtool/pkg/ubl"
)

// envLedger names the ledger file used when --ledger is not given.
const envLedger = "BATCHTOOL_LEDGER"

// defaultLedger is the ledger file used when --ledger is not given:
// $BATCHTOOL_LEDGER, else batchtool.db in the current folder.
func defaultLedger() string {
	if p := os.Getenv(envLedger); p != "" {
		return p
	}
	return "batchtool.db"
}

func newLedgerCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "ledger", Short: "Register open items in the ledger and show what it holds"}
	c.AddCommand(newLedgerAddCmd(a), newLedgerStatusCmd(a), newLedgerCheckCmd(a))
	return c
}

func newLedgerAddCmd(a *app) *cobra.Command {
	var path string
	var acceptErrors bool
	var input inputFlags
	cmd := &cobra.Command{
		Use:   "add BATCH.xml|INVOICES...|OPEN-ITEMS.csv|.xlsx [--ledger batchtool.db]",
		Short: "Register a pain.008 batch, UBL invoices or an ERP's open items",
		Long: `add registers what is to be paid: the collections of a pain.008 batch (and
its PmtInf batches), UBL invoices (a file, a directory or a zip), or the
open receivables an ERP exports as CSV or XLSX (.csv, .tsv, .txt, .xlsx:
invoice number, amount, currency, due date and optionally customer,
customer number, IBAN, structured reference and invoice date; header names
in any case, with common synonyms such as "Invoice No.", "Open amount",
"Factuurnummer", "Échéance" — see the README). An open-items CSV is read as
a European spreadsheet writes it (separator found, decimal comma with ';'
and tab, --encoding cp1252 for Excel's "CSV" on Windows).

The ledger file is created on first use. Adding the same batch or invoice
again changes nothing. A pain.008 with errors is not added (unless
--accept-errors: a batch the bank already accepted); invoices and open
items with errors are skipped and reported with file, line, column and
rule. Exit code 1 when anything had errors.`,
		Example: `  batchtool ledger add batch.xml
  batchtool ledger add invoices.zip
  batchtool ledger add open-items.csv --encoding cp1252
  batchtool ledger add "Open items 2026-12.xlsx"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dialect, err := input.dialect(cmd)
			if err != nil {
				return err
			}
			l, ctx, run, err := openLedgerRun(cmd, path, "ledger add "+strings.Join(args, " "))
			if err != nil {
				return err
			}
			defer l.Close()
			failed := false
			var total ledger.AddResult
			for _, name := range args {
				res, fs, err := addPath(ctx, l, name, acceptErrors, dialect)
				for _, f := range fs {
					fmt.Fprintln(a.stderr, f)
				}
				if f := (finding.Finding{}); errors.As(err, &f) {
					fmt.Fprintln(a.stderr, f) // names its file already
					failed = true
					continue
				}
				if err != nil {
					fmt.Fprintf(a.stderr, "%s: %s\n", safename.Escape(name), safename.EscapeLines(err.Error()))
					failed = true
					continue
				}
				if finding.List(fs).HasErrors() && !acceptErrors {
					failed = true
				}
				fmt.Fprintf(a.stdout, "%s: %s\n", safename.Escape(name), res.text)
				total.Added += res.Added
				total.Skipped += res.Skipped
				total.Batches += res.Batches
			}
			if err := l.FinishRun(ctx, run, fmt.Sprintf(`{"added":%d,"skipped":%d,"batches":%d}`, total.Added, total.Skipped, total.Batches)); err != nil {
				return err
			}
			if failed {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "ledger", defaultLedger(), "ledger: a SQLite file or a postgres:// URL (env "+envLedger+")")
	cmd.Flags().BoolVar(&acceptErrors, "accept-errors", false, "add a pain.008 even when it has errors (a batch the bank already accepted)")
	input.add(cmd)
	return cmd
}

type addResult struct {
	ledger.AddResult
	text string
}

// addPath registers one argument: a pain.008 file, UBL invoices in a
// file, directory or zip, or an open-items export (CSV or XLSX, by its
// name's extension).
func addPath(ctx context.Context, l *ledger.DB, name string, acceptErrors bool, dialect tabular.Dialect) (addResult, []finding.Finding, error) {
	st, err := os.Stat(name)
	if err != nil {
		return addResult{}, nil, err
	}
	if !st.IsDir() {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv", ".tsv", ".txt", ".xlsx":
			return addOpenItems(ctx, l, name, dialect)
		}
		f, err := os.Open(name)
		if err != nil {
			return addResult{}, nil, err
		}
		defer f.Close()
		br := bufio.NewReaderSize(f, sniffLen)
		head, _ := br.Peek(sniffLen)
		switch detectFormat(head) {
		case formatPain008:
			return addPain008(ctx, l, name, br, acceptErrors)
		case formatUBL, formatZip:
		default:
			return addResult{}, nil, fmt.Errorf("not a pain.008 batch, a UBL invoice, a zip of invoices or an open-items export (.csv, .tsv, .txt, .xlsx)")
		}
	}
	return addInvoices(ctx, l, name)
}

// errHasErrors stops an add when the input has findings of severity error.
var errHasErrors = errors.New("has errors: nothing added")

func addPain008(ctx context.Context, l *ledger.DB, name string, r io.Reader, acceptErrors bool) (addResult, []finding.Finding, error) {
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
		return collectionOf(tx), nil
	})
	out := addResult{AddResult: res}
	out.text = fmt.Sprintf("pain.008: %d collection(s) added, %d already in the ledger, %d new batch(es)", res.Added, res.Skipped, res.Batches)
	return out, pr.Findings(), err
}

// collectionOf turns a pain.008 transaction into an open item.
func collectionOf(tx *pain008.Transaction) *reconcile.Collection {
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

// invoiceOf turns a UBL invoice into an open item; ok is false (with the
// reason) for what is not to be paid to us: credit notes, nothing payable.
func invoiceOf(inv *ubl.Invoice) (*reconcile.Invoice, string) {
	if inv.IsCreditNote {
		return nil, "credit note: not an open item"
	}
	amount := inv.Totals.PayableAmount.Value
	if !amount.IsPositive() {
		return nil, fmt.Sprintf("payable amount %s: nothing to collect", amount.String())
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

func addInvoices(ctx context.Context, l *ledger.DB, name string) (addResult, []finding.Finding, error) {
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
			v, why := invoiceOf(inv)
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
	out := addResult{AddResult: res}
	out.text = fmt.Sprintf("UBL: %d invoice(s) added, %d already in the ledger, %d with errors not added", res.Added, res.Skipped, skipped)
	return out, fs, err
}

// openLedgerRun opens the ledger, takes its run lock and logs the start of
// a command in its run log; the caller closes the ledger, which releases
// the lock.
func openLedgerRun(cmd *cobra.Command, path, command string) (*ledger.DB, context.Context, int64, error) {
	l, err := ledger.Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	ctx := contextOf(cmd)
	if err := lockLedger(ctx, l, cmd); err != nil {
		l.Close()
		return nil, nil, 0, err
	}
	run, err := l.BeginRun(ctx, command)
	if err != nil {
		l.Close()
		return nil, nil, 0, err
	}
	return l, ctx, run, nil
}

// addOpenItems registers the open receivables of an ERP export as open
// invoices: rows with errors are reported and not added, the others are,
// in one transaction.
func addOpenItems(ctx context.Context, l *ledger.DB, name string, dialect tabular.Dialect) (addResult, []finding.Finding, error) {
	f, err := os.Open(name)
	if err != nil {
		return addResult{}, nil, err
	}
	defer f.Close()
	var r *openitems.Reader
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		if r, err = openitems.NewXLSXReader(f, name, dialect.Decimal); err != nil {
			return addResult{}, nil, err
		}
		defer r.Close()
	} else {
		r = openitems.NewCSVReader(f, name, dialect)
	}
	var fs []finding.Finding
	bad := 0
	res, err := l.AddInvoices(ctx, name, func() (*reconcile.Invoice, error) {
		for {
			row, err := r.Next()
			if err != nil {
				return nil, err
			}
			fs = append(fs, row.Findings...)
			if row.Invoice != nil {
				return row.Invoice, nil
			}
			bad++
		}
	})
	out := addResult{AddResult: res}
	out.text = fmt.Sprintf("open items: %d invoice(s) added, %d already in the ledger, %d with errors not added", res.Added, res.Skipped, bad)
	return out, fs, err
}
