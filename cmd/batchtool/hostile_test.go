package main

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/statement"
)

func writeZip(t *testing.T, path string, members []string, bodies []io.Reader) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for i, name := range members {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, bodies[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestHostileZips: a zip whose camt statement expands 1,000 times (the
// review's 755 KB zip was read with 2.2 GB RSS and booked) is refused
// before a byte of it is read, and nothing of it is booked; a member named
// with a line feed and an escape sequence is refused, and its name is
// printed escaped.
func TestHostileZips(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	st := filepath.Join(dir, "st.xml")
	writeRecStatement(t, st, "CAMT-Z", day, []statement.Entry{{Amount: decimal.RequireFromString("5.00"), Currency: "EUR", Status: "BOOK",
		BookingDate: day, ValueDate: day, AccountSvcrRef: "BANK-Z", BankTxCode: statement.BankTxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT"},
		Details: []statement.Transaction{{Amount: decimal.RequireFromString("5.00"), Currency: "EUR", Remittance: "gift"}}}})
	body, err := os.ReadFile(st)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(body)
	i := strings.LastIndex(doc, "</Document>")
	bomb := testutil.Concat(doc[:i], testutil.Repeat(" ", 50<<20), doc[i:])
	zp := filepath.Join(dir, "statements.zip")
	writeZip(t, zp, []string{"bomb.xml", "ok\n\x1b[2Jnothing needs attention.xml"}, []io.Reader{bomb, strings.NewReader(doc)})

	code, out, errOut := batchtool(t, "reconcile", "--create", zp, "--ledger", db)
	wantErr := "batchtool: " + zp + `!bomb.xml: error: "52430024 bytes from 51605": member expands more than 200 times its compressed size: refused (real statements and invoices compress at most 40 times; a zip bomb 1,000) [limit]` + "\n"
	if code != 1 || !strings.HasPrefix(out, "entries: 0, lines: 0, total none\n") || errOut != wantErr {
		t.Fatalf("reconcile: exit %d\nstdout %q\nstderr %q\nwant   %q", code, out, errOut, wantErr)
	}
	code, out, _ = batchtool(t, "ledger", "status", "--ledger", db)
	if code != 0 || !strings.Contains(out, "statements: 0 file(s), 0 line(s) booked") {
		t.Fatalf("ledger status: %d\n%s", code, out)
	}

	code, out, _ = batchtool(t, "inspect", zp)
	want := zp + `!bomb.xml: ` + "\n" +
		"findings: 1 error(s), 0 warning(s)\n" +
		`  ` + zp + `!bomb.xml: error: "52430024 bytes from 51605": member expands more than 200 times its compressed size: refused (real statements and invoices compress at most 40 times; a zip bomb 1,000) [limit]` + "\n\n" +
		zp + `!ok\n\x1b[2Jnothing needs attention.xml: ` + "\n" +
		"findings: 1 error(s), 0 warning(s)\n" +
		`  ` + zp + `!ok\n\x1b[2Jnothing needs attention.xml: error: member name "ok\n\x1b[2Jnothing needs attention.xml" holds the control character U+000A: refused [limit]` + "\n"
	if code != 1 || out != want {
		t.Fatalf("inspect: exit %d\n%s\nwant\n%s", code, out, want)
	}
	if strings.ContainsAny(out, "\x1b\r") {
		t.Error("a control character printed raw")
	}
}

// TestInspectEscapesContent: a name inside a file (an attachment's file
// name, a party name) holding a bidi override or line feed prints escaped.
func TestInspectEscapesContent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "pkg", "ubl", "testdata", "invoice-sdd.xml"))
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(b), `filename="invoice.pdf"`, `filename="invoice&#x202E;fdp.exe&#10;ok"`, 1)
	p := filepath.Join(t.TempDir(), "inv.xml")
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ := batchtool(t, "inspect", p)
	if !strings.Contains(out, `attachment:   ATT-1 invoice\u202efdp.exe\nok (application/pdf, 201 bytes)`) || strings.Contains(out, "\u202e") {
		t.Fatalf("inspect:\n%s", out)
	}
}
