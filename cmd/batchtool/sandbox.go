package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/pkg/twikey"
)

func newSandboxCmd(a *app) *cobra.Command {
	var (
		addr, data, token string
		headerErrors      bool
		quiet             bool
		runFor            time.Duration
	)
	cmd := &cobra.Command{
		Use:   "sandbox --addr 127.0.0.1:8089 --data DIR",
		Short: "Run the local platform sandbox",
		Long: `sandbox runs a local stand-in for the collection platform on a loopback
address: login, collection import and query, UBL invoice upload,
reconciliation files (camt.053 and CODA), transaction feed and account
reporting, with the same wire format. It keeps its state in --data, so it
survives a restart. Point the other commands at it with
  ` + envTwikeyURL + `=http://ADDR ` + twikey.TokenEnv + `=TOKEN

The simulated bank decides by the cents of each amount: .01 AM04
(insufficient funds), .02 MD06 (refund), .03 AC04 (closed account), else
paid. Uploaded invoices are paid by transfer with their payment reference:
cents .01 never, .02 half, else in full. Faults can be injected with
POST /_sandbox/faults {"kind":"429|500|slow|drop|expire|nologin","path":...}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if data == "" {
				return usagef("--data: the folder for the sandbox's state is required")
			}
			opts := sandbox.Options{APIToken: token, HeaderErrors: headerErrors}
			if !quiet {
				opts.Logf = func(format string, args ...any) { fmt.Fprintf(a.stderr, format+"\n", args...) }
			}
			srv := sandbox.New(data, opts)
			if err := srv.Start(addr); err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
			defer srv.Close()
			shown := token
			if shown == "" {
				shown = sandbox.DefaultToken
			}
			fmt.Fprintf(a.stdout, "sandbox listening on %s (data in %s)\n", srv.URL(), data)
			fmt.Fprintf(a.stdout, "  export %s=%s %s=%s\n", envTwikeyURL, srv.URL(), twikey.TokenEnv, shown)
			parent := cmd.Context()
			if parent == nil {
				parent = context.Background()
			}
			ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
			defer stop()
			if runFor > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, runFor)
				defer cancel()
			}
			<-ctx.Done()
			fmt.Fprintln(a.stdout, "sandbox stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8089", "address to listen on")
	cmd.Flags().StringVar(&data, "data", "", "folder holding the sandbox's state and files")
	cmd.Flags().StringVar(&token, "token", "", "API token the sandbox accepts (default "+sandbox.DefaultToken+")")
	cmd.Flags().BoolVar(&headerErrors, "header-errors", false, "answer errors as HTTP 200 with ApiError headers (the platform's legacy style)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "do not log sandbox events (imports, faults)")
	cmd.Flags().DurationVar(&runFor, "for", 0, "stop after this long (default: until interrupted)")
	return cmd
}
