package main

// Examples and flag-value completion for every command, in one table: a
// flag name means one thing in every command, so it completes the same
// values wherever it appears.

import (
	"github.com/spf13/cobra"
)

// examples are the Examples sections of the commands that do not carry
// their own, by command path: real commands, as the README shows them.
var examples = map[string]string{
	"batchtool collect": `  batchtool collect build --in due.csv --creditor creditor.json --collection-date 2026-12-01 --out batch.xml
  batchtool collect upload batch.xml --profile 1234`,
	"batchtool collect upload": `  batchtool collect upload batch.xml --profile 1234 --ledger batchtool.db
  batchtool collect upload batch.xml --profile 1234 --url http://127.0.0.1:8089 --json`,
	"batchtool statement": `  batchtool statement convert statement.xml statement.cod --out lines.csv`,
	"batchtool invoice": `  batchtool invoice check invoices/
  batchtool invoice upload invoices/ --ledger batchtool.db`,
	"batchtool invoice check": `  batchtool invoice check invoices/
  batchtool invoice check invoices.zip --json
  batchtool invoice check -q INV-2026-0503.xml`,
	"batchtool invoice upload": `  batchtool invoice upload invoices/ --ledger batchtool.db
  batchtool invoice upload INV-2026-0503.xml --manual --url http://127.0.0.1:8089`,
	"batchtool files": `  batchtool files fetch --format camt --dir inbox/camt`,
	"batchtool sandbox": `  batchtool sandbox --addr 127.0.0.1:8089 --data sandbox-data
  batchtool sandbox --data sandbox-data --for 10m -q`,
	"batchtool ledger": `  batchtool ledger add batch.xml invoices/ --ledger batchtool.db
  batchtool ledger status --ledger batchtool.db`,
	"batchtool ledger add": `  batchtool ledger add batch.xml --ledger batchtool.db
  batchtool ledger add invoices/ invoices.zip --ledger batchtool.db
  batchtool ledger add batch.xml --ledger new.db --create
  batchtool ledger add open-items.csv --encoding cp1252
  batchtool ledger add "Open items 2026-12.xlsx"`,
	"batchtool ledger status": `  batchtool ledger status --ledger demo/batchtool.db
  BATCHTOOL_LEDGER=postgres://batch@db.internal/ledger batchtool ledger status`,
	"batchtool payreq": `  batchtool payreq create --provider tikkie --from-ledger --dry-run
  batchtool payreq sync --report payments.csv`,
	"batchtool payreq create": `  batchtool payreq create --provider tikkie --from-ledger --dry-run
  batchtool payreq create --provider tikkie --from-ledger --as-of 2026-12-31 --links links.csv
  batchtool payreq create --provider tinka --from-ledger --reason AC04,MD06 --overdue none`,
	"batchtool payreq sync": `  batchtool payreq sync --report payments.csv
  batchtool payreq sync --provider tinka --report payments.xlsx --report payments.html`,
	"batchtool nightly": `  batchtool nightly --config batchtool.toml
  batchtool nightly --config /etc/batchtool/batchtool.toml > nightly.log 2>&1`,
	"batchtool completion": `  batchtool completion bash > /etc/bash_completion.d/batchtool
  batchtool completion zsh > "${fpath[1]}/_batchtool"
  batchtool completion fish > ~/.config/fish/completions/batchtool.fish`,
	"batchtool help":                  `  batchtool help reconcile`,
	"batchtool completion bash":       `  batchtool completion bash > /etc/bash_completion.d/batchtool`,
	"batchtool completion zsh":        `  batchtool completion zsh > "${fpath[1]}/_batchtool"`,
	"batchtool completion fish":       `  batchtool completion fish > ~/.config/fish/completions/batchtool.fish`,
	"batchtool completion powershell": `  batchtool completion powershell > batchtool.ps1`,
}

// flagValues are the values the shell completes for a flag, whichever
// command it is given to.
var flagValues = map[string][]string{
	"to":           convertFormats,
	"format":       {"camt", "coda"},
	"provider":     {"tikkie", "tinka"},
	"pain-version": {"001.02", "001.08"},
	"encoding":     {"utf-8", "cp1252", "latin1"},
	"overdue":      {"14d", "30d", "none"},
	"reason": {"all", "none", "AC01", "AC04", "AC06", "AG01", "AG02", "AM04", "BE05", "MD01", "MD02", "MD06",
		"MD07", "MS02", "MS03", "RR01", "RR02", "RR03", "RR04", "SL01"},
}

// flagFiles are the flags that name files, with the extensions the shell
// offers (none: any file).
var flagFiles = map[string][]string{
	"report":   {"csv", "json", "xlsx", "html"},
	"config":   {"toml"},
	"creditor": {"json"},
	"mandates": {"csv"},
	"links":    {"csv"},
	"rejects":  {"csv"},
}

// addExamplesAndCompletion walks the tree under c: the Example of the
// table for commands without one, and completion of every flag value the
// tables know.
func addExamplesAndCompletion(c *cobra.Command) {
	for _, sub := range c.Commands() {
		addExamplesAndCompletion(sub)
	}
	if c.Example == "" {
		c.Example = examples[c.CommandPath()]
	}
	for name, values := range flagValues {
		if c.Flags().Lookup(name) != nil {
			if _, ok := c.GetFlagCompletionFunc(name); !ok {
				completeValues(c, name, values...)
			}
		}
	}
	for name, exts := range flagFiles {
		if c.Flags().Lookup(name) != nil {
			completeFiles(c, name, exts...)
		}
	}
}
