package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/pain008"
)

func TestCollectBuildFromUBL(t *testing.T) {
	out := filepath.Join(t.TempDir(), "batch.xml")
	code, stdout, stderr := batchtool(t, "collect", "build", "--from-ubl", repoFile("invoices"), "--mandates", repoFile("mandates.csv"),
		"--creditor", repoFile("creditor.json"), "--collection-date", collectionDay(), "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	want := "3 invoice(s) skipped: credit notes or not paid by direct debit\n" + out + ": 3 transactions, total 211.52 EUR (pain.008.001.02)\n"
	if stdout != want {
		t.Fatalf("stdout %q\nwant %q", stdout, want)
	}
	testutil.Xmllint(t, testutil.XSD(t, "pain.008", "pain.008.001.02.xsd"), out)

	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := pain008.NewReader(f, out)
	got := map[string]string{}
	for {
		tx, err := r.Next()
		if err != nil {
			break
		}
		got[tx.EndToEndID] = strings.Join([]string{tx.Amount.StringFixed(2), tx.MandateID, tx.DebtorIBAN, tx.SequenceType, tx.Remittance}, " ")
	}
	for e2e, w := range map[string]string{
		"INV-2026-0501": "121.00 MNDT-00017 BE07363001234566 RCUR INV-2026-0501",
		"INV-2026-0502": "60.50 MNDT-00018 BE38143099887772 RCUR INV-2026-0502",
		"INV-2026-0506": "30.02 MNDT-00020 BE80735055512377 RCUR INV-2026-0506",
	} {
		if got[e2e] != w {
			t.Errorf("%s: %q, want %q", e2e, got[e2e], w)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d transactions read back", len(got))
	}
}

func TestCollectBuildFromUBLUnknownMandate(t *testing.T) {
	dir := t.TempDir()
	mandates := filepath.Join(dir, "mandates.csv")
	os.WriteFile(mandates, []byte("mandate_id,signed_on\nMNDT-00017,2023-03-14\n"), 0o644)
	out := filepath.Join(dir, "batch.xml")
	code, _, stderr := batchtool(t, "collect", "build", "--from-ubl", repoFile("invoices"), "--mandates", mandates,
		"--creditor", repoFile("creditor.json"), "--collection-date", collectionDay(), "--out", out)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	want := `INV-2026-0502.xml: error: cac:PaymentMandate/cbc:ID "MNDT-00018": mandate not in ` + mandates + `: its signature date is needed [EPC AT-25]`
	if !strings.Contains(stderr, want) {
		t.Fatalf("stderr lacks %q:\n%s", want, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("batch written although invoices could not be collected")
	}
	if code, _, _ := batchtool(t, "collect", "build", "--from-ubl", repoFile("invoices"), "--creditor", "c", "--out", out); code != 2 {
		t.Fatalf("--from-ubl without --mandates: exit %d", code)
	}
}
