package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/sandbox"
)

func TestInvoiceUpload(t *testing.T) {
	srv, _ := startSandbox(t)
	dir := t.TempDir()
	issued := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	os.WriteFile(filepath.Join(dir, "a.xml"), sandbox.SampleInvoice("INV-A", "100.00", "+++090/9337/55493+++", issued), 0o644)
	os.WriteFile(filepath.Join(dir, "b.xml"), sandbox.SampleInvoice("INV-B", "50.00", "RF18539007547034", issued), 0o644)
	// c.xml: payable amount that does not match its lines.
	bad := bytes.Replace(sandbox.SampleInvoice("INV-C", "75.00", "", issued),
		[]byte(`<cbc:PayableAmount currencyID="EUR">75.00</cbc:PayableAmount>`), []byte(`<cbc:PayableAmount currencyID="EUR">80.00</cbc:PayableAmount>`), 1)
	os.WriteFile(filepath.Join(dir, "c.xml"), bad, 0o644)

	code, out, errOut := batchtool(t, "invoice", "upload", "--create", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one skipped)\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"3 file(s): 2 uploaded, 1 skipped, 0 failed\n",
		filepath.Join(dir, "c.xml") + ": 1 error(s) found locally: not uploaded\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := srv.Stats()["POST /creditor/invoice/ubl"]; n != 2 {
		t.Fatalf("%d uploads, want 2", n)
	}

	// Again, with a.xml unchanged and b.xml rewritten under the same
	// number: the ledger sends neither.
	os.Remove(filepath.Join(dir, "c.xml"))
	os.WriteFile(filepath.Join(dir, "b.xml"), sandbox.SampleInvoice("INV-B", "55.00", "RF18539007547034", issued), 0o644)
	code, out, _ = batchtool(t, "invoice", "upload", dir)
	if code != 1 {
		t.Fatalf("second run: exit %d, want 1 (a changed invoice needs a person)\n%s", code, out)
	}
	for _, want := range []string{
		"2 file(s): 0 uploaded, 1 skipped, 0 failed, 1 already uploaded\n",
		filepath.Join(dir, "b.xml") + ": invoice INV-B was uploaded on ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("second run output lacks %q:\n%s", want, out)
		}
	}
	if n := srv.Stats()["POST /creditor/invoice/ubl"]; n != 2 {
		t.Fatalf("%d uploads after the second run, want still 2", n)
	}
}
