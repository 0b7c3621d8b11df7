package pipeline_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/reconcile"
)

// The whole night against the local sandbox of the platform: the sample
// due collections are built into a batch, registered and uploaded, the
// platform's camt statement is fetched and reconciled, and the platform's
// own feed is checked against the ledger.
func Example() {
	dir, _ := os.MkdirTemp("", "night")
	defer os.RemoveAll(dir)
	platform := sandbox.New(filepath.Join(dir, "platform"), sandbox.Options{})
	if err := platform.Start("127.0.0.1:0"); err != nil {
		log.Fatal(err)
	}
	defer platform.Close()
	token := filepath.Join(dir, "twikey.token")
	os.WriteFile(token, []byte(sandbox.DefaultToken), 0o600)

	config := &pipeline.Config{
		Ledger:   filepath.Join(dir, "batchtool.db"),
		Work:     filepath.Join(dir, "work"),
		Creditor: "../../testdata/creditor.json",
		Collect:  pipeline.CollectConfig{Due: []string{"../../testdata/due.csv"}},
		Platform: pipeline.PlatformConfig{URL: platform.URL(), TokenFile: token, Profile: 1234},
	}
	night, err := pipeline.Run(context.Background(), config, pipeline.Options{Now: time.Now()})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range night.Steps {
		fmt.Printf("%-34s %s\n", s.Name, s.Status())
	}
	total := night.Reconciled.Total
	fmt.Println("lines:", total.Lines, "total:", total.Total())
	for _, o := range []reconcile.Outcome{reconcile.Matched, reconcile.Returned, reconcile.Unmatched} {
		fmt.Printf("%-9s %2d %s\n", o, total.Outcome(o).Count(), total.Outcome(o))
	}
	fmt.Println("needs attention:", night.NeedsAttention())
	// Output:
	// build due.csv                      ok
	// register due-f582a245fda1.xml      ok
	// upload due-f582a245fda1.xml        ok
	// fetch camt files                   ok
	// reconcile                          ok
	// check against the platform         ok
	// lines: 15 total: 1898.16 EUR
	// matched   12 2037.22 EUR
	// returned   3 -139.06 EUR
	// unmatched  0 0.00 EUR
	// needs attention: false
}
