package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/sepa"
)

// nightlyConfig is batchtool.toml. Relative paths are taken from the
// config file's folder, so a config and its data can move together.
type nightlyConfig struct {
	Ledger string `toml:"ledger"` // SQLite ledger file, or a postgres:// URL
	Work   string `toml:"work"`   // batches/, inbox/ and reports/ go here

	Creditor string `toml:"creditor"` // creditor.json

	Collect struct {
		Due       []string `toml:"due"`        // due collection files (CSV or JSON Lines)
		DaysAhead int      `toml:"days_ahead"` // requested collection date = run date + days_ahead
		Version   string   `toml:"version"`    // pain.008 version, 001.02 (default) or 001.08
	} `toml:"collect"`

	Invoices struct {
		Paths  []string `toml:"paths"`  // UBL files, folders or zips to check, upload and register
		Manual bool     `toml:"manual"` // X-MANUAL: the platform does not collect them itself
	} `toml:"invoices"`

	Platform struct {
		URL       string   `toml:"url"`        // default $BATCHTOOL_TWIKEY_URL, else https://api.twikey.com
		TokenFile string   `toml:"token_file"` // else env BATCHTOOL_TWIKEY_TOKEN
		Profile   int64    `toml:"profile"`    // collection profile (ct)
		Formats   []string `toml:"formats"`    // reconciliation files to fetch: camt, coda
		Timeout   string   `toml:"timeout"`    // per step, e.g. "10m"
	} `toml:"platform"`

	Reports struct {
		Formats []string `toml:"formats"` // csv, json, xlsx, html
	} `toml:"reports"`

	Payreq payreqConfig `toml:"payreq"` // payment requests for what was not collected

	dir, file string
}

func loadNightlyConfig(path string) (*nightlyConfig, error) {
	var c nightlyConfig
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("%s: unknown setting(s) %s", path, strings.Join(keys, ", "))
	}
	c.dir, c.file = filepath.Dir(path), path
	if c.Ledger == "" {
		c.Ledger = "batchtool.db"
	}
	if c.Work == "" {
		c.Work = "work"
	}
	if c.Collect.DaysAhead == 0 {
		c.Collect.DaysAhead = 5
	}
	if c.Collect.Version == "" {
		c.Collect.Version = "001.02"
	}
	if len(c.Platform.Formats) == 0 {
		c.Platform.Formats = []string{"camt"}
	}
	if c.Platform.Timeout == "" {
		c.Platform.Timeout = "10m"
	}
	if len(c.Reports.Formats) == 0 {
		c.Reports.Formats = []string{"csv", "html"}
	}
	if len(c.Collect.Due) > 0 && (c.Creditor == "" || c.Platform.Profile == 0) {
		return nil, fmt.Errorf("%s: collect.due needs creditor and platform.profile", path)
	}
	switch c.Payreq.Provider {
	case "", providerTikkie, providerTinka:
	default:
		return nil, fmt.Errorf("%s: payreq.provider: %q is not tikkie or tinka", path, c.Payreq.Provider)
	}
	for _, f := range c.Platform.Formats {
		if f != "camt" && f != "coda" {
			return nil, fmt.Errorf("%s: platform.formats: %q is not camt or coda", path, f)
		}
	}
	return &c, nil
}

// path resolves a configured path against the config's folder.
func (c *nightlyConfig) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

func newNightlyCmd(a *app) *cobra.Command {
	var config string
	cmd := &cobra.Command{
		Use:   "nightly --config batchtool.toml",
		Short: "Run the whole nightly job: build, upload, fetch, reconcile, report",
		Long: `nightly runs the job finance needs every night, unattended:

  1. build a pain.008 batch from each due file (once per file content),
  2. register it in the ledger and upload it (once: the ledger remembers),
  3. check, upload and register the UBL invoices (each once),
  4. have the platform generate reconciliation files and fetch the new ones,
  5. reconcile every fetched file against the ledger (a file, or a line seen
     in another file, is never booked twice),
  6. write the reports and the ERP export for the lines booked in this run,
     and cross-check the platform's transaction feed against the ledger,
  7. with a [payreq] provider: book the payment requests paid since the last
     run (payments.* reports) and send requests for collections returned for
     good and invoices overdue (payment-links.csv lists the open ones).

It is safe to re-run at any time: a second run changes nothing. The exit code
is 1 when something needs a person: a rejected row, a failed upload or
download, a file with errors, or statement lines left unmatched or ambiguous.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if config == "" {
				return usagef("--config is required")
			}
			c, err := loadNightlyConfig(config)
			if err != nil {
				return err
			}
			return runNightly(a, c, time.Now())
		},
	}
	cmd.Flags().StringVar(&config, "config", "", "batchtool.toml")
	return cmd
}

// nightlyRun is one run of the job: its steps and what needs a person.
type nightlyRun struct {
	a       *app
	c       *nightlyConfig
	stamp   string
	attend  []string // what went wrong: exit code 1
	todo    []string // routine work for a person: sending payment links
	results []stepResult
}

type stepResult struct {
	Step string        `json:"step"`
	Code int           `json:"exit_code"`
	Note string        `json:"note,omitempty"`
	Took time.Duration `json:"took"`
}

// step runs one batchtool command in-process, as a user would, under a
// heading, and records its exit code.
func (n *nightlyRun) step(title string, args ...string) int {
	fmt.Fprintf(n.a.stdout, "\n== %s\n", title)
	start := time.Now()
	code := run(args, strings.NewReader(""), n.a.stdout, n.a.stderr)
	n.results = append(n.results, stepResult{Step: title, Code: code, Took: time.Since(start)})
	if code != 0 {
		n.attend = append(n.attend, fmt.Sprintf("%s: exit code %d", title, code))
	}
	return code
}

func (n *nightlyRun) note(title, text string) {
	fmt.Fprintf(n.a.stdout, "\n== %s\n%s\n", title, text)
	n.results = append(n.results, stepResult{Step: title, Note: text})
}

func (n *nightlyRun) platformArgs() []string {
	args := []string{"--timeout", n.c.Platform.Timeout}
	if n.c.Platform.URL != "" {
		args = append(args, "--url", n.c.Platform.URL)
	}
	if n.c.Platform.TokenFile != "" {
		args = append(args, "--token-file", n.c.path(n.c.Platform.TokenFile))
	}
	return args
}

func runNightly(a *app, c *nightlyConfig, now time.Time) error {
	n := &nightlyRun{a: a, c: c, stamp: now.UTC().Format("20060102T150405.000Z")}
	work := c.path(c.Work)
	ledgerPath := c.Ledger
	if !ledger.IsPostgres(ledgerPath) {
		ledgerPath = c.path(ledgerPath)
	}
	for _, d := range []string{"batches", "inbox", "reports"} {
		if err := os.MkdirAll(filepath.Join(work, d), 0o755); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "batchtool nightly %s: ledger %s, work %s\n", n.stamp, ledger.Describe(ledgerPath), work)
	// One run at a time; the steps below take the lock again in-process.
	release, err := holdLedger(context.Background(), ledgerPath, "nightly")
	if err != nil {
		return err
	}
	defer release()

	// 1-2. Batches: one per due file content; built, registered, uploaded once.
	// The first TARGET2 business day days_ahead days out: collect build
	// refuses a weekend or closing day (sepa.CollectionDay).
	day := sepa.NextBusinessDay(now.UTC().AddDate(0, 0, c.Collect.DaysAhead)).Format(time.DateOnly)
	sent := map[string]bool{}
	for _, due := range c.Collect.Due {
		due = c.path(due)
		id, err := fileDigest(due, c.path(c.Creditor))
		if err != nil {
			return err
		}
		base := strings.TrimSuffix(filepath.Base(due), filepath.Ext(due))
		batch := filepath.Join(work, "batches", base+"-"+id+".xml")
		rejects := filepath.Join(work, "batches", base+"-"+id+".rejects.csv")
		if _, err := os.Stat(batch); err == nil {
			n.note("build "+filepath.Base(due), batch+": built in an earlier run from the same file; not rebuilt")
		} else if n.step("build "+filepath.Base(due), "collect", "build", "--in", due, "--creditor", c.path(c.Creditor),
			"--collection-date", day, "--version", c.Collect.Version, "--out", batch, "--rejects", rejects, "--message-id", "BT"+id) > 1 {
			continue
		}
		if _, err := os.Stat(batch); err != nil {
			continue // nothing collectable in this file
		}
		if err := n.send(batch, ledgerPath); err != nil {
			return err
		}
		sent[batch] = true
	}
	// A batch an earlier run built and did not send (it was stopped between
	// the two, or the platform refused it) is sent now: its due file may
	// have changed since, and the collections would be lost.
	built, _ := filepath.Glob(filepath.Join(work, "batches", "*.xml"))
	for _, batch := range built {
		if sent[batch] {
			continue
		}
		when, err := batchUploaded(batch, ledgerPath)
		if err != nil {
			return err
		}
		if when == "" {
			if err := n.send(batch, ledgerPath); err != nil {
				return err
			}
		}
	}

	// 3. Invoices: checked, uploaded once, registered as open items.
	if len(c.Invoices.Paths) > 0 {
		var paths []string
		for _, p := range c.Invoices.Paths {
			paths = append(paths, c.path(p))
		}
		args := append([]string{"invoice", "upload"}, paths...)
		args = append(args, "--ledger", ledgerPath)
		if c.Invoices.Manual {
			args = append(args, "--manual")
		}
		n.step("upload invoices", append(args, n.platformArgs()...)...)
		n.step("register invoices", append(append([]string{"ledger", "add"}, paths...), "--ledger", ledgerPath)...)
	}

	// 4. Reconciliation files from the platform.
	var fetched []string
	for _, f := range c.Platform.Formats {
		inbox := filepath.Join(work, "inbox", f)
		n.step("fetch "+f+" files", append([]string{"files", "fetch", "--format", f, "--out", inbox, "--ledger", ledgerPath}, n.platformArgs()...)...)
		entries, _ := os.ReadDir(inbox)
		for _, e := range entries {
			if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				fetched = append(fetched, filepath.Join(inbox, e.Name()))
			}
		}
	}
	sort.Strings(fetched)

	// 5-6. Reconcile everything in the inbox (files already booked change
	// nothing) and write this run's reports.
	var summary *reconcile.Summary
	reportDir := filepath.Join(work, "reports", n.stamp)
	if len(fetched) > 0 || c.Payreq.Provider != "" {
		if err := os.MkdirAll(reportDir, 0o755); err != nil {
			return err
		}
	}
	if len(fetched) > 0 {
		args := append([]string{"reconcile"}, fetched...)
		args = append(args, "--ledger", ledgerPath)
		for _, f := range c.Reports.Formats {
			args = append(args, "--report", filepath.Join(reportDir, "reconcile."+f))
		}
		jsonReport := filepath.Join(reportDir, ".summary.json")
		args = append(args, "--report", jsonReport)
		n.step("reconcile", args...)
		summary = readSummary(jsonReport)
		os.Remove(jsonReport)
		fmt.Fprintf(a.stdout, "reports: %s\n", reportDir)
	} else {
		n.note("reconcile", "no statement files in the inbox")
	}
	// The platform's own account of the collections against what the
	// statements booked: a gap is a statement the ledger has not seen.
	if len(c.Platform.Formats) > 0 {
		n.step("check against the platform", append([]string{"ledger", "check", "--ledger", ledgerPath}, n.platformArgs()...)...)
	}
	// 7-8. Payment requests: book the ones paid since the last run, then ask
	// for what is still not collected (each item once).
	if p := c.Payreq.Provider; p != "" {
		args := []string{"payreq", "sync", "--ledger", ledgerPath, "--config", c.file}
		for _, f := range c.Reports.Formats {
			args = append(args, "--report", filepath.Join(reportDir, "payments."+f))
		}
		n.step("payreq sync", args...)
		links := filepath.Join(reportDir, "payment-links.csv")
		n.step("payreq create ("+p+")", "payreq", "create", "--provider", p, "--from-ledger", "--ledger", ledgerPath, "--config", c.file,
			"--as-of", now.UTC().Format(time.DateOnly), "--links", links)
		if sums := newLinks(links); sums.Count() > 0 {
			n.todo = append(n.todo, fmt.Sprintf("send %d new payment request link(s) (%s): %s", sums.Count(), sums, links))
		}
	}
	// Every file the platform listed must be booked: one that is not is a
	// statement the ledger does not know yet.
	if owed, err := booked(ledgerPath); err != nil {
		return err
	} else if len(owed) > 0 {
		n.attend = append(n.attend, fmt.Sprintf("%d statement file(s) listed by the platform and not booked yet (fetched again next run): %s", len(owed), strings.Join(owed, ", ")))
	}
	if summary != nil {
		if t := nonZero(summary.Outcome(reconcile.Unmatched)); t.Count() > 0 {
			n.attend = append(n.attend, fmt.Sprintf("%d statement line(s) unmatched (%s)", t.Count(), t))
		}
		if t := nonZero(summary.Outcome(reconcile.Ambiguous)); t.Count() > 0 {
			n.attend = append(n.attend, fmt.Sprintf("%d statement line(s) ambiguous (%s)", t.Count(), t))
		}
	}

	fmt.Fprintf(a.stdout, "\n== summary\n")
	for _, r := range n.results {
		status := "ok"
		switch {
		case r.Note != "":
			status = "skipped"
		case r.Code != 0:
			status = fmt.Sprintf("exit %d", r.Code)
		}
		took := ""
		if r.Took > 0 {
			took = r.Took.Round(time.Millisecond).String()
		}
		fmt.Fprintf(a.stdout, "  %-48s %-8s %s\n", r.Step, status, took)
	}
	for _, s := range n.todo {
		fmt.Fprintln(a.stdout, "to do: "+s)
	}
	if len(n.attend) == 0 {
		fmt.Fprintln(a.stdout, "nothing needs attention")
		return nil
	}
	fmt.Fprintln(a.stdout, "needs attention:")
	for _, s := range n.attend {
		fmt.Fprintln(a.stdout, "  - "+s)
	}
	return &exitError{code: 1}
}

// send registers a built batch in the ledger and uploads it, unless the
// ledger knows it as uploaded.
func (n *nightlyRun) send(batch, ledgerPath string) error {
	n.step("register "+filepath.Base(batch), "ledger", "add", batch, "--ledger", ledgerPath)
	when, err := batchUploaded(batch, ledgerPath)
	if err != nil {
		return err
	}
	if when != "" {
		n.note("upload "+filepath.Base(batch), "uploaded on "+when+" (ledger): not sent again")
		return nil
	}
	n.step("upload "+filepath.Base(batch), append([]string{"collect", "upload", batch,
		"--profile", fmt.Sprint(n.c.Platform.Profile), "--ledger", ledgerPath}, n.platformArgs()...)...)
	return nil
}

// batchUploaded tells when the ledger recorded every payment information
// block of the batch as uploaded, or "" when any is not.
func batchUploaded(batch, ledgerPath string) (string, error) {
	b, err := readBatch(batch)
	if err != nil {
		return "", err
	}
	l, err := ledger.Open(ledgerPath)
	if err != nil {
		return "", err
	}
	defer l.Close()
	when := ""
	for _, p := range b.PmtInfIDs {
		u, err := l.Uploaded(context.Background(), ledger.UploadBatch, p)
		if err != nil || u == nil {
			return "", err
		}
		when = u.At.Format("2006-01-02 15:04")
	}
	return when, nil
}

// booked marks the platform files the ledger has imported as booked, and
// names those it still owes.
func booked(ledgerPath string) ([]string, error) {
	l, err := ledger.Open(ledgerPath)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	ctx := context.Background()
	if _, err := l.MarkBooked(ctx); err != nil {
		return nil, err
	}
	return owedNames(ctx, l)
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

// nonZero leaves out the currencies without lines.
func nonZero(ts reconcile.Totals) reconcile.Totals {
	out := reconcile.Totals{}
	for _, t := range ts {
		if t.Count > 0 {
			out = append(out, t)
		}
	}
	return out
}

// newLinks counts the requests a payment-links.csv marks new, and sums
// them per currency.
func newLinks(path string) reconcile.Totals {
	sums := reconcile.Totals{}
	f, err := os.Open(path)
	if err != nil {
		return sums
	}
	defer f.Close()
	isNew, amount, ccy := slices.Index(linksHeader, "new"), slices.Index(linksHeader, "amount"), slices.Index(linksHeader, "currency")
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(linksHeader)
	for first := true; ; first = false {
		row, err := r.Read()
		if err != nil {
			return sums // io.EOF, or a file not written by payreq create
		}
		if first || row[isNew] != "yes" {
			continue
		}
		a, err := decimal.NewFromString(row[amount])
		if err != nil {
			a = decimal.Zero
		}
		sums.Add(a, row[ccy])
	}
}

// readSummary reads the totals of a reconcile JSON report.
func readSummary(path string) *reconcile.Summary {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var rep struct {
		Summary reconcile.Summary `json:"summary"`
	}
	if json.Unmarshal(b, &rep) != nil {
		return nil
	}
	return &rep.Summary
}
