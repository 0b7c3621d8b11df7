package pipeline

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/batchtool/batchtool/internal/ziparchive"
	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
)

// ReconcileOptions are the choices of a reconciliation.
type ReconcileOptions struct {
	RunID        int64 // the ledger's run log entry the lines are booked under
	AcceptErrors bool  // book files even when their reader reports errors
	// OnResult, when set, gets every entry's result as it is booked (dup:
	// a duplicate of a line already booked, skipped), for the reports.
	OnResult func(file string, r *reconcile.Result, dup bool) error
	// Reading, when set, wraps each file's booking pass (not its hashing):
	// a progress display counts the bytes read through it.
	Reading func(io.Reader) io.Reader
	// Open, when set, stands in for os.Open of each path (it is called
	// more than once per path: the file is hashed before it is read): a
	// command line's "-" for standard input saved to a file.
	Open func(name string) (*os.File, error)
}

// NotStatementError is a file that is neither camt nor CODA (nor a zip of
// them): Head holds its first bytes, for a caller to say what it is.
type NotStatementError struct {
	Name string
	Head []byte
}

func (e *NotStatementError) Error() string {
	return e.Name + ": not a camt.052/.053/.054 or CODA file"
}

// ReconciledFile is one statement file of a reconciliation: a file, or a
// member of a zip (named zip!member).
type ReconciledFile struct {
	Name string
	// Import is what the ledger booked; nil when the file could not be
	// read at all.
	Import *ledger.ImportResult
	// Err is why the file was not booked (its transaction was rolled back).
	Err error
}

// ReconcileResult is what a reconciliation booked.
type ReconcileResult struct {
	Files      []ReconciledFile
	Total      reconcile.Summary // the lines booked in this run, matched, returned, ambiguous, unmatched
	Duplicates reconcile.Totals  // lines skipped as already booked from another file, per currency
}

// Failed reports whether a file could not be read or booked.
func (r *ReconcileResult) Failed() bool {
	for _, f := range r.Files {
		if f.Err != nil {
			return true
		}
	}
	return false
}

// Booked are the import results of the files booked (or found imported
// before), for the reports.
func (r *ReconcileResult) Booked() []*ledger.ImportResult {
	var out []*ledger.ImportResult
	for _, f := range r.Files {
		if f.Err == nil && f.Import != nil {
			out = append(out, f.Import)
		}
	}
	return out
}

// Reconcile reads camt.052/.053/.054 and CODA statements (files, or zips of
// them), registers every line in the ledger and matches it against the open
// collections, batches, invoices and payment requests. Each file is booked
// in one transaction, in the order given. A file already imported changes
// nothing (SHA-256); lines already booked from another file (the CODA copy
// of a camt statement, a re-sent statement) are skipped as duplicates. A
// file whose reader reports errors is not booked unless AcceptErrors. A
// file that fails does not stop the others; an error is returned only when
// the reconciliation could not go on.
//
// While one file is booked, the next ones are hashed and read a few
// batches of entries ahead on the other cores (statement.InOrder,
// statement.ReadAhead); the bookings keep the order of paths.
func Reconcile(ctx context.Context, l *ledger.DB, paths []string, opt ReconcileOptions) (*ReconcileResult, error) {
	if opt.Open == nil {
		opt.Open = os.Open
	}
	res := &ReconcileResult{Duplicates: reconcile.Totals{}}
	statement.InOrder(len(paths), func(k int) *aheadFile {
		if ctx.Err() != nil {
			return &aheadFile{err: ctx.Err()}
		}
		return readAhead(paths[k], opt)
	}, func(k int, a *aheadFile) {
		defer a.close()
		if ctx.Err() != nil {
			return
		}
		name := paths[k]
		var all []*ledger.ImportResult
		var err error
		switch {
		case a.zip:
			all, err = reconcilePath(ctx, l, name, opt)
		case a.err != nil:
			err = a.err
		default:
			var imp *ledger.ImportResult
			imp, err = importStatements(ctx, l, name, a.sum, a.format, a.sr, opt)
			all = []*ledger.ImportResult{imp}
		}
		for i, imp := range all {
			if imp == nil {
				continue
			}
			f := ReconciledFile{Name: imp.File.Name, Import: imp}
			if err != nil && i == len(all)-1 {
				f.Err = err // this file failed: its transaction was rolled back
				err = nil
			} else if !imp.AlreadyImported {
				res.Total.Merge(imp.Summary)
				res.Duplicates.Merge(imp.DuplicateTotal)
			}
			res.Files = append(res.Files, f)
		}
		if err != nil {
			res.Files = append(res.Files, ReconciledFile{Name: name, Err: err})
		}
	})
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	return res, nil
}

// aheadFile is a statement file hashed and being read ahead of its
// booking; zip when it is a zip (its members are read when its turn
// comes), err when it could not be opened, hashed or read.
type aheadFile struct {
	sum    string
	format Format
	f      *os.File
	sr     *statement.AheadReader
	zip    bool
	err    error
}

// readAhead hashes a statement file and starts reading it.
func readAhead(name string, opt ReconcileOptions) *aheadFile {
	f, err := opt.Open(name)
	if err != nil {
		return &aheadFile{err: err}
	}
	a := &aheadFile{f: f}
	br := bufio.NewReaderSize(f, inspect.SniffLen)
	head, _ := br.Peek(inspect.SniffLen)
	switch a.format = inspect.Detect(head); a.format {
	case FormatZip:
		a.zip = true
		return a
	case FormatCamt, FormatCODA:
	default:
		a.err = &NotStatementError{Name: name, Head: append([]byte(nil), head...)}
		return a
	}
	if a.sum, err = ledger.HashFile(br); err != nil {
		a.err = fmt.Errorf("%s: %w", name, err)
		return a
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		a.err = err
		return a
	}
	var r io.Reader = f
	if opt.Reading != nil {
		r = opt.Reading(f)
	}
	sr, err := inspect.OpenStatements(name, a.format, bufio.NewReaderSize(r, inspect.SniffLen))
	if err != nil {
		a.err = err
		return a
	}
	a.sr = statement.ReadAhead(sr)
	return a
}

func (a *aheadFile) close() {
	if a.sr != nil {
		a.sr.Close()
	}
	if a.f != nil {
		a.f.Close()
	}
}

// reconcilePath books one path: a statement file, or every member of a zip
// of statements.
func reconcilePath(ctx context.Context, l *ledger.DB, name string, opt ReconcileOptions) ([]*ledger.ImportResult, error) {
	if opt.Open == nil {
		opt.Open = os.Open
	}
	f, err := opt.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	if inspect.Detect(head[:n]) != FormatZip {
		res, err := reconcileOne(ctx, l, name, func() (io.ReadCloser, error) { return opt.Open(name) }, opt)
		return []*ledger.ImportResult{res}, err
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	a, err := ziparchive.Open(name, f, st.Size())
	if err != nil {
		return nil, err
	}
	var out []*ledger.ImportResult
	for _, m := range a.Members {
		res, err := reconcileOne(ctx, l, m.Name, m.Open, opt)
		out = append(out, res)
		if err != nil {
			return out, err
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: zip holds no files", name)
	}
	return out, nil
}

// reconcileOne hashes one statement file, then reads, books and matches it.
func reconcileOne(ctx context.Context, l *ledger.DB, name string, open func() (io.ReadCloser, error), opt ReconcileOptions) (*ledger.ImportResult, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	sum, err := ledger.HashFile(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if f, err = open(); err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if opt.Reading != nil {
		r = opt.Reading(f)
	}
	br := bufio.NewReaderSize(r, inspect.SniffLen)
	head, _ := br.Peek(inspect.SniffLen)
	format := inspect.Detect(head)
	if format != FormatCamt && format != FormatCODA {
		return nil, &NotStatementError{Name: name, Head: append([]byte(nil), head...)}
	}
	sr, err := inspect.OpenStatements(name, format, br)
	if err != nil {
		return nil, err
	}
	return importStatements(ctx, l, name, sum, format, sr, opt)
}

// importStatements books and matches the entries of one statement file.
func importStatements(ctx context.Context, l *ledger.DB, name, sum string, format Format, sr statement.Reader, opt ReconcileOptions) (*ledger.ImportResult, error) {
	iopt := ledger.ImportOptions{RunID: opt.RunID, AcceptErrors: opt.AcceptErrors}
	if opt.OnResult != nil {
		iopt.OnResult = func(r *reconcile.Result, dup bool) error { return opt.OnResult(name, r, dup) }
	}
	return l.Import(ctx, ledger.File{Name: name, SHA256: sum, Format: string(format)}, sr, iopt)
}
