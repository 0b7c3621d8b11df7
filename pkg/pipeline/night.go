package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/report"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/tabular"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// Progress is told what the night does as it goes: the command line prints
// it, a service could log it. Every method is called from the goroutine
// running the night.
type Progress interface {
	// Started: a step begins.
	Started(step string)
	// Finding: a finding in a due file's rows, as they are read (the
	// findings of other steps are in their results).
	Finding(f finding.Finding)
	// Finished: a step ended, with its typed result.
	Finished(s *Step)
}

// Step is one step of the night and its typed result.
type Step struct {
	Name string
	// Value is the step's result: *BuildResult, *Registered (one batch),
	// []*Registered (invoices), *UploadResult, InvoiceUploads,
	// *FetchResult, *ReconcileResult, *CheckResult, []*SyncResult,
	// *CreateResult; nil for a step skipped or one that could not run.
	Value any
	Note  string // skipped: why
	Err   error  // the step could not run (or ran only in part)
	// Attention says what of this step needs a person; empty when none.
	Attention string
	Took      time.Duration
	// Reports are the report files the step wrote (payment requests: the
	// links file).
	Reports []string
}

// Status is "ok", "skipped" or "attention".
func (s *Step) Status() string {
	switch {
	case s.Note != "":
		return "skipped"
	case s.Attention != "":
		return "attention"
	}
	return "ok"
}

// Result is what one night did.
type Result struct {
	Run       string // the run's name: its UTC start, 20261130T205826.029Z
	ReportDir string // work/reports/<run>, when a step wrote reports
	Steps     []*Step
	// Reconciled is the reconciliation of this night; nil without
	// statement files.
	Reconciled *ReconcileResult
	// Links is the payment links file for finance, and NewLinks the
	// requests of this night in it, per currency.
	Links    string
	NewLinks reconcile.Totals
	// Attention lists what needs a person: a rejected row, a failed upload
	// or download, a statement file not booked, a gap in the platform's
	// feed, a file with errors, lines unmatched or ambiguous, a payment
	// request refused.
	Attention []string
	// ToDo lists routine work for a person: payment links to send.
	ToDo []string
	// Done are the units of work this run did, and Elsewhere those it
	// found held or done by another worker sharing the ledger and left to
	// it (Shared): the Done of all the workers of a night, each unit once,
	// are what one worker alone would have done.
	Done      []Unit
	Elsewhere []Unit
}

// Options are what a night needs beside its Config.
type Options struct {
	Now       time.Time // the run's time (zero: time.Now)
	UserAgent string    // names the program to the platforms ("batchtool/1.2.0")
	Progress  Progress  // nil: none
	// Download, when set, returns a writer told the bytes of each download.
	Download func(name string) io.Writer
}

// RunName is the name of a run started at now: its UTC time to the
// millisecond, the name of its reports folder.
func RunName(now time.Time) string { return now.UTC().Format("20060102T150405.000Z") }

// Run runs the night, unattended and safe to re-run at any time:
//
//  1. build a pain.008 batch from each due file, once per file content (the
//     batch is named after the SHA-256 of the file and the creditor);
//  2. register its collections in the ledger and upload it, once; a batch
//     an earlier run built and did not send is sent now;
//  3. check the UBL invoices, upload the clean ones once, register them;
//  4. have the platform generate reconciliation files and fetch them
//     (Fetch: never losing one);
//  5. reconcile every fetched file (Reconcile) and write the reports;
//  6. cross-check the platform's transaction feed against the ledger
//     (CheckFeed);
//  7. with a payment request provider: book the requests paid since the
//     last run (Sync) and request what direct debit did not collect
//     (CreateRequests), writing payment-links.csv.
//
// On SQLite it holds the ledger's run lock throughout. On PostgreSQL it
// takes no run lock: several workers (machines, processes) run the night
// side by side against the one ledger, and each unit of work — a due file,
// a batch or invoice upload, the platform's files feed, a platform file, a
// statement file, a payment request — is claimed by the one worker that
// does it (Shared); the others report it as done elsewhere, and the
// results of all the workers together are one night's. A step that fails
// does not stop the night; what needs a person is in the result. An error
// is returned only when the night could not go on (the ledger, the work
// folder).
func Run(ctx context.Context, c *Config, opt Options) (*Result, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	cc := *c // the defaults LoadConfig fills in, for a Config built in code
	if err := cc.defaults(); err != nil {
		return nil, err
	}
	c = &cc
	n := &night{c: c, opt: opt, ctx: ctx, res: &Result{Run: RunName(opt.Now)}}
	for _, d := range []string{"batches", "inbox", "reports"} {
		if err := os.MkdirAll(filepath.Join(c.Work, d), 0o755); err != nil {
			return nil, err
		}
	}
	l, err := ledger.Open(c.Ledger)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	if !Shared(l) {
		// SQLite: one machine owns the file, and one run at a time works
		// on it. PostgreSQL: workers claim each unit instead (Shared).
		if _, err := l.AcquireRunLock(ctx, "nightly"); err != nil {
			return nil, err
		}
	}
	n.l = l
	// While this worker uploads, the others wait before they have the
	// platform generate its files (waitFor): the files hold what the
	// night uploaded, as when one worker does it all.
	host, _ := os.Hostname()
	uploading, _, err := claim(ctx, l, ledger.ClaimUploading, fmt.Sprintf("%s:%d:%s", host, os.Getpid(), n.res.Run))
	if err != nil {
		return nil, err
	}
	uploaded := func() error { return finish(ctx, uploading, true) }
	for _, f := range []func() error{n.batches, n.invoices, uploaded, n.fetchAndReconcile, n.check, n.payreq, n.owed} {
		if err := f(); err != nil {
			return n.res, err
		}
	}
	return n.res, nil
}

// NeedsAttention reports whether anything of the night needs a person.
func (r *Result) NeedsAttention() bool { return len(r.Attention) > 0 }

type night struct {
	ctx    context.Context
	c      *Config
	opt    Options
	l      *ledger.DB
	res    *Result
	client *twikey.Client
	cerr   error
}

// step runs one step under its name and records it.
func (n *night) step(name string, do func(s *Step)) *Step {
	if n.opt.Progress != nil {
		n.opt.Progress.Started(name)
	}
	s := &Step{Name: name}
	start := time.Now()
	do(s)
	s.Took = time.Since(start)
	if s.Err != nil && s.Attention == "" {
		s.Attention = s.Err.Error()
	}
	if s.Attention != "" {
		n.res.Attention = append(n.res.Attention, name+": "+s.Attention)
	}
	n.res.Steps = append(n.res.Steps, s)
	if n.opt.Progress != nil {
		n.opt.Progress.Finished(s)
	}
	return s
}

// skip records a step that had nothing to do.
func (n *night) skip(name, note string) {
	n.step(name, func(s *Step) { s.Note = note })
}

func (n *night) finding(f finding.Finding) {
	if n.opt.Progress != nil {
		n.opt.Progress.Finding(f)
	}
}

// platform returns the platform's client and a context bounded by the
// configured timeout of one step.
func (n *night) platform() (*twikey.Client, context.Context, context.CancelFunc, error) {
	if n.client == nil && n.cerr == nil {
		n.client, n.cerr = n.c.Platform.Client(n.opt.UserAgent)
	}
	if n.cerr != nil {
		return nil, nil, nil, n.cerr
	}
	ctx, cancel := context.WithTimeout(n.ctx, time.Duration(n.c.Platform.Timeout))
	return n.client, ctx, cancel, nil
}

// run logs a step in the ledger's run log; finish ends it with a summary.
func (n *night) run(command string) (int64, func(summary any)) {
	id, err := n.l.BeginRun(n.ctx, command)
	if err != nil {
		return 0, func(any) {}
	}
	return id, func(summary any) {
		b, _ := json.Marshal(summary)
		n.l.FinishRun(context.Background(), id, string(b))
	}
}

// batches builds, registers and uploads a batch per due file, and sends
// the batches earlier runs built and did not send. On a shared ledger each
// due file is claimed (ledger.ClaimDue, its digest) from its build until
// its batch is sent, and each batch's registration and upload
// (ledger.ClaimUpload, the batch file's SHA-256): a worker that finds one
// held or done reports it and goes on.
func (n *night) batches() error {
	c := n.c
	// The first TARGET2 business day days_ahead days out: Build refuses a
	// weekend or closing day (sepa.CollectionDay).
	day := n.opt.Now.UTC().AddDate(0, 0, c.Collect.DaysAhead)
	day = sepa.NextBusinessDay(time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC))
	sent := map[string]bool{}
	for _, due := range c.Collect.Due {
		id, err := fileDigest(due, c.Creditor)
		if err != nil {
			return err
		}
		base := strings.TrimSuffix(filepath.Base(due), filepath.Ext(due))
		batch := filepath.Join(c.Work, "batches", base+"-"+id+".xml")
		name := "build " + filepath.Base(due)
		cl, other, err := claim(n.ctx, n.l, ledger.ClaimDue, id)
		if err != nil {
			return err
		}
		if other != nil {
			n.skip(name, "due file "+id+": "+other.String())
			if !other.Before(n.opt.Now) {
				n.left(ledger.ClaimDue, id) // a worker of this night's
			}
			continue
		}
		work := false // built or sent in this run
		ok := true
		if _, err := os.Stat(batch); err == nil {
			n.skip(name, batch+": built in an earlier run from the same file; not rebuilt")
		} else {
			s := n.step(name, func(s *Step) {
				res, err := Build(BuildOptions{Due: due, Creditor: c.Creditor, CollectionDate: day, Today: n.opt.Now, Version: c.Collect.Version, Out: batch,
					Rejects: filepath.Join(c.Work, "batches", base+"-"+id+".rejects.csv"), MessageID: "BT" + id, OnFinding: n.finding})
				s.Value, s.Err = res, err
				if err == nil && res.Rejected > 0 {
					s.Attention = fmt.Sprintf("%d row(s) rejected: %s", res.Rejected, res.Rejects)
				}
			})
			ok, work = s.Err == nil, s.Err == nil
		}
		if _, err := os.Stat(batch); err == nil {
			done, here, err := n.send(batch)
			if err != nil {
				finish(n.ctx, cl, false)
				return err
			}
			ok, work = ok && done, work || here
			sent[batch] = true
		}
		if ok && work {
			n.did(ledger.ClaimDue, id)
		}
		if err := finish(n.ctx, cl, ok); err != nil {
			n.res.Attention = append(n.res.Attention, name+": "+err.Error())
		}
	}
	// A batch an earlier run built and did not send (it was stopped between
	// the two, or the platform refused it) is sent now: its due file may
	// have changed since, and the collections would be lost.
	built, _ := filepath.Glob(filepath.Join(c.Work, "batches", "*.xml"))
	for _, batch := range built {
		if sent[batch] {
			continue
		}
		b, err := ReadBatch(batch)
		if err != nil {
			return err
		}
		if _, ok, err := BatchUploaded(n.ctx, n.l, b); err != nil {
			return err
		} else if !ok {
			if _, _, err := n.send(batch); err != nil {
				return err
			}
		}
	}
	return nil
}

// send registers a built batch in the ledger and uploads it, unless the
// ledger knows it as uploaded; on a shared ledger, unless another worker
// holds or did its upload. done tells whether the batch is sent (or left
// to the worker sending it), here whether this run sent it.
func (n *night) send(batch string) (done, here bool, err error) {
	b, err := ReadBatch(batch)
	if err != nil {
		return false, false, err
	}
	digest := b.SHA256
	name := "upload " + filepath.Base(batch)
	cl, other, err := claim(n.ctx, n.l, ledger.ClaimUpload, digest)
	if err != nil {
		return false, false, err
	}
	if other != nil {
		n.skip(name, "batch "+digest[:12]+": "+other.String())
		n.left(ledger.ClaimUpload, digest)
		return true, false, nil
	}
	defer func() { // a failed upload is released: the next worker or run sends it
		if ferr := finish(n.ctx, cl, done); ferr != nil && err == nil {
			n.res.Attention = append(n.res.Attention, name+": "+ferr.Error())
		}
	}()
	n.step("register "+filepath.Base(batch), func(s *Step) {
		_, finish := n.run("ledger add " + batch)
		r := Register(n.ctx, n.l, batch, false, tabular.Dialect{})
		finish(r.AddResult)
		s.Value, s.Err = r, r.Err
		if r.Err == nil && r.Failed(false) {
			s.Attention = "the batch has errors"
		}
	})
	at, ok, err := BatchUploaded(n.ctx, n.l, b)
	if err != nil {
		return false, false, err
	}
	if ok {
		n.skip(name, "uploaded on "+at.Format("2006-01-02 15:04")+" (ledger): not sent again")
		return true, false, nil
	}
	n.step(name, func(s *Step) {
		cl, ctx, cancel, err := n.platform()
		if err != nil {
			s.Err = err
			return
		}
		defer cancel()
		res, err := Upload(ctx, cl, n.l, b, UploadOptions{Profile: n.c.Platform.Profile})
		s.Value, s.Err = res, err
		if err == nil && !res.Sent() {
			s.Attention = strings.ReplaceAll(res.Outcome, "_", " ") + ": " + res.Message
		}
		done = err == nil && res.Sent()
		if here = done; here {
			n.did(ledger.ClaimUpload, digest)
		}
	})
	return done, here, nil
}

// invoices uploads and registers the configured invoices.
func (n *night) invoices() error {
	paths := n.c.Invoices.Paths
	if len(paths) == 0 {
		return nil
	}
	n.step("upload invoices", func(s *Step) {
		cl, ctx, cancel, err := n.platform()
		if err != nil {
			s.Err = err
			return
		}
		defer cancel()
		rows := UploadInvoices(ctx, cl, n.l, paths, n.c.Invoices.Manual)
		s.Value = rows
		for _, r := range rows {
			switch r.Status {
			case InvoiceUploaded:
				n.did(ledger.ClaimUpload, "invoice "+r.Number)
			case InvoiceElsewhere:
				n.left(ledger.ClaimUpload, "invoice "+r.Number)
			}
		}
		switch {
		case len(rows) == 0:
			s.Attention = fmt.Sprintf("no UBL files (*.xml, *.zip) found in %v", paths)
		case rows.Failed():
			s.Attention = "invoices skipped or failed"
		}
	})
	n.step("register invoices", func(s *Step) {
		_, finish := n.run("ledger add " + strings.Join(paths, " "))
		var all []*Registered
		var total ledger.AddResult
		for _, p := range paths {
			r := Register(n.ctx, n.l, p, false, tabular.Dialect{})
			all = append(all, r)
			total.Added, total.Skipped, total.Batches = total.Added+r.Added, total.Skipped+r.Skipped, total.Batches+r.Batches
			if r.Failed(false) {
				s.Attention = "invoices with errors not registered"
			}
		}
		finish(total)
		s.Value = all
	})
	return nil
}

// fetchAndReconcile fetches the platform's files and reconciles the inbox.
func (n *night) fetchAndReconcile() error {
	var fetched []string
	var held []*FetchResult // their files' claims end once reconciled
	defer func() {
		for _, r := range held {
			r.Release(n.ctx)
		}
	}()
	if len(n.c.Platform.Formats) > 0 {
		n.waitFor(ledger.ClaimUploading)
	}
	for _, f := range n.c.Platform.Formats {
		inbox := filepath.Join(n.c.Work, "inbox", f)
		n.step("fetch "+f+" files", func(s *Step) {
			cl, ctx, cancel, err := n.platform()
			if err != nil {
				s.Err = err
				return
			}
			defer cancel()
			res, err := Fetch(ctx, cl, n.l, FetchOptions{Format: f, Dir: inbox, Generate: true, Progress: n.opt.Download, Hold: true})
			s.Value, s.Err = res, err
			if res != nil {
				held = append(held, res)
				for _, f := range res.Files {
					if f.Error == "" {
						n.did(ledger.ClaimFile, f.Name)
					}
				}
				for _, name := range res.Elsewhere {
					n.left(ledger.ClaimFile, name)
				}
			}
			if err == nil && res.Failed() {
				s.Attention = "files not downloaded"
			}
		})
		entries, _ := os.ReadDir(inbox)
		for _, e := range entries {
			if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				fetched = append(fetched, filepath.Join(inbox, e.Name()))
			}
		}
	}
	sort.Strings(fetched)
	if len(fetched) == 0 {
		n.skip("reconcile", "no statement files in the inbox")
		return nil
	}
	if err := n.reportDir(); err != nil {
		return err
	}
	n.step("reconcile", func(s *Step) {
		rep, paths, err := n.reports("reconcile")
		if err != nil {
			s.Err = err
			return
		}
		run, finish := n.run("reconcile " + strings.Join(fetched, " "))
		opt := ReconcileOptions{RunID: run}
		if rep != nil {
			defer rep.Abort()
			opt.OnResult = rep.Write
		}
		res, err := Reconcile(n.ctx, n.l, fetched, opt)
		finish(res.Total)
		for _, f := range res.Files {
			switch imp := f.Import; {
			case imp == nil || f.Err != nil || imp.AlreadyImported:
			case imp.ClaimedBy != "":
				n.left(ledger.ClaimStatement, imp.File.SHA256)
			default:
				n.did(ledger.ClaimStatement, imp.File.SHA256)
			}
		}
		s.Value, s.Err = res, err
		n.res.Reconciled = res
		if res.Failed() {
			s.Attention = "statement files not read"
		}
		if rep != nil && err == nil {
			if err := rep.Close(report.Run{Kind: report.Reconciliation, Files: res.Booked(), Summary: res.Total, Generated: n.opt.Now}); err != nil {
				s.Err = err
			} else if !res.Failed() {
				if err := rep.Commit(); err != nil {
					s.Err = err
				} else {
					s.Reports = paths
				}
			}
		}
		for _, s := range res.Total.NeedsPerson() {
			n.res.Attention = append(n.res.Attention, s)
		}
	})
	return nil
}

// waitFor waits, on a shared ledger, until no other worker holds a unit of
// the kinds: before the platform generates its files, until no worker is
// uploading (ledger.ClaimUploading), so the files hold what the night
// uploaded; before the feed is checked against the ledger (and payment
// requests synced), until no worker is listing, downloading or importing
// statement files, so what they book is in. The listing counts: a worker
// that lists the feed claims the files it names only after, and a payout
// not yet booked would be synced from the provider instead.
// A worker dead meanwhile stops holding its claims; live ones are waited
// for at most ledger.ClaimLease.
func (n *night) waitFor(kinds ...ledger.ClaimKind) {
	deadline := time.Now().Add(ledger.ClaimLease)
	for time.Now().Before(deadline) && n.ctx.Err() == nil {
		busy := false
		for _, k := range kinds {
			held, err := heldElsewhere(n.ctx, n.l, k)
			busy = busy || err == nil && len(held) > 0
		}
		if !busy {
			return
		}
		select {
		case <-n.ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// reportDir creates this run's reports folder.
func (n *night) reportDir() error {
	n.res.ReportDir = filepath.Join(n.c.Work, "reports", n.res.Run)
	return os.MkdirAll(n.res.ReportDir, 0o755)
}

// reports opens this run's reports named base.<format> (package report).
func (n *night) reports(base string) (*report.Files, []string, error) {
	if len(n.c.Reports.Formats) == 0 {
		return nil, nil, nil
	}
	var paths []string
	for _, f := range n.c.Reports.Formats {
		paths = append(paths, filepath.Join(n.res.ReportDir, base+"."+f))
	}
	rep, err := report.Create(paths...)
	return rep, paths, err
}

// check cross-checks the platform's transaction feed against the ledger.
func (n *night) check() error {
	if len(n.c.Platform.Formats) == 0 {
		return nil
	}
	n.waitFor(ledger.ClaimListing, ledger.ClaimFile, ledger.ClaimStatement)
	n.step("check against the platform", func(s *Step) {
		cl, ctx, cancel, err := n.platform()
		if err != nil {
			s.Err = err
			return
		}
		defer cancel()
		run, finish := n.run("ledger check")
		res, err := CheckFeed(ctx, cl, n.l, run)
		s.Value, s.Err = res, err
		if err == nil {
			finish(map[string]int{"read": res.Read, "gaps": len(res.Gaps)})
			if len(res.Gaps) > 0 {
				s.Attention = fmt.Sprintf("%d gap(s) between the platform's feed and the ledger (%s)", len(res.Gaps), res.Totals)
			}
		}
	})
	return nil
}

// payreq books the payment requests paid and requests what is unpaid.
func (n *night) payreq() error {
	p := n.c.Payreq.Provider
	if p == "" {
		return nil
	}
	if n.res.ReportDir == "" {
		if err := n.reportDir(); err != nil {
			return err
		}
	}
	newReq := func(p string) (Requester, error) { return NewRequester(p, &n.c.Payreq, n.opt.UserAgent, nil) }
	n.step("payreq sync", func(s *Step) {
		rep, paths, err := n.reports("payments")
		if err != nil {
			s.Err = err
			return
		}
		_, finish := n.run("payreq sync")
		ctx, cancel := context.WithTimeout(n.ctx, time.Duration(n.c.Platform.Timeout))
		defer cancel()
		var onBooked func(string, *reconcile.Result, bool) error
		if rep != nil {
			defer rep.Abort()
			onBooked = rep.Write
		}
		results, total, err := Sync(ctx, n.l, []string{Tikkie, Tinka}, newReq, onBooked)
		finish(total)
		for _, r := range results {
			for _, c := range r.Changes {
				if c.Event == SyncPaid || c.Event == SyncClosed {
					n.did(ledger.ClaimRequest, "sync "+ledger.RequestClaimKey(c.Request.Provider, c.Request.ExternalID))
				}
			}
		}
		s.Value, s.Err = results, err
		if rep != nil {
			if cerr := rep.Close(report.Run{Kind: report.Payments, Summary: total, Generated: n.opt.Now}); cerr == nil && rep.Commit() == nil {
				s.Reports = paths
			}
		}
	})
	n.step("payreq create ("+p+")", func(s *Step) {
		r, err := newReq(p)
		if err != nil {
			s.Err = err
			return
		}
		sel, err := Selection(n.c.Payreq.Reasons, n.c.Payreq.Overdue, n.opt.Now.UTC())
		if err != nil {
			s.Err = &ConfigError{err}
			return
		}
		run, finish := n.run("payreq create --provider " + p)
		ctx, cancel := context.WithTimeout(n.ctx, time.Duration(n.c.Platform.Timeout))
		defer cancel()
		res, err := CreateRequests(ctx, n.l, r, sel, run)
		for _, pr := range res.Sent {
			n.did(ledger.ClaimRequest, ledger.RequestClaimKey(pr.Provider, pr.ExternalID))
		}
		for _, k := range res.elsewhere {
			n.left(ledger.ClaimRequest, k)
		}
		links := filepath.Join(n.res.ReportDir, "payment-links.csv")
		if newSums, lerr := WriteLinks(ctx, n.l, p, run, links); lerr != nil {
			err = errors.Join(err, lerr)
		} else {
			res.New, n.res.Links, n.res.NewLinks = newSums, links, newSums
			s.Reports = []string{links}
		}
		finish(res)
		s.Value, s.Err = res, err
		if err == nil && res.Refused+res.Failed > 0 {
			s.Attention = fmt.Sprintf("%d payment request(s) refused", res.Refused+res.Failed)
		}
		if res.New.Count() > 0 {
			n.res.ToDo = append(n.res.ToDo, fmt.Sprintf("send %d new payment request link(s) (%s): %s", res.New.Count(), res.New, links))
		}
	})
	return nil
}

// owed names the statement files the platform listed and the ledger has
// not booked: a statement the ledger does not know yet.
func (n *night) owed() error {
	owed, err := Owed(n.ctx, n.l)
	if err != nil {
		return err
	}
	if len(owed) > 0 {
		n.res.Attention = append(n.res.Attention, fmt.Sprintf("%d statement file(s) listed by the platform and not booked yet (fetched again next run): %s", len(owed), strings.Join(owed, ", ")))
	}
	return nil
}

// fileDigest names a batch after the content of its due file and creditor:
// the same input is built once, however often the job runs.
func fileDigest(paths ...string) (string, error) {
	h := sha256.New()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
