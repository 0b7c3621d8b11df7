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
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/statement"
	"github.com/batchtool/batchtool/pkg/twikey"
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
	def := os.Getenv(pipeline.EnvTwikeyURL)
	if def == "" {
		def = twikey.DefaultBaseURL
	}
	fs.StringVar(&p.baseURL, "url", def, "platform base URL (env "+pipeline.EnvTwikeyURL+"; the sandbox is http://127.0.0.1:8089)")
	fs.StringVar(&p.tokenFile, "token-file", os.Getenv(pipeline.EnvTwikeyTokenFile), "file holding the API token (env "+pipeline.EnvTwikeyTokenFile+"); default env "+twikey.TokenEnv)
	fs.DurationVar(&p.timeout, "timeout", 10*time.Minute, "give up on the whole command after this long")
	fs.IntVar(&p.retries, "retries", 4, "retries of a failed call, when retrying is safe")
	fs.BoolVarP(&p.verbose, "verbose", "v", false, "log every platform call (method, path, status, duration) to stderr")
}

// client returns a platform client and the context bounding the command.
func (p *platformFlags) client(a *app, parent context.Context) (*twikey.Client, context.Context, context.CancelFunc, error) {
	cfg := pipeline.PlatformConfig{URL: p.baseURL, TokenFile: p.tokenFile, Retries: p.retries}
	if p.retries == 0 {
		cfg.Retries = -1
	}
	if p.verbose {
		cfg.Logf = func(format string, args ...any) { fmt.Fprintf(a.stderr, format+"\n", args...) }
	}
	c, err := cfg.Client("batchtool/" + version)
	if err != nil {
		return nil, nil, nil, usageError{err}
	}
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, p.timeout)
	return c, ctx, cancel, nil
}

type collectUploadOptions struct {
	platform platformFlags
	profile  int64
	force    bool
	asJSON   bool
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
			l, err := ledger.Open(ledgerPath)
			if err != nil {
				return err
			}
			defer l.Close()
			if err := lockLedger(contextOf(cmd), l, cmd); err != nil {
				return err
			}
			return collectUpload(cmd.Context(), a, l, o, args[0])
		},
	}
	o.platform.register(cmd.Flags())
	cmd.Flags().Int64Var(&o.profile, "profile", 0, "platform collection profile id (ct)")
	cmd.Flags().StringVar(&ledgerPath, "ledger", defaultLedger(), "ledger (SQLite file or postgres:// URL): refuses what it knows as uploaded, records what the platform took")
	cmd.Flags().BoolVar(&o.force, "force", false, "upload despite errors found locally or a ledger that says the batch was uploaded already")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	return cmd
}

// uploadResult is what `collect upload` reports.
type uploadResult pipeline.UploadResult

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
		Batch       *pipeline.Batch `json:"batch"`
		Profile     int64           `json:"profile"`
		Outcome     string          `json:"outcome"`
		Message     string          `json:"message,omitempty"`
		Error       *apiError       `json:"error,omitempty"`
		Collections []collection    `json:"collections"`
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

func collectUpload(parent context.Context, a *app, l *ledger.DB, o *collectUploadOptions, path string) error {
	b, err := pipeline.ReadBatch(path)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	if w := b.VersionWarning(); w != "" && (!finding.List(b.Findings).HasErrors() || o.force) {
		fmt.Fprintln(a.stderr, "batchtool: warning: "+w)
	}
	// On a shared ledger the batch is claimed as nightly workers claim it:
	// one a worker is sending now is left to it. One a worker sent is in
	// the ledger as uploaded, which Upload refuses unless --force.
	release, other, err := pipeline.ClaimBatch(parent, l, b)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	if other != nil && !other.Done {
		return &exitError{code: 1, msg: path + ": " + other.String()}
	}
	sent := false
	defer func() {
		if err := release(sent); err != nil {
			fmt.Fprintln(a.stderr, "batchtool: "+path+": "+err.Error())
		}
	}()
	c, ctx, cancel, err := o.platform.client(a, parent)
	if err != nil {
		return err
	}
	defer cancel()
	res, err := pipeline.Upload(ctx, c, l, b, pipeline.UploadOptions{Profile: o.profile, Force: o.force})
	sent = err == nil && res.Sent()
	var be *pipeline.BatchErrorsError
	if errors.As(err, &be) {
		for _, f := range b.Findings {
			fmt.Fprintln(a.stderr, f)
		}
	}
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	if o.asJSON {
		if err := writeJSON(a.stdout, uploadResult(*res)); err != nil {
			return err
		}
	} else {
		writeUploadResult(a.stdout, res)
	}
	if !res.Sent() {
		return &exitError{code: 1}
	}
	return nil
}

func writeUploadResult(w io.Writer, r *pipeline.UploadResult) {
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
