package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/internal/payreqsandbox"
	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/internal/secretfile"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/tikkie"
	"github.com/batchtool/batchtool/pkg/twikey"
)

func newSandboxCmd(a *app) *cobra.Command {
	var (
		addr, data, token string
		privateKey        string
		headerErrors      bool
		quiet             bool
		runFor            time.Duration
	)
	cmd := &cobra.Command{
		Use:   "sandbox --addr 127.0.0.1:8089 --data DIR",
		Short: "Run the local sandbox: the collection platform, Tikkie and Tinka",
		Long: `sandbox runs a local stand-in for the collection platform on a loopback
address: login, collection import and query, UBL invoice upload,
reconciliation files (camt.053 and CODA), transaction feed and account
reporting, with the same wire format. It keeps its state in --data, so it
survives a restart. Point the other commands at it with
  ` + pipeline.EnvTwikeyURL + `=http://ADDR ` + twikey.TokenEnv + `=TOKEN
With --twikey-private-key HEX (or a file twikey-private-key in --data) the
login needs the enhanced-security OTP, as the platform does when it is set
up; the other commands then need ` + pipeline.EnvTwikeyPrivateKey + `=HEX.

The simulated bank decides by the cents of each amount: .01 AM04
(insufficient funds), .02 MD06 (refund), .03 AC04 (closed account), else
paid. Uploaded invoices are paid by transfer with their payment reference:
cents .01 never, .02 half, else in full. Faults can be injected with
POST /_sandbox/faults {"kind":"429|500|slow|drop|expire|nologin","path":...}.

The same address serves the payment request APIs (Tikkie and Tinka) for
batchtool payreq, with demo accounts; it prints the settings to export. A
Tikkie request is paid by opening its link (POST /tikkie/pay/TOKEN pays it),
and its payout is credited to the account in the next statement files;
a Tinka decision is set with POST /_sandbox/tinka/ID/decision
(decision=Accepted|Rejected|Cancelled).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if data == "" {
				return usagef("--data: the folder for the sandbox's state is required")
			}
			pay, keyFile, err := startPayreqSandbox(data)
			if err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
			key, err := sandboxPrivateKey(privateKey, data)
			if err != nil {
				return usageError{err}
			}
			opts := sandbox.Options{APIToken: token, PrivateKey: key, HeaderErrors: headerErrors, Mount: map[string]http.Handler{}}
			for _, p := range payreqsandbox.Paths() {
				opts.Mount[p] = pay.Handler()
			}
			if !quiet {
				opts.Logf = func(format string, args ...any) { fmt.Fprintf(a.stderr, format+"\n", args...) }
			}
			srv := sandbox.New(data, opts)
			if err := srv.Start(addr); err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
			defer srv.Close()
			pay.OnTikkiePaid(tikkiePayouts(srv))
			shown := token
			if shown == "" {
				shown = sandbox.DefaultToken
			}
			fmt.Fprintf(a.stdout, "sandbox listening on %s (data in %s)\n", srv.URL(), data)
			fmt.Fprintf(a.stdout, "  export %s=%s %s=%s\n", pipeline.EnvTwikeyURL, srv.URL(), twikey.TokenEnv, shown)
			if key != "" {
				fmt.Fprintf(a.stdout, "  export %s=%s\n", pipeline.EnvTwikeyPrivateKey, key)
			}
			for _, e := range payreqSandboxEnv(srv.URL(), keyFile) {
				fmt.Fprintf(a.stdout, "  export %s\n", e)
			}
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
	cmd.Flags().StringVar(&privateKey, "twikey-private-key", "", "hex private key of enhanced security: login then needs its OTP (default: the file twikey-private-key in --data, if there)")
	cmd.Flags().BoolVar(&headerErrors, "header-errors", false, "answer errors as HTTP 200 with ApiError headers (the platform's legacy style)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "do not log sandbox events (imports, faults)")
	cmd.Flags().DurationVar(&runFor, "for", 0, "stop after this long (default: until interrupted)")
	return cmd
}

// sandboxPrivateKeyFile is the file in the sandbox's data folder that holds
// the enhanced-security private key (hex), when --twikey-private-key is not
// given.
const sandboxPrivateKeyFile = "twikey-private-key"

// sandboxPrivateKey is the platform sandbox's private key: the flag, else
// the data folder's file (which must be private to its owner), else none.
func sandboxPrivateKey(flag, data string) (string, error) {
	key := strings.TrimSpace(flag)
	if key == "" {
		b, err := secretfile.Read(filepath.Join(data, sandboxPrivateKeyFile))
		switch {
		case errors.Is(err, os.ErrNotExist):
			return "", nil
		case err != nil:
			return "", fmt.Errorf("--twikey-private-key: %w", err)
		}
		key = strings.TrimSpace(string(b))
	}
	if _, err := hex.DecodeString(key); err != nil || key == "" {
		return "", errors.New("--twikey-private-key: the private key is not hexadecimal")
	}
	return key, nil
}

// startPayreqSandbox prepares the payment request sandbox kept in
// data/payreq: the demo accounts, and a demo Tikkie key (written once to
// data/tikkie-demo-key.pem) whose public half the sandbox checks the client
// assertion with.
func startPayreqSandbox(data string) (*payreqsandbox.Server, string, error) {
	dir := filepath.Join(data, "payreq")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", err
	}
	keyFile := filepath.Join(data, "tikkie-demo-key.pem")
	key, err := demoKey(keyFile)
	if err != nil {
		return nil, "", err
	}
	s := payreqsandbox.New()
	if err := s.Persist(dir); err != nil {
		return nil, "", err
	}
	if err := s.AddTikkieApp(payreqsandbox.DemoTikkieAPIKey, &key.PublicKey); err != nil {
		return nil, "", err
	}
	if err := s.AddDemoAccounts(); err != nil {
		return nil, "", err
	}
	return s, keyFile, nil
}

// tikkiePayouts books every payment on a Tikkie request as a credit on the
// platform sandbox's bank account, with the text an ABN AMRO Tikkie payout
// carries (Tikkie ID, description, payer): the next statement brings it.
func tikkiePayouts(srv *sandbox.Server) func(payreqsandbox.TikkiePayout) {
	return func(p payreqsandbox.TikkiePayout) {
		srv.Credit(p.Amount, p.Payer, p.PayerIBAN,
			fmt.Sprintf("Tikkie ID %012s, %s, %s, %s", p.TikkieID, p.Description, p.Payer, p.PayerIBAN))
	}
}

// demoKey reads the demo Tikkie key, making it on first use.
func demoKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return tikkie.ParsePrivateKeyPEM(b)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	b = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return key, os.WriteFile(path, b, 0o600)
}

// payreqSandboxEnv is the environment that points batchtool payreq at the
// sandbox's demo accounts.
func payreqSandboxEnv(url, keyFile string) []string {
	return []string{
		"BATCHTOOL_TIKKIE_URL=" + url,
		"BATCHTOOL_TIKKIE_API_KEY=" + payreqsandbox.DemoTikkieAPIKey,
		"BATCHTOOL_TIKKIE_KEY_FILE=" + keyFile,
		"BATCHTOOL_TIKKIE_PLATFORM=" + payreqsandbox.DemoPlatformToken,
		"BATCHTOOL_TIKKIE_USER=" + payreqsandbox.DemoUserToken,
		"BATCHTOOL_TIKKIE_BANK_ACCOUNT=" + payreqsandbox.DemoBankAccountToken,
		"BATCHTOOL_TINKA_URL=" + url,
		"BATCHTOOL_TINKA_MERCHANT_ID=" + payreqsandbox.DemoTinkaMerchantID,
		"BATCHTOOL_TINKA_USERNAME=" + payreqsandbox.DemoTinkaUsername,
		"BATCHTOOL_TINKA_PASSWORD=" + payreqsandbox.DemoTinkaPassword,
		"BATCHTOOL_TINKA_SECRET=" + payreqsandbox.DemoTinkaSecret,
		"BATCHTOOL_TINKA_CALLBACK_URL=" + url + "/_sandbox/return",
	}
}
