package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNightlyHidesQueryPassword: a ledger URL with its password given as a
// parameter is printed without it, in nightly's first line and in the
// error of a ledger that cannot be reached.
func TestNightlyHidesQueryPassword(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "batchtool.toml")
	url := "postgres://bt@127.0.0.1:1/ledger?sslmode=disable&password=s3cret&sslpassword=k3y&connect_timeout=1"
	os.WriteFile(config, []byte(`ledger = "`+url+`"`+"\n"), 0o644)
	code, out, errOut := batchtool(t, "nightly", "--config", config)
	shown := regexp.QuoteMeta("postgres://bt@127.0.0.1:1/ledger?sslmode=disable&password=xxxxx&sslpassword=xxxxx&connect_timeout=1")
	first := regexp.MustCompile(`^batchtool nightly \d{8}T\d{6}\.\d{3}Z: ledger ` + shown + `, work ` + regexp.QuoteMeta(filepath.Join(dir, "work")) + "\n$")
	if code != 1 || !first.MatchString(out) || !regexp.MustCompile(`^batchtool: ledger `+shown+`: `).MatchString(errOut) ||
		strings.Contains(out+errOut, "s3cret") || strings.Contains(out+errOut, "k3y") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}
