package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/batchtool/batchtool/internal/safename"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/statement"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// Environment variables of the platform configuration.
const (
	envTwikeyURL        = "BATCHTOOL_TWIKEY_URL"         // base URL; default production
	envTwikeyTokenFile  = "BATCHTOOL_TWIKEY_TOKEN_FILE"  // file holding the API token
	envTwikeyPrivateKey = "BATCHTOOL_TWIKEY_PRIVATE_KEY" // hex key for enhanced security (OTP)
	// The API token itself: twikey.TokenEnv (BATCHTOOL_TWIKEY_TOKEN).
)

// platformFlags is the configuration every command that talks to the
// platform shares: where, with which token, for how long.
type platformFlags struct {
	baseURL   string
	tokenFile string
	timeout   time.Duration
	retries   int
	verbose   bool
}

func (p *platformFlags) register(fs *pflag.FlagSet) {
	def := os.Getenv(envTwikeyURL)
	if def == "" {
		def = twikey.DefaultBaseURL
	}
	fs.StringVar(&p.baseURL, "url", def, "platform base URL (env "+envTwikeyURL+"; the sandbox is http://127.0.0.1:8089)")
	fs.StringVar(&p.tokenFile, "token-file", os.Getenv(envTwikeyTokenFile), "file holding the API token (env "+envTwikeyTokenFile+"); default env "+twikey.TokenEnv)
	fs.DurationVar(&p.timeout, "timeout", 10*time.Minute, "give up on the whole command after this long")
	fs.IntVar(&p.retries, "retries", 4, "retries of a failed call, when retrying is safe")
	fs.BoolVarP(&p.verbose, "verbose", "v", false, "log every platform call (method, path, status, duration) to stderr")
}

// client returns a platform client and the context bounding the command.
func (p *platformFlags) client(a *app, parent context.Context) (*twikey.Client, context.Context, context.CancelFunc, error) {
	tok, err := twikey.LoadToken(p.tokenFile)
	if err != nil {
		return nil, nil, nil, usageError{err}
	}
	opts := twikey.Options{
		BaseURL:    p.baseURL,
		APIToken:   tok,
		PrivateKey: twikey.Secret(os.Getenv(envTwikeyPrivateKey)),
		UserAgent:  "batchtool/" + version,
		MaxRetries: p.retries,
	}
	if p.retries == 0 {
		opts.MaxRetries = -1
	}
	if p.verbose {
		opts.Logf = func(format string, args ...any) { fmt.Fprintf(a.stderr, format+"\n", args...) }
	}
	c, err := twikey.New(opts)
	if err != nil {
		return nil, nil, nil, usageError{err}
	}
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, p.timeout)
	return c, ctx, cancel, nil
}

// batchSummary is what the local reading of a pain.008 batch found.
type batchSummary struct {
	File      string            `json:"file"`
	MessageID string            `json:"message_id"`
	Version   string            `json:"version"`
	Count     int64             `json:"transactions"`
	Sum       decimal.Decimal   `json:"-"`      // over every currency: compared with the platform's (EUR) figures only
	Totals    reconcile.Totals  `json:"totals"` // one per currency
	PmtInfIDs []string          `json:"pmtinfids"`
	ReqdDates []string          `json:"collection_dates"`
	Findings  []finding.Finding `json:"findings"`
	// E2E holds the EndToEndIds per PmtInfId, for the ledger check.
	E2E map[string][]string `json:"-"`
}

// uploadHooks connect `collect upload` to the ledger. Both are nil until the
// integrator wires them (see newCollectUploadCmd):
//   - check runs before the upload; it returns an error when the ledger
//     knows any PmtInfId/EndToEndId of the batch as uploaded already.
//     --force skips it.
//   - record runs after the platform accepted the batch (or confirmed it
//     holds it), to mark its collections as uploaded.
type uploadHooks struct {
	check  func(ctx context.Context, b *batchSummary) error
	record func(ctx context.Context, b *batchSummary, platform []twikey.Collection) error
}

type collectUploadOptions struct {
	platform platformFlags
	profile  int64
	force    bool
	asJSON   bool
	hooks    uploadHooks
}

func newCollectUploadCmd(a *app) *cobra.Command {
	o := &collectUploadOptions{}
	var ledgerPath string
	cmd := &cobra.Command{
		Use:   "upload BATCH.xml",
		Short: "Upload a pain.008 batch to the platform for collection",
		Long: `upload reads the pain.008.001.02 batch, refuses it when it has errors (unless
--force), imports it on the platform profile given with --profile
(POST /creditor/collect/import?ct=) and prints the platform's answer: the
collections it now holds for the batch.

A failed call is retried only when that is safe. When the answer is lost
(network error, server error), upload asks the platform whether it holds the
batch before reporting a failure, so it never leaves you guessing.

The ledger (--ledger) remembers every uploaded batch and collection: a batch
it knows is refused unless --force, and a batch the platform says it already
holds in full is recorded and counts as done, so a re-run is safe.

The API token comes from ` + twikey.TokenEnv + ` or --token-file.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.profile <= 0 {
				return usagef("--profile: the platform profile (ct) is required")
			}
			// Held from the ledger's check to its record of the upload: a
			// run at the same time could otherwise send the batch in between.
			release, err := holdLedger(contextOf(cmd), ledgerPath, commandName(cmd))
			if err != nil {
				return err
			}
			defer release()
			o.hooks = ledgerUploadHooks(ledgerPath)
			return collectUpload(cmd.Context(), a, o, args[0])
		},
	}
	o.platform.register(cmd.Flags())
	cmd.Flags().Int64Var(&o.profile, "profile", 0, "platform collection profile id (ct)")
	cmd.Flags().StringVar(&ledgerPath, "ledger", defaultLedger(), "ledger (SQLite file or postgres:// URL): refuses what it knows as uploaded, records what the platform took")
	cmd.Flags().BoolVar(&o.force, "force", false, "upload despite errors found locally or a ledger that says the batch was uploaded already")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	return cmd
}

// readBatch reads the batch locally: counts, sums, ids and findings.
func readBatch(path string) (*batchSummary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd := pain008.NewReader(f, path)
	b := &batchSummary{File: path, E2E: map[string][]string{}, Totals: reconcile.Totals{}, PmtInfIDs: []string{}, ReqdDates: []string{}}
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
	b.Findings = append(rd.Findings(), b.Findings...)
	b.MessageID = rd.Header().MsgId
	b.Version = rd.Version()
	if b.Findings == nil {
		b.Findings = []finding.Finding{}
	}
	return b, nil
}

// uploadResult is what `collect upload` reports.
type uploadResult struct {
	Batch       *batchSummary       `json:"batch"`
	Profile     int64               `json:"profile"`
	Outcome     string              `json:"outcome"` // imported, confirmed, already_uploaded, rejected, failed
	Message     string              `json:"message,omitempty"`
	Error       *twikey.Error       `json:"error,omitempty"`
	Collections []twikey.Collection `json:"collections"`
}

// MarshalJSON writes the result by batchtool's one JSON rule: the
// platform's collections and error in our own field names, amounts as
// strings beside their currency, dates as YYYY-MM-DD, lists never null.
func (r uploadResult) MarshalJSON() ([]byte, error) {
	type collection struct {
		ID             int64  `json:"id"`
		PmtInfID       string `json:"pmt_inf_id"`
		Transactions   int    `json:"transactions"`
		Amount         string `json:"amount"`
		Currency       string `json:"currency"`
		Status         string `json:"status"`
		CollectionDate string `json:"collection_date,omitempty"`
		Generated      string `json:"generated,omitempty"`
		Progress       string `json:"progress,omitempty"`
	}
	type apiError struct {
		Status  int    `json:"status"`
		Code    string `json:"code"`
		Message string `json:"message,omitempty"`
		Extra   string `json:"extra,omitempty"`
		Call    string `json:"call,omitempty"`
	}
	out := struct {
		Batch       *batchSummary `json:"batch"`
		Profile     int64         `json:"profile"`
		Outcome     string        `json:"outcome"`
		Message     string        `json:"message,omitempty"`
		Error       *apiError     `json:"error,omitempty"`
		Collections []collection  `json:"collections"`
	}{Batch: r.Batch, Profile: r.Profile, Outcome: r.Outcome, Message: r.Message, Collections: []collection{}}
	if e := r.Error; e != nil {
		out.Error = &apiError{e.Status, e.Code, e.Message, e.Extra, e.Call}
	}
	for _, c := range r.Collections {
		out.Collections = append(out.Collections, collection{ID: c.ID, PmtInfID: c.PmtInfID, Transactions: c.Tx,
			Amount: statement.FormatAmount(c.Amount, "EUR"), Currency: "EUR", Status: c.Status, // the platform collects SEPA: EUR
			CollectionDate: dateText(c.ReqCollDate.Time), Generated: dateText(c.Generated.Time), Progress: c.Progress})
	}
	return json.Marshal(out)
}

func collectUpload(parent context.Context, a *app, o *collectUploadOptions, path string) error {
	b, err := readBatch(path)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	errs, _ := finding.List(b.Findings).Count()
	if errs > 0 && !o.force {
		for _, f := range b.Findings {
			fmt.Fprintln(a.stderr, f)
		}
		return &exitError{code: 1, msg: fmt.Sprintf("%s: %d error(s): not uploaded (fix them, or --force to let the platform judge)", path, errs)}
	}
	if b.Version != "" && b.Version != pain008.Version02 {
		fmt.Fprintf(a.stderr, "batchtool: warning: %s is pain.008.%s; the platform imports pain.008.001.02\n", path, b.Version)
	}
	c, ctx, cancel, err := o.platform.client(a, parent)
	if err != nil {
		return err
	}
	defer cancel()
	if o.hooks.check != nil && !o.force {
		if err := o.hooks.check(ctx, b); err != nil {
			return &exitError{code: 1, msg: fmt.Sprintf("%s: %v (--force uploads anyway)", path, err)}
		}
	}

	res := &uploadResult{Batch: b, Profile: o.profile}
	f, err := os.Open(path)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	defer f.Close()
	upErr := c.ImportCollection(ctx, o.profile, f)
	var apiErr *twikey.Error
	switch {
	case upErr == nil:
		res.Outcome = "imported"
	case errors.As(upErr, &apiErr) && apiErr.IsUserError():
		res.Outcome, res.Error, res.Message = "rejected", apiErr, apiErr.Error()
	default:
		res.Outcome, res.Message = "failed", upErr.Error()
	}
	// Ask the platform what it holds of this batch: the answer to print,
	// and the truth when the import's own answer was lost or a duplicate.
	held, qerr := platformCollections(ctx, c, o.profile, b)
	res.Collections = held
	if res.Outcome != "imported" && qerr == nil && len(held) == len(b.PmtInfIDs) && len(held) > 0 {
		if res.Outcome == "failed" {
			res.Outcome = "confirmed"
			res.Message = "the answer was lost (" + res.Message + "), but the platform holds every collection of the batch"
		} else if apiErr != nil && apiErr.Code == "invalid_file" {
			res.Outcome = "already_uploaded"
		}
	}
	if qerr != nil && res.Outcome == "imported" {
		res.Message = "imported; listing its collections failed: " + qerr.Error()
	}
	if (res.Outcome == "imported" || res.Outcome == "confirmed" || res.Outcome == "already_uploaded") && o.hooks.record != nil {
		if err := o.hooks.record(ctx, b, held); err != nil {
			res.Message = strings.TrimPrefix(res.Message+"; ", "; ") + "recording in the ledger failed: " + err.Error()
			res.Outcome = "imported_unrecorded"
		}
	}
	if res.Collections == nil {
		res.Collections = []twikey.Collection{}
	}
	if o.asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(res)
	} else {
		writeUploadResult(a.stdout, res)
	}
	switch res.Outcome {
	case "imported", "confirmed", "already_uploaded":
		return nil
	}
	return &exitError{code: 1}
}

// platformCollections returns the platform's collections of the batch,
// looked up by profile and collection date and matched by PmtInfId.
func platformCollections(ctx context.Context, c *twikey.Client, ct int64, b *batchSummary) ([]twikey.Collection, error) {
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

func writeUploadResult(w io.Writer, r *uploadResult) {
	b := r.Batch
	fmt.Fprintf(w, "%s: %d transaction(s), %s, %d collection(s), message %s\n", safename.Escape(b.File), b.Count, b.Totals, len(b.PmtInfIDs), orDash(b.MessageID))
	switch r.Outcome {
	case "imported":
		fmt.Fprintf(w, "platform: imported on profile %d\n", r.Profile)
	case "confirmed":
		fmt.Fprintf(w, "platform: imported on profile %d: %s\n", r.Profile, r.Message)
	case "already_uploaded":
		fmt.Fprintf(w, "platform: already holds this batch: %s\n", r.Message)
	case "rejected":
		fmt.Fprintf(w, "platform: rejected: %s\n", r.Message)
	default:
		fmt.Fprintf(w, "platform: %s: %s\n", strings.ReplaceAll(r.Outcome, "_", " "), r.Message)
	}
	if len(r.Collections) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPMTINFID\tTX\tAMOUNT\tSTATUS\tCOLLECTION DATE")
	for _, c := range r.Collections {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\n", c.ID, c.PmtInfID, c.Tx, c.Amount.StringFixed(2), c.Status, c.ReqCollDate)
	}
	tw.Flush()
	var n int
	sum := decimal.Zero
	for _, c := range r.Collections {
		n += c.Tx
		sum = sum.Add(c.Amount)
	}
	if int64(n) != b.Count || !sum.Equal(b.Sum) {
		fmt.Fprintf(w, "warning: the platform holds %d transaction(s), %s EUR; the file has %d, %s EUR\n", n, sum.StringFixed(2), b.Count, b.Sum.StringFixed(2))
	}
}
