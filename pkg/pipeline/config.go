package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// Config is batchtool.toml: everything one night needs. LoadConfig reads it
// and takes relative paths from the file's folder, so a config and its data
// can move together; the defaults below are filled in.
type Config struct {
	Ledger   string `toml:"ledger"`   // SQLite ledger file, or a postgres:// URL (default batchtool.db)
	Work     string `toml:"work"`     // batches/, inbox/<format>/ and reports/<run>/ go here (default work)
	Creditor string `toml:"creditor"` // creditor.json: name, iban, bic, creditor_id, initiating_party

	Collect  CollectConfig  `toml:"collect"`
	Invoices InvoicesConfig `toml:"invoices"`
	Platform PlatformConfig `toml:"platform"`
	Reports  ReportsConfig  `toml:"reports"`
	Payreq   PayreqConfig   `toml:"payreq"` // payment requests for what was not collected

	// File is the file the config was read from ("" when built in code).
	File string `toml:"-"`
}

// CollectConfig is the [collect] table: the due collections to build into
// pain.008 batches.
type CollectConfig struct {
	Due       []string `toml:"due"`        // due collection files (CSV or JSON Lines)
	DaysAhead int      `toml:"days_ahead"` // requested collection date = run date + days_ahead (default 5)
	Version   string   `toml:"version"`    // pain.008 version, 001.02 (default) or 001.08
}

// InvoicesConfig is the [invoices] table: UBL invoices to check, upload and
// register.
type InvoicesConfig struct {
	Paths  []string `toml:"paths"`  // UBL files, folders or zips
	Manual bool     `toml:"manual"` // X-MANUAL: the platform does not collect them itself
}

// PlatformConfig is the [platform] table: the collection platform (Twikey).
type PlatformConfig struct {
	URL       string   `toml:"url"`        // default $BATCHTOOL_TWIKEY_URL, else twikey.DefaultBaseURL
	TokenFile string   `toml:"token_file"` // default $BATCHTOOL_TWIKEY_TOKEN_FILE, else the token in $BATCHTOOL_TWIKEY_TOKEN
	Profile   int64    `toml:"profile"`    // collection profile (ct)
	Formats   []string `toml:"formats"`    // reconciliation files to fetch: camt, coda (default camt)
	Timeout   Duration `toml:"timeout"`    // per step (default 10m)
	// Retries of a failed call when retrying is safe (default 4, -1 for
	// none; not in batchtool.toml: the commands' --retries).
	Retries int `toml:"-"`
	// Logf, when set, logs every platform call (the commands' --verbose).
	Logf func(format string, args ...any) `toml:"-"`
}

// ReportsConfig is the [reports] table.
type ReportsConfig struct {
	Formats []string `toml:"formats"` // csv, json, xlsx, html (default csv, html)
}

// PayreqConfig is the [payreq] table. Each provider setting can also come
// from the environment, which wins; secrets only from the environment or
// from a file only its owner can read.
type PayreqConfig struct {
	Provider string   `toml:"provider"` // the night's provider: tikkie or tinka; no payment requests when empty
	Reasons  []string `toml:"reasons"`  // return reasons that are final (default FinalReasons)
	Overdue  string   `toml:"overdue"`  // invoices this long past due, e.g. "14d" (default)
	Tikkie   struct {
		URL         string `toml:"url"`          // env BATCHTOOL_TIKKIE_URL; default https://api.abnamro.com
		APIKey      string `toml:"api_key"`      // env BATCHTOOL_TIKKIE_API_KEY
		KeyFile     string `toml:"key_file"`     // env BATCHTOOL_TIKKIE_KEY_FILE: the PEM private key signing the client assertion
		Platform    string `toml:"platform"`     // env BATCHTOOL_TIKKIE_PLATFORM: platformToken
		User        string `toml:"user"`         // env BATCHTOOL_TIKKIE_USER: userToken
		BankAccount string `toml:"bank_account"` // env BATCHTOOL_TIKKIE_BANK_ACCOUNT: bankAccountToken
		// Audience is the client assertion's aud (env BATCHTOOL_TIKKIE_AUDIENCE);
		// derived from url when empty (see tikkie.Config.Audience).
		Audience string `toml:"audience"`
	} `toml:"tikkie"`
	Tinka struct {
		URL          string `toml:"url"`           // env BATCHTOOL_TINKA_URL
		MerchantID   string `toml:"merchant_id"`   // env BATCHTOOL_TINKA_MERCHANT_ID
		Username     string `toml:"username"`      // env BATCHTOOL_TINKA_USERNAME
		PasswordFile string `toml:"password_file"` // else env BATCHTOOL_TINKA_PASSWORD
		SecretFile   string `toml:"secret_file"`   // else env BATCHTOOL_TINKA_SECRET
		CallbackURL  string `toml:"callback_url"`  // env BATCHTOOL_TINKA_CALLBACK_URL: where the customer returns
		CancelURL    string `toml:"cancel_url"`    // env BATCHTOOL_TINKA_CANCEL_URL
	} `toml:"tinka"`
}

// Duration is a Go duration written as text in batchtool.toml ("10m").
type Duration time.Duration

// UnmarshalText reads "10m", "2h30m".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Environment variables of the platform configuration (the API token
// itself: twikey.TokenEnv).
const (
	EnvTwikeyURL        = "BATCHTOOL_TWIKEY_URL"         // base URL; default production
	EnvTwikeyTokenFile  = "BATCHTOOL_TWIKEY_TOKEN_FILE"  // file holding the API token
	EnvTwikeyPrivateKey = "BATCHTOOL_TWIKEY_PRIVATE_KEY" // hex key for enhanced security (OTP)
)

// Provider names.
const (
	Tikkie = "tikkie"
	Tinka  = "tinka"
)

// LoadConfig reads batchtool.toml: unknown settings are an error, relative
// paths are taken from the file's folder, and defaults are filled in.
func LoadConfig(path string) (*Config, error) {
	var c Config
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
	c.File = path
	if err := c.defaults(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Dir(path)
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	if !ledger.IsPostgres(c.Ledger) {
		abs(&c.Ledger)
	}
	for _, p := range []*string{&c.Work, &c.Creditor, &c.Platform.TokenFile, &c.Payreq.Tikkie.KeyFile, &c.Payreq.Tinka.PasswordFile, &c.Payreq.Tinka.SecretFile} {
		abs(p)
	}
	for i := range c.Collect.Due {
		abs(&c.Collect.Due[i])
	}
	for i := range c.Invoices.Paths {
		abs(&c.Invoices.Paths[i])
	}
	return &c, nil
}

// defaults fills in what the file leaves out and checks what it says.
func (c *Config) defaults() error {
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
		c.Platform.Formats = []string{twikey.FormatCAMT}
	}
	if c.Platform.Timeout == 0 {
		c.Platform.Timeout = Duration(10 * time.Minute)
	}
	if len(c.Reports.Formats) == 0 {
		c.Reports.Formats = []string{"csv", "html"}
	}
	if len(c.Collect.Due) > 0 && (c.Creditor == "" || c.Platform.Profile == 0) {
		return fmt.Errorf("collect.due needs creditor and platform.profile")
	}
	switch c.Payreq.Provider {
	case "", Tikkie, Tinka:
	default:
		return fmt.Errorf("payreq.provider: %q is not tikkie or tinka", c.Payreq.Provider)
	}
	for _, f := range c.Platform.Formats {
		if f != twikey.FormatCAMT && f != twikey.FormatCODA {
			return fmt.Errorf("platform.formats: %q is not camt or coda", f)
		}
	}
	return nil
}

// Client returns a client of the platform: the URL, token file and private
// key from the config, else from the environment (EnvTwikeyURL,
// EnvTwikeyTokenFile, twikey.TokenEnv, EnvTwikeyPrivateKey). userAgent names
// the program ("batchtool/1.2.0"). A missing or unreadable token is a
// *ConfigError.
func (p PlatformConfig) Client(userAgent string) (*twikey.Client, error) {
	url := p.URL
	if url == "" {
		url = envOr(EnvTwikeyURL, twikey.DefaultBaseURL)
	}
	tokenFile := p.TokenFile
	if tokenFile == "" {
		tokenFile = os.Getenv(EnvTwikeyTokenFile)
	}
	tok, err := twikey.LoadToken(tokenFile)
	if err != nil {
		return nil, &ConfigError{err}
	}
	retries := p.Retries
	if retries == 0 {
		retries = 4
	}
	opts := twikey.Options{BaseURL: url, APIToken: tok, PrivateKey: twikey.Secret(os.Getenv(EnvTwikeyPrivateKey)),
		UserAgent: userAgent, MaxRetries: retries, Logf: p.Logf}
	c, err := twikey.New(opts)
	if err != nil {
		return nil, &ConfigError{err}
	}
	return c, nil
}

// ConfigError is a setting that is missing or wrong (a token, a key file, a
// provider's URL): a person has to change the configuration.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func configErrorf(format string, args ...any) error {
	return &ConfigError{fmt.Errorf(format, args...)}
}

func envOr(env, v string) string {
	if e := os.Getenv(env); e != "" {
		return e
	}
	return v
}

// ParseDays reads a number of days: "14d", "0d", or a Go duration in whole
// days ("336h").
func ParseDays(s string) (int, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d >= 0 {
			return d, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d >= 0 && d%(24*time.Hour) == 0 {
		return int(d / (24 * time.Hour)), nil
	}
	return 0, fmt.Errorf("%q is not a number of days such as 14d", s)
}
