//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOutputModes: with umask 027 a batch, its rejects and a statement
// converted to CSV are 0640 (0666 less the umask, not a forced 0644); the
// ledger, which holds names and IBANs, is 0600 (its -wal and -shm too,
// while they exist: TestLedgerFileMode).
func TestOutputModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	batch, rejects, ledgerPath, csv := filepath.Join(dir, "batch.xml"), filepath.Join(dir, "rejects.csv"), filepath.Join(dir, "ledger.db"), filepath.Join(dir, "statement.csv")
	if code, _, errOut := batchtool(t, "collect", "build", "--in", repoFile("due-bad.csv"), "--creditor", repoFile("creditor.json"),
		"--collection-date", collectionDay(), "--out", batch, "--rejects", rejects); code > 1 {
		t.Fatalf("collect build: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := batchtool(t, "ledger", "add", "--create", batch, "--ledger", ledgerPath); code != 0 {
		t.Fatalf("ledger add: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := batchtool(t, "statement", "convert", corpusFile(t, "camt053", "subite-camt053-v2-be-small.xml"), "--out", csv); code != 0 {
		t.Fatalf("statement convert: exit %d\n%s", code, errOut)
	}
	for path, want := range map[string]os.FileMode{
		batch: 0o640, rejects: 0o640, csv: 0o640,
		ledgerPath: 0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Error(err)
			continue
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %04o, want %04o", filepath.Base(path), fi.Mode().Perm(), want)
		}
	}
}
