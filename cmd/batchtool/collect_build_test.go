package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
)

func TestCollectBuild(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"001.02", "001.08"} {
		out := filepath.Join(dir, "batch-"+v+".xml")
		code, stdout, stderr := batchtool(t, "collect", "build", "--in", repoFile("due.csv"), "--creditor", repoFile("creditor.json"),
			"--collection-date", collectionDay(), "--out", out, "--pain-version", v)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		if want := out + ": 12 transactions, total 2037.22 EUR (pain.008." + v + ")\n"; stdout != want {
			t.Fatalf("stdout %q, want %q", stdout, want)
		}
		// The one transliterated name is reported, not silently changed.
		if want := `due.csv:7:6: warning: debtor_name "Müller Bäckerei GmbH": written as "Muller Backerei GmbH" ('ü'→"u" at 2, 'ä'→"a" at 9) [EPC basic Latin]`; !strings.Contains(stderr, want) {
			t.Fatalf("stderr lacks the transliteration warning:\n%s", stderr)
		}
		testutil.Xmllint(t, testutil.XSD(t, "pain.008", "pain.008."+v+".xsd"), out)
	}
}

func TestCollectBuildRefusesBadRows(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "batch.xml")
	code, stdout, stderr := batchtool(t, "collect", "build", "--in", repoFile("due-bad.csv"), "--creditor", repoFile("creditor.json"),
		"--collection-date", collectionDay(), "--out", out)
	if code != 1 || stdout != "" {
		t.Fatalf("exit %d, stdout %q", code, stdout)
	}
	for _, want := range []string{
		`due-bad.csv:3:5: error: amount "12.005": amount has more than 2 decimals [EPC AT-06]`,
		`due-bad.csv:4:7: error: debtor_iban "BE68 5390 0754 7035": IBAN check digits do not verify (ISO 13616 mod 97) [ISO 13616]`,
		`due-bad.csv:5:1: error: end_to_end_id "ACME-2026-11-0103": end-to-end id already used on line 4 [EPC AT-10 unique]`,
		`due-bad.csv:5:4: error: sequence_type "MONTHLY": must be one of FRST, RCUR, OOFF, FNAL [EPC AT-21]`,
		`due-bad.csv: 3 of 4 rows have errors; nothing written (use --rejects to build from the good rows)`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q\n%s", want, stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left %d file(s) behind: %v", len(entries), entries)
	}
}

func TestCollectBuildRejects(t *testing.T) {
	dir := t.TempDir()
	out, rej := filepath.Join(dir, "batch.xml"), filepath.Join(dir, "rejects.csv")
	code, stdout, _ := batchtool(t, "collect", "build", "--in", repoFile("due-bad.csv"), "--creditor", repoFile("creditor.json"),
		"--collection-date", collectionDay(), "--out", out, "--rejects", rej)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	if want := out + ": 1 transactions, total 49.99 EUR (pain.008.001.02)\n" + rej + ": 3 rejected rows\n"; stdout != want {
		t.Fatalf("stdout %q\nwant %q", stdout, want)
	}
	b, err := os.ReadFile(rej)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	// header + 3 rejected rows; with the 1 row in the batch that is all 4 input rows.
	if len(lines) != 4 || lines[0] != "line,end_to_end_id,mandate_id,mandate_signed_on,sequence_type,amount,debtor_name,debtor_iban,reason" {
		t.Fatalf("rejects:\n%s", b)
	}
	if want := `3,ACME-2026-11-0102,MNDT-00102,2023-03-14,RCUR,12.005,Marie Dubois,BE38143099887772,"amount ""12.005"": amount has more than 2 decimals"`; lines[1] != want {
		t.Fatalf("rejects line 1:\n%s\nwant\n%s", lines[1], want)
	}
	testutil.Xmllint(t, testutil.XSD(t, "pain.008", "pain.008.001.02.xsd"), out)
}

func TestCollectBuildUsage(t *testing.T) {
	if code, _, stderr := batchtool(t, "collect", "build", "--in", "x.csv"); code != 2 || !strings.Contains(stderr, "--in or --from-ubl, --creditor and --out are required") {
		t.Fatalf("exit %d %q", code, stderr)
	}
	if code, _, _ := batchtool(t, "collect", "build", "--in", "x", "--creditor", "c", "--out", "o", "--pain-version", "001.05"); code != 2 {
		t.Fatalf("bad version: exit %d", code)
	}
	bad := filepath.Join(t.TempDir(), "creditor.json")
	os.WriteFile(bad, []byte(`{"name":"A","iban":"BE68539007547035","creditor_id":"DE97ZZZ09999999999"}`), 0o644)
	code, _, stderr := batchtool(t, "collect", "build", "--in", repoFile("due.csv"), "--creditor", bad, "--out", filepath.Join(t.TempDir(), "b.xml"))
	if code != 1 || !strings.Contains(stderr, `iban "BE68539007547035": IBAN check digits do not verify`) {
		t.Fatalf("exit %d %q", code, stderr)
	}
}
