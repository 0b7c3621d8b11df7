package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/inspect"
	"github.com/batchtool/batchtool/pkg/sepa"
)

// batchtool runs the CLI in-process and returns its exit code and output.
func batchtool(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// repoFile returns the path of a file in the repository's testdata.
func repoFile(name string) string { return filepath.Join("..", "..", "testdata", name) }

// collectionDay is a TARGET2 business day a few days out, a date collect
// build takes on any day the tests run.
func collectionDay() string {
	return sepa.NextBusinessDay(time.Now().UTC().AddDate(0, 0, 5)).Format(time.DateOnly)
}

func TestVersionAndUsage(t *testing.T) {
	code, out, _ := batchtool(t, "version")
	if code != 0 || !strings.HasPrefix(out, "batchtool dev") || !strings.Contains(out, " (go") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, flag, _ := batchtool(t, "--version"); code != 0 || flag != out {
		t.Fatalf("--version: %d %q, want %q", code, flag, out)
	}
	if code, _, errOut := batchtool(t, "no-such-command"); code != 2 || !strings.Contains(errOut, `unknown command "no-such-command"`) {
		t.Fatalf("unknown command: exit %d %q", code, errOut)
	}
	if code, _, _ := batchtool(t, "inspect", "--bogus", "x"); code != 2 {
		t.Fatalf("unknown flag: exit %d", code)
	}
	if code, _, _ := batchtool(t, "completion", "bash"); code != 0 {
		t.Fatalf("completion: exit %d", code)
	}
}

func TestInspectUnknownFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(p, []byte("hello"), 0o644)
	code, out, errOut := batchtool(t, "inspect", p)
	if code != 2 || out != "" || errOut != "batchtool: "+p+": is not a payment file: none of pain.008, camt.052/.053/.054, CODA or UBL\n" {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	missing := filepath.Join(t.TempDir(), "missing.xml")
	code, out, errOut = batchtool(t, "inspect", missing)
	if code != 2 || out != "" || errOut != "batchtool: "+missing+": cannot be read: no such file or directory\n" {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		head string
		want inspect.Format
	}{
		{`<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"><CstmrDrctDbtInitn>`, inspect.FormatPain008},
		{"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">", inspect.FormatCamt},
		{`<Document xmlns="urn:example:unknown"><BkToCstmrDbtCdtNtfctn>`, inspect.FormatCamt},
		{`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">`, inspect.FormatUBL},
		{`<cn:CreditNote xmlns:cn="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2">`, inspect.FormatUBL},
		{"0000022111572505        00099449  ACME NV                   KREDBEBB   00477472701 00000                                       2\n", inspect.FormatCODA},
		{"PK\x03\x04rest", inspect.FormatZip},
		{"hello", inspect.FormatUnknown},
	}
	for _, tt := range tests {
		if got := inspect.Detect([]byte(tt.head)); got != tt.want {
			t.Errorf("inspect.Detect(%.40q) = %q, want %q", tt.head, got, tt.want)
		}
	}
}
