package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/pkg/pipeline"
)

// TestRunTwice: the second night builds, sends and books nothing, says so
// in its steps' values, and no night leaves a file of its own behind to
// learn a result from (the CLI once wrote and read back .summary.json).
func TestRunTwice(t *testing.T) {
	dir := t.TempDir()
	platform := sandbox.New(filepath.Join(dir, "platform"), sandbox.Options{})
	if err := platform.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer platform.Close()
	token := filepath.Join(dir, "twikey.token")
	os.WriteFile(token, []byte(sandbox.DefaultToken), 0o600)
	config := &pipeline.Config{
		Ledger: filepath.Join(dir, "batchtool.db"), Work: filepath.Join(dir, "work"), Creditor: "../../testdata/creditor.json",
		Collect:  pipeline.CollectConfig{Due: []string{"../../testdata/due.csv"}},
		Platform: pipeline.PlatformConfig{URL: platform.URL(), TokenFile: token, Profile: 1234, Formats: []string{"camt", "coda"}},
		Reports:  pipeline.ReportsConfig{Formats: []string{"csv"}},
	}
	ctx := context.Background()
	first, err := pipeline.Run(ctx, config, pipeline.Options{Now: time.Now()})
	if err != nil || first.NeedsAttention() {
		t.Fatalf("first night: %v %v", err, first.Attention)
	}
	if got := first.Reconciled.Total.Lines; got != 15 {
		t.Errorf("first night booked %d lines, want 15", got)
	}
	second, err := pipeline.Run(ctx, config, pipeline.Options{Now: time.Now().Add(time.Second)})
	if err != nil || second.NeedsAttention() {
		t.Fatalf("second night: %v %v", err, second.Attention)
	}
	var got []string
	for _, s := range second.Steps {
		got = append(got, s.Name+": "+s.Status())
	}
	want := "build due.csv: skipped, register due-f582a245fda1.xml: ok, upload due-f582a245fda1.xml: skipped, fetch camt files: ok, fetch coda files: ok, reconcile: ok, check against the platform: ok"
	if strings.Join(got, ", ") != want {
		t.Errorf("second night's steps:\n%s\nwant\n%s", strings.Join(got, ", "), want)
	}
	if n := second.Steps[2].Note; !strings.HasSuffix(n, " (ledger): not sent again") {
		t.Errorf("upload note %q", n)
	}
	for _, f := range second.Reconciled.Files {
		if !f.Import.AlreadyImported {
			t.Errorf("%s booked again", f.Name)
		}
	}
	if second.Reconciled.Total.Lines != 0 {
		t.Errorf("second night booked %d lines", second.Reconciled.Total.Lines)
	}
	hidden, _ := filepath.Glob(filepath.Join(dir, "work", "reports", "*", ".*"))
	if len(hidden) > 0 {
		t.Errorf("hidden files in the reports: %v", hidden)
	}
}
