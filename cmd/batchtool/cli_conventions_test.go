package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// batchtoolIO runs the CLI with stdin and a standard error that is (or
// is not) a terminal.
func batchtoolIO(t *testing.T, stdin io.Reader, terminal bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: stdin, stdout: &out, stderr: &errb, isTerminal: func(io.Writer) bool { return terminal }}
	code = runApp(a, args)
	return code, out.String(), errb.String()
}

// TestStdio: "-" is standard input for inputs and standard output for
// outputs; what the command says about its output then goes to stderr.
func TestStdio(t *testing.T) {
	camtFile := corpusFile(t, "camt053", "subite-camt053-v2-be-small.xml")
	camt, err := os.ReadFile(camtFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fileCSV := filepath.Join(dir, "lines.csv")
	if code, _, errOut := batchtool(t, "statement", "convert", camtFile, "--out", fileCSV); code != 0 {
		t.Fatalf("convert to file: exit %d %s", code, errOut)
	}
	wantCSV, _ := os.ReadFile(fileCSV)

	code, out, errOut := batchtoolIO(t, bytes.NewReader(camt), false, "statement", "convert", "-", "--to", "csv", "--out", "-")
	if code != 0 || out != string(wantCSV) || errOut != "-: 3 rows from 1 file(s)\n" {
		t.Fatalf("convert - --out -: exit %d\n%s\nwant\n%s\nstderr %q", code, out, wantCSV, errOut)
	}

	// A .gz statement is read as its content, from a file or from stdin.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(camt)
	zw.Close()
	gzFile := filepath.Join(dir, "statement.xml.gz")
	os.WriteFile(gzFile, gz.Bytes(), 0o644)
	code, out, errOut = batchtool(t, "statement", "convert", gzFile, "--to", "csv", "--out", "-")
	if code != 0 || out != string(wantCSV) || errOut != "-: 3 rows from 1 file(s)\n" {
		t.Fatalf("convert .gz: exit %d\n%s\nstderr %q", code, out, errOut)
	}

	code, out, _ = batchtoolIO(t, bytes.NewReader(camt), false, "inspect", "-")
	_, fromFile, _ := batchtool(t, "inspect", camtFile)
	if code != 0 || out != strings.Replace(fromFile, camtFile+": ", "-: ", 1) {
		t.Fatalf("inspect -: exit %d\n%s\nwant\n%s", code, out, fromFile)
	}
	code, out, _ = batchtoolIO(t, bytes.NewReader(gz.Bytes()), false, "inspect", "-")
	if code != 0 || out != strings.Replace(fromFile, camtFile+": camt.053.001.02", "-: camt.053.001.02 (gzip)", 1) {
		t.Fatalf("inspect - of gzip: exit %d\n%s", code, out)
	}

	due, _ := os.ReadFile(repoFile("due.csv"))
	code, out, errOut = batchtoolIO(t, bytes.NewReader(due), false, "collect", "build", "--in", "-", "--creditor", repoFile("creditor.json"),
		"--collection-date", collectionDay(), "--out", "-", "--message-id", "STDIO-1")
	if code != 0 || !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`) || !strings.Contains(out, "<MsgId>STDIO-1</MsgId>") ||
		!strings.Contains(out, "<NbOfTxs>12</NbOfTxs>") || !strings.Contains(out, "<CtrlSum>2037.22</CtrlSum>") ||
		!strings.HasSuffix(errOut, "\n-: 12 transactions, total 2037.22 EUR (pain.008.001.02)\n") {
		t.Fatalf("collect build --in - --out -: exit %d\n%.300s\nstderr %s", code, out, errOut)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"inspect", "-", "-"}, "batchtool: \"-\" stands for standard input, which can be given once, not 2 times\n"},
		{[]string{"statement", "convert", "-", "--out", "-"}, "batchtool: --out - needs --to csv, jsonl or xlsx\n"},
		{[]string{"collect", "build", "--in", "x.csv", "--creditor", repoFile("creditor.json"), "--out", "-", "--rejects", "-"},
			"batchtool: \"-\" stands for standard output, which can be given once, not 2 times\n"},
	} {
		if code, _, errOut := batchtool(t, tc.args...); code != 2 || errOut != tc.want {
			t.Errorf("%v: exit %d %q, want 2 %q", tc.args, code, errOut, tc.want)
		}
	}
}

// TestInspectForeign: a file that is not one of ours is named for what it
// is, in one line, exit 2.
func TestInspectForeign(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	zipOf := func(names ...string) []byte {
		var buf bytes.Buffer
		zw := newZipWriter(&buf)
		for _, n := range names {
			w, _ := zw.Create(n)
			w.Write([]byte("hello\n"))
		}
		zw.Close()
		return buf.Bytes()
	}
	sub := filepath.Join(dir, "inbox")
	os.Mkdir(sub, 0o755)
	for _, tc := range []struct {
		path, want string
	}{
		{sub, sub + ": is a directory: give the files in it (" + sub + "/*)"},
		{write("empty.xml", nil), "empty.xml: is empty (0 bytes)"},
		{write("scan.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")), "scan.png: is a PNG image, not a payment file (pain.008, camt, CODA or UBL)"},
		{write("photo.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF")), "photo.jpg: is a JPEG image, not a payment file (pain.008, camt, CODA or UBL)"},
		{write("statement.pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")), "statement.pdf: is a PDF document, not a payment file (pain.008, camt, CODA or UBL)"},
		{write("notes.zip", zipOf("a.txt", "b.txt")), "notes.zip: is a zip of 2 file(s), none of them a payment file (pain.008, camt, CODA or UBL)"},
		{write("book.xlsx", zipOf("[Content_Types].xml", "xl/workbook.xml")), "book.xlsx: is an Office document (.xlsx/.docx), not a payment file: export it as CSV, or give the statements themselves"},
		{write("empty.zip", zipOf()), "empty.zip: is an empty zip, not a payment file (pain.008, camt, CODA or UBL)"},
		{write("scan.png.gz", gz([]byte("\x89PNG\r\n\x1a\n\x00"))), "scan.png.gz: is gzip-compressed and its content is a PNG image, not a payment file (pain.008, camt, CODA or UBL)"},
		{write("twice.gz", gz(gz([]byte("x")))), "twice.gz: is gzip of a gzip file: decompress it once first"},
		{write("broken.gz", []byte("\x1f\x8bnot really")), "broken.gz: is gzip and cannot be decompressed: gzip: invalid header"},
		{write("due.csv", []byte("end_to_end_id,mandate_id\nE1,M1\n")), "due.csv: is a due collections file, not a payment file: collect build reads it (--in)"},
		{filepath.Join(dir, "missing.xml"), "missing.xml: cannot be read: no such file or directory"},
	} {
		code, out, errOut := batchtool(t, "inspect", tc.path)
		want := "batchtool: " + tc.want + "\n"
		if !strings.HasPrefix(tc.want, "/") {
			want = "batchtool: " + filepath.Join(dir, tc.want) + "\n"
		}
		if code != 2 || out != "" || errOut != want {
			t.Errorf("inspect %s: exit %d %q\n%q\nwant 2\n%q", filepath.Base(tc.path), code, out, errOut, want)
		}
	}
	// JSON keeps every file in the list, the foreign one with its one finding.
	code, out, _ := batchtool(t, "inspect", "--json", filepath.Join(dir, "scan.png"))
	want := `[
  {
    "file": "` + dir + `/scan.png",
    "format": "unreadable",
    "findings": [
      {
        "severity": "error",
        "file": "` + dir + `/scan.png",
        "message": "is a PNG image, not a payment file (pain.008, camt, CODA or UBL)"
      }
    ]
  }
]
`
	if code != 2 || out != want {
		t.Errorf("inspect --json: exit %d\n%s\nwant\n%s", code, out, want)
	}
}

// TestExitCodes: one rule for every command — 0 done and clean, 1 done
// but something needs a person, 2 usage or unreadable input.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "x.png")
	os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n"), 0o644)
	batch := filepath.Join(dir, "batch.xml")
	if code, _, errOut := batchtool(t, "collect", "build", "--in", repoFile("due.csv"), "--creditor", repoFile("creditor.json"),
		"--collection-date", collectionDay(), "--out", batch); code != 0 {
		t.Fatalf("collect build: %d %s", code, errOut)
	}
	missingLedger := filepath.Join(dir, "typo.db")
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"inspect clean", []string{"inspect", batch}, 0},
		{"inspect with errors", []string{"inspect", corpusFile(t, "camt053", "genkgo-camt053-v2-wrong-invalid.xml")}, 1},
		{"inspect image", []string{"inspect", png}, 2},
		{"unknown flag", []string{"inspect", "--bogus", batch}, 2},
		{"unknown command", []string{"bogus"}, 2},
		{"collect build bad rows", []string{"collect", "build", "--in", repoFile("due-bad.csv"), "--creditor", repoFile("creditor.json"),
			"--collection-date", collectionDay(), "--out", filepath.Join(dir, "bad.xml")}, 1},
		{"collect build old --version", []string{"collect", "build", "--version", "001.08"}, 2},
		{"collect build missing input", []string{"collect", "build", "--in", filepath.Join(dir, "nope.csv"), "--creditor", repoFile("creditor.json"),
			"--out", filepath.Join(dir, "b.xml")}, 2},
		{"collect build no --out", []string{"collect", "build", "--in", repoFile("due.csv"), "--creditor", repoFile("creditor.json")}, 2},
		{"convert image", []string{"statement", "convert", png, "--out", filepath.Join(dir, "x.csv")}, 2},
		{"ledger status missing", []string{"ledger", "status", "--ledger", missingLedger}, 2},
		{"ledger add missing", []string{"ledger", "add", batch, "--ledger", missingLedger}, 2},
		{"reconcile missing ledger", []string{"reconcile", batch, "--ledger", missingLedger}, 2},
		{"payreq dry-run missing ledger", []string{"payreq", "create", "--provider", "tikkie", "--from-ledger", "--dry-run", "--ledger", missingLedger}, 2},
		{"ledger check missing", []string{"ledger", "check", "--ledger", missingLedger}, 2},
		{"files fetch missing", []string{"files", "fetch", "--format", "camt", "--dir", dir, "--ledger", missingLedger}, 2},
		{"payreq sync missing", []string{"payreq", "sync", "--ledger", missingLedger}, 2},
		{"reconcile image", []string{"reconcile", png, "--create", "--ledger", filepath.Join(dir, "l.db")}, 2},
		{"reconcile missing file", []string{"reconcile", filepath.Join(dir, "nope.xml"), "--create", "--ledger", filepath.Join(dir, "l.db")}, 2},
		{"reconcile batch, not a statement", []string{"reconcile", batch, "--create", "--ledger", filepath.Join(dir, "l.db")}, 2},
		{"version", []string{"version"}, 0},
	} {
		if code, _, errOut := batchtool(t, tc.args...); code != tc.want {
			t.Errorf("%s: exit %d, want %d\n%s", tc.name, code, tc.want, errOut)
		}
	}
	if _, err := os.Stat(missingLedger); err == nil {
		t.Error("a command created the missing ledger")
	}
	_, out, _ := batchtool(t, "--help")
	if !strings.Contains(out, "Exit codes, the same for every command:\n  0  done, and nothing needs a person\n  1  done, but something needs a person") {
		t.Errorf("batchtool --help does not state the exit-code rule:\n%s", out)
	}
}

// TestMissingLedgerMessage: a writing command names the fix, --create
// starts a ledger.
func TestMissingLedgerMessage(t *testing.T) {
	dir := t.TempDir()
	batch := writeBatch(t, "ML1", "10.00")
	db := filepath.Join(dir, "typo.db")
	code, out, errOut := batchtool(t, "ledger", "add", batch, "--ledger", db)
	want := "batchtool: ledger " + db + " does not exist: give --ledger (or $BATCHTOOL_LEDGER) the ledger the nightly job writes, or --create to start a new one\n"
	if code != 2 || out != "" || errOut != want {
		t.Fatalf("exit %d %q\n%q\nwant\n%q", code, out, errOut, want)
	}
	if code, out, _ := batchtool(t, "ledger", "add", batch, "--ledger", db, "--create"); code != 0 || out != batch+": pain.008: 1 collection(s) added, 0 already in the ledger, 1 new batch(es)\n" {
		t.Fatalf("--create: exit %d %q", code, out)
	}
}

// TestReadOnlyCommandsCreateNothing: commands that only read — and the
// writing commands when no ledger exists and --create is not given —
// leave the folder they run in as it was (no batchtool.db, no temporary
// file).
func TestReadOnlyCommandsCreateNothing(t *testing.T) {
	invoices, _ := filepath.Abs(repoFile("invoices"))
	due, _ := filepath.Abs(repoFile("due.csv"))
	creditor, _ := filepath.Abs(repoFile("creditor.json"))
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv(envLedger, "")
	batch := writeBatch(t, "RO1", "10.00")
	for _, args := range [][]string{
		{"inspect", batch},
		{"inspect", "--json", batch},
		{"invoice", "check", invoices},
		{"collect", "build", "--in", due, "--creditor", creditor, "--collection-date", collectionDay(), "--out", "-"},
		{"reconcile", batch},
		{"ledger", "add", batch},
		{"ledger", "status"},
		{"payreq", "create", "--provider", "tikkie", "--from-ledger", "--dry-run"},
		{"statement", "convert", batch, "--to", "csv", "--out", "-"},
		{"version"},
		{"--help"},
	} {
		batchtool(t, args...)
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("%v left %v in the folder", args, entries)
		}
	}
}

// TestEveryCommandHasExamples: every command's help has an Examples
// section of real batchtool commands.
func TestEveryCommandHasExamples(t *testing.T) {
	root := newRootCmd(&app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == cobra.ShellCompRequestCmd || c.Name() == cobra.ShellCompNoDescRequestCmd {
			return
		}
		if !strings.HasPrefix(c.Example, "  batchtool ") && !strings.Contains(c.Example, " | batchtool ") {
			t.Errorf("%s: no Examples section (Example %q)", c.CommandPath(), c.Example)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// TestCompletion: the shell completes flag values, not only flag names.
func TestCompletion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "statement", "convert", "x.xml", "--to", ""}, "csv\njsonl\nxlsx\n:4\n"},
		{[]string{"__complete", "files", "fetch", "--format", ""}, "camt\ncoda\n:4\n"},
		{[]string{"__complete", "payreq", "create", "--provider", "t"}, "tikkie\ntinka\n:4\n"},
		{[]string{"__complete", "payreq", "sync", "--provider", ""}, "tikkie\ntinka\n:4\n"},
		{[]string{"__complete", "collect", "build", "--pain-version", ""}, "001.02\n001.08\n:4\n"},
		{[]string{"__complete", "reconcile", "--report", ""}, "csv\njson\nxlsx\nhtml\n:8\n"},
	} {
		code, out, _ := batchtool(t, tc.args...)
		if code != 0 || out != tc.want {
			t.Errorf("%v: exit %d\n%q\nwant\n%q", tc.args[1:], code, out, tc.want)
		}
	}
}

// TestFlagsMeanOneThing: -q and -v are on every command; no command
// redefines --version.
func TestFlagsMeanOneThing(t *testing.T) {
	root := newRootCmd(&app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
	var paths []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, name := range []string{"quiet", "verbose"} {
			if c.Flags().Lookup(name) == nil && c.PersistentFlags().Lookup(name) == nil && c.InheritedFlags().Lookup(name) == nil {
				t.Errorf("%s: no --%s", c.CommandPath(), name)
			}
		}
		if c != root && c.LocalFlags().Lookup("version") != nil {
			paths = append(paths, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	sort.Strings(paths)
	if len(paths) > 0 {
		t.Errorf("--version redefined by %v", paths)
	}
}

// TestProgress: a progress bar on a terminal, nothing in a pipe or a log.
func TestProgress(t *testing.T) {
	camtFile := corpusFile(t, "camt053", "subite-camt053-v2-be-small.xml")
	for _, tc := range []struct {
		what     string          // the bar's title
		code     int             // the command's exit code
		messages string          // how what the command says on stderr anyway ends
		args     func() []string // a fresh command line
	}{
		{"inspect", 0, "", func() []string { return []string{"inspect", camtFile} }},
		{"convert", 0, "-: 3 rows from 1 file(s)\n", func() []string { return []string{"statement", "convert", camtFile, "--to", "csv", "--out", "-"} }},
		{"reconcile", 1, "batchtool: 3 line(s) unmatched (0.00 EUR): they need a person\n", func() []string {
			return []string{"reconcile", camtFile, "--create", "--ledger", filepath.Join(t.TempDir(), "l.db"), "--json"}
		}},
	} {
		code, _, errOut := batchtoolIO(t, strings.NewReader(""), false, tc.args()...)
		if code != tc.code || !strings.HasSuffix(errOut, tc.messages) || strings.Contains(errOut, "\r") {
			t.Errorf("%s not on a terminal: exit %d, stderr %q", tc.what, code, errOut)
		}
		// On a terminal: lines/s and, the size being known, a percentage;
		// the bar is cleared before the command's own messages.
		code, _, errOut = batchtoolIO(t, strings.NewReader(""), true, tc.args()...)
		if code != tc.code || !strings.HasPrefix(errOut, "\r"+tc.what+": ") || !strings.Contains(errOut, " lines/s ") || !strings.Contains(errOut, "% |") ||
			!strings.HasSuffix(errOut, tc.messages) || !strings.Contains(errOut, strings.Repeat(" ", 40)+"\r") {
			t.Errorf("%s on a terminal: exit %d, stderr %q", tc.what, code, errOut)
		}
		// -v: the time and speed of the read, in a pipe too.
		st, _ := os.Stat(camtFile)
		code, _, errOut = batchtoolIO(t, strings.NewReader(""), false, append(tc.args(), "-v")...)
		if code != tc.code || !strings.Contains(errOut, fmt.Sprintf("%s: %d bytes in ", tc.what, st.Size())) || !strings.Contains(errOut, " MB/s)\n") {
			t.Errorf("%s -v: exit %d, stderr %q", tc.what, code, errOut)
		}
		code, _, errOut = batchtoolIO(t, strings.NewReader(""), true, append(tc.args(), "-q")...)
		if code != tc.code || !strings.HasSuffix(errOut, tc.messages) || strings.Contains(errOut, "lines/s") {
			t.Errorf("%s -q on a terminal: exit %d, stderr %q", tc.what, code, errOut)
		}
	}
}

func newZipWriter(w io.Writer) *zip.Writer { return zip.NewWriter(w) }

// TestPayreqDryRunWithoutCredentials: --dry-run checks and lists what
// would be sent with no provider settings at all (it sends nothing).
func TestPayreqDryRunWithoutCredentials(t *testing.T) {
	startSandboxes(t)
	ledgerPath := nightlyWithReturns(t)
	for _, e := range os.Environ() {
		if k, _, _ := strings.Cut(e, "="); strings.HasPrefix(k, "BATCHTOOL_TIKKIE_") || strings.HasPrefix(k, "BATCHTOOL_TINKA_") {
			t.Setenv(k, "")
		}
	}
	code, out, errOut := batchtool(t, "payreq", "create", "--provider", "tikkie", "--from-ledger", "--ledger", ledgerPath, "--as-of", "2026-12-31", "--dry-run")
	want := `collection ACME-2026-11-0004               89.02 EUR  MD06, Sofie Janssens
collection ACME-2026-11-0005               15.03 EUR  AC04, Luc Maes
invoice    INV-2026-0506                   15.01 EUR  overdue, Sofie Janssens
tikkie: 3 payment request(s) would be sent (119.06 EUR), 0 refused; dry run: nothing sent or recorded
`
	if code != 0 || out != want || errOut != "" {
		t.Fatalf("dry run: exit %d\n%s\nwant\n%s\n%s", code, out, want, errOut)
	}
	// --json: the result on stdout, the lines on stderr.
	code, out, errOut = batchtool(t, "payreq", "create", "--provider", "tikkie", "--from-ledger", "--ledger", ledgerPath, "--as-of", "2026-12-31", "--dry-run", "--json")
	if code != 0 || errOut != strings.TrimSuffix(want, "tikkie: 3 payment request(s) would be sent (119.06 EUR), 0 refused; dry run: nothing sent or recorded\n")+
		"tikkie: 3 payment request(s) would be sent (119.06 EUR), 0 refused; dry run: nothing sent or recorded\n" {
		t.Fatalf("dry run --json: exit %d\n%s\n%s", code, out, errOut)
	}
	checkShape(t, "payreq-create", docShapes(t)["payreq-create"], []byte(out))
	if !strings.Contains(out, `"created": 3,`) || !strings.Contains(out, `"amount": "119.06"`) {
		t.Errorf("dry run --json:\n%s", out)
	}
	// payreq sync --json prints its bookings as the JSON report (none here).
	code, out, errOut = batchtool(t, "payreq", "sync", "--ledger", ledgerPath, "--json")
	if code != 0 || errOut != "" {
		t.Fatalf("sync --json: exit %d\n%s\n%s", code, out, errOut)
	}
	checkShape(t, "reconcile-report", docShapes(t)["reconcile-report"], []byte(out))
	// Without --dry-run the missing settings are a usage error.
	code, _, errOut = batchtool(t, "payreq", "create", "--provider", "tikkie", "--from-ledger", "--ledger", ledgerPath, "--as-of", "2026-12-31")
	if code != 2 || !strings.HasPrefix(errOut, "batchtool: tikkie: missing api_key (BATCHTOOL_TIKKIE_API_KEY)") {
		t.Fatalf("create without settings: exit %d %q", code, errOut)
	}
}

// TestNightlyJSON: nightly --json prints its summary as the JSON docs/json.md
// documents on stdout, the steps' text on stderr.
func TestNightlyJSON(t *testing.T) {
	startSandbox(t)
	config, _ := sampleNightlyConfig(t)
	code, out, errOut := batchtool(t, "nightly", "--config", config, "--json")
	if code != 0 || !strings.Contains(errOut, "\n== reconcile\n") || strings.Contains(out, "== ") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	checkShape(t, "nightly", docShapes(t)["nightly"], []byte(out))
	var r nightlyResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, s := range r.Steps {
		steps = append(steps, s.Step+" "+s.Status)
	}
	want := "[build due.csv ok register due-f582a245fda1.xml ok upload due-f582a245fda1.xml ok upload invoices ok register invoices ok fetch camt files ok fetch coda files ok reconcile ok check against the platform ok]"
	if got := fmt.Sprint(steps); got != want || len(r.NeedsAttention) != 0 || len(r.ToDo) != 0 {
		t.Errorf("steps %s\nwant  %s\nattention %q, to do %q", got, want, r.NeedsAttention, r.ToDo)
	}
}

// TestReconcileStdin: "-" books standard input as a statement file named
// "-"; the same bytes given again, as a file, are the same file.
func TestReconcileStdin(t *testing.T) {
	camtFile := filepath.Join("..", "..", "pkg", "camt", "testdata", "v8-returns.camt053.xml")
	data, err := os.ReadFile(camtFile)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "l.db")
	code, out, errOut := batchtoolIO(t, bytes.NewReader(data), false, "reconcile", "-", "--ledger", db, "--create")
	if code > 1 || !strings.HasPrefix(out, "-: camt, ") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = batchtool(t, "reconcile", camtFile, "--ledger", db)
	if want := camtFile + ": already imported as - on "; code > 1 || !strings.HasPrefix(out, want) {
		t.Fatalf("exit %d\n%s\n%s\nwant %q first", code, out, errOut, want)
	}
	if code, _, errOut := batchtoolIO(t, bytes.NewReader(data), false, "reconcile", "-", "-", "--ledger", db); code != 2 ||
		errOut != "batchtool: \"-\" stands for standard input, which can be given once, not 2 times\n" {
		t.Errorf("- twice: exit %d %q", code, errOut)
	}
}
