package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
)

func europeanFile(name string) string { return repoFile(filepath.Join("european", name)) }

// TestCollectBuildEuropean: the due collections as European desks export
// them build the same batch, with the CLI's exact output.
func TestCollectBuildEuropean(t *testing.T) {
	const names = "warning: debtor_name \"Chloé Lefèvre\": written as \"Chloe Lefevre\" ('é'→\"e\" at 5, 'è'→\"e\" at 10) [EPC basic Latin]"
	for _, tt := range []struct {
		file  string
		flags []string
	}{
		{"due-semicolon-bom-crlf.csv", nil},
		{"due-semicolon-cp1252.csv", []string{"--encoding", "cp1252"}},
		{"due-semicolon-latin1.csv", []string{"--encoding", "latin1", "--delimiter", ";"}},
		{"due-tab.txt", nil},
		{"due-comma-thousands.csv", nil},
		{"due-semicolon-bom-crlf.csv", []string{"--delimiter", ";", "--decimal-comma", "--encoding", "utf-8"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "batch.xml")
			in := europeanFile(tt.file)
			args := append([]string{"collect", "build", "--in", in, "--creditor", repoFile("creditor.json"),
				"--collection-date", "2026-12-07", "--today", "2026-12-03", "--out", out}, tt.flags...)
			code, stdout, stderr := batchtool(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if want := out + ": 5 transactions, total 1235899.94 EUR (pain.008.001.02)\n"; stdout != want {
				t.Fatalf("stdout %q\nwant %q", stdout, want)
			}
			if want := in + ":2:6: " + names + "\n"; !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 4 {
				t.Fatalf("stderr:\n%s\nwant 4 transliteration warnings, the first\n%s", stderr, want)
			}
			b, _ := os.ReadFile(out)
			for _, want := range []string{`<InstdAmt Ccy="EUR">1234567.89</InstdAmt>`, `<InstdAmt Ccy="EUR">1299.95</InstdAmt>`, `<Nm>Chloe Lefevre</Nm>`, `<ReqdColltnDt>2026-12-07</ReqdColltnDt>`} {
				if !strings.Contains(string(b), want) {
					t.Errorf("batch lacks %s", want)
				}
			}
			testutil.Xmllint(t, testutil.XSD(t, "pain.008", "pain.008.001.02.xsd"), out)
		})
	}
}

// TestCollectBuildEuropeanRefusals: wrong bytes, ambiguous amounts and a
// missing date stop with one located error naming the fix; nothing is
// written.
func TestCollectBuildEuropeanRefusals(t *testing.T) {
	for _, tt := range []struct {
		name   string
		in     string
		flags  []string
		code   int
		stderr string
	}{
		{"cp1252 undeclared", europeanFile("due-semicolon-cp1252.csv"), []string{"--collection-date", "2026-12-07"}, 1,
			"batchtool: " + europeanFile("due-semicolon-cp1252.csv") + `:2:6: error: debtor_name "Chlo\xe9 Lef\xe8vre": byte E9 at byte 5 is not UTF-8; read as Windows-1252 the field is "Chloé Lefèvre": give --encoding cp1252 (or latin1), or save the file as "CSV UTF-8" [encoding]` + "\n"},
		{"ambiguous amounts", europeanFile("due-comma-ambiguous.csv"), []string{"--collection-date", "2026-12-07"}, 1,
			europeanFile("due-comma-ambiguous.csv") + `:2:5: error: amount "1,234": ambiguous: with decimal points ',' groups thousands (1,234 would be 1234), yet it reads as a decimal comma: write it without the ',' or with decimals (1,234.00) [amount notation]` + "\n" +
				europeanFile("due-comma-ambiguous.csv") + `:2:6: warning: debtor_name "Chloé Lefèvre": written as "Chloe Lefevre" ('é'→"e" at 5, 'è'→"e" at 10) [EPC basic Latin]` + "\n"},
		{"no collection date", repoFile("due.csv"), nil, 2,
			"batchtool: " + repoFile("due.csv") + ": no collection date: the rows carry none (no collection_date column) and no default was given; give --collection-date\n"},
		{"Saturday", repoFile("due.csv"), []string{"--collection-date", "2026-12-05"}, 2,
			"batchtool: --collection-date: collection date 2026-12-05 is not a TARGET2 business day (Saturday): the next business day is 2026-12-07 (or give --roll-forward)\n"},
		{"Good Friday", repoFile("due.csv"), []string{"--collection-date", "2027-03-26"}, 2,
			"batchtool: --collection-date: collection date 2027-03-26 is not a TARGET2 business day (Good Friday): the next business day is 2027-03-30 (or give --roll-forward)\n"},
		{"bad encoding flag", repoFile("due.csv"), []string{"--collection-date", "2026-12-07", "--encoding", "utf-16"}, 2,
			"batchtool: encoding \"utf-16\": want utf-8, cp1252 or latin1\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "batch.xml")
			args := append([]string{"collect", "build", "--in", tt.in, "--creditor", repoFile("creditor.json"), "--out", out, "--today", "2026-12-01"}, tt.flags...)
			code, stdout, stderr := batchtool(t, args...)
			if tt.name == "ambiguous amounts" {
				// Every row's findings come first; compare the first row's.
				stderr = strings.Join(strings.SplitAfter(stderr, "\n")[:2], "")
			}
			if code != tt.code || stdout != "" || stderr != tt.stderr {
				t.Fatalf("exit %d (want %d), stdout %q\nstderr:\n%s\nwant:\n%s", code, tt.code, stdout, stderr, tt.stderr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("left %v behind", entries)
			}
		})
	}
}

// TestCollectBuildRollForwardAndD1: a Saturday moves to Monday with
// --roll-forward, said once; sent on that Monday it draws the D-1 warning.
func TestCollectBuildRollForwardAndD1(t *testing.T) {
	out := filepath.Join(t.TempDir(), "batch.xml")
	code, stdout, stderr := batchtool(t, "collect", "build", "--in", repoFile("due.csv"), "--creditor", repoFile("creditor.json"), "--out", out,
		"--collection-date", "2026-12-05", "--roll-forward", "--today", "2026-12-07")
	if code != 0 || stdout != out+": 12 transactions, total 2037.22 EUR (pain.008.001.02)\n" {
		t.Fatalf("exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	want := "warning: --collection-date 2026-12-05 is not a TARGET2 business day (Saturday): moved to 2026-12-07 (--roll-forward)\n" +
		"warning: --collection-date: collection date 2026-12-07 leaves less than the D-1 business day the SDD rulebook requires: the file had to reach the debtor's bank by 2026-12-04 (today is 2026-12-07); the bank may reject it or move the date\n"
	if !strings.HasPrefix(stderr, want) {
		t.Fatalf("stderr:\n%s\nwant prefix:\n%s", stderr, want)
	}
	b, _ := os.ReadFile(out)
	if n := strings.Count(string(b), "<ReqdColltnDt>2026-12-07</ReqdColltnDt>"); n == 0 || strings.Contains(string(b), "2026-12-05") {
		t.Fatalf("batch dates: %d on Monday", n)
	}
	// Sent on Friday, D-1 for Monday: no warning.
	_, _, stderr = batchtool(t, "collect", "build", "--in", repoFile("due.csv"), "--creditor", repoFile("creditor.json"), "--out", out,
		"--collection-date", "2026-12-07", "--today", "2026-12-04")
	if strings.Contains(stderr, "D-1") {
		t.Fatalf("warned on D-1:\n%s", stderr)
	}
}

// TestCollectBuildFromUBLCalendar: an invoice due on a Saturday is refused
// naming Monday, or collected on Monday with --roll-forward.
func TestCollectBuildFromUBLCalendar(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "invoices")
	os.Mkdir(inv, 0o755)
	entries, err := os.ReadDir(repoFile("invoices"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(repoFile("invoices"), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.ReplaceAll(string(b), "<cbc:DueDate>2026-11-30", "<cbc:DueDate>2026-12-05"))
		os.WriteFile(filepath.Join(inv, e.Name()), b, 0o644)
	}
	out := filepath.Join(dir, "batch.xml")
	args := []string{"collect", "build", "--from-ubl", inv, "--mandates", repoFile("mandates.csv"), "--creditor", repoFile("creditor.json"),
		"--collection-date", "2026-11-02", "--today", "2026-10-30", "--out", out}
	code, _, stderr := batchtool(t, args...)
	for _, n := range []string{"0501", "0502", "0506"} {
		want := filepath.Join(inv, "INV-2026-"+n+".xml") + `: error: cbc:DueDate "2026-12-05": collection date 2026-12-05 is not a TARGET2 business day (Saturday): the next business day is 2026-12-07 (or give --roll-forward) [TARGET2 calendar]` + "\n"
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %s", want)
		}
	}
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := batchtool(t, append(args, "--roll-forward")...)
	if want := "3 invoice(s) skipped: credit notes or not paid by direct debit\n" + out + ": 3 transactions, total 211.52 EUR (pain.008.001.02)\n"; code != 0 || stdout != want {
		t.Fatalf("exit %d, stdout %q, want %q\n%s", code, stdout, want, stderr)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "<ReqdColltnDt>2026-12-07</ReqdColltnDt>") || strings.Contains(string(b), "2026-12-05") {
		t.Fatalf("batch not collected on Monday 2026-12-07")
	}
}
