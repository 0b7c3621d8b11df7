package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/pkg/sepa"
)

// docShapes reads the JSON examples of docs/json.md: every ```json block
// after a <!-- json: name --> line, by name.
func docShapes(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "json.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	re := regexp.MustCompile("(?s)<!-- json: ([a-z0-9-]+) -->\\s*```json\\n(.*?)```")
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		var v any
		if err := json.Unmarshal([]byte(m[2]), &v); err != nil {
			t.Fatalf("docs/json.md %s: %v", m[1], err)
		}
		out[m[1]] = v
	}
	return out
}

// shapeOf lists the paths of v with their JSON type: "summary.totals[].amount string".
// Array elements are one path ("[]"); object keys written <like this> in
// the documentation stand for any key (a map).
func shapeOf(v any, path string, into map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		into[path] = "object"
		for k, e := range x {
			if strings.HasPrefix(k, "<") {
				k = "<key>"
			}
			shapeOf(e, path+"."+k, into)
		}
	case []any:
		into[path] = "array"
		for _, e := range x {
			shapeOf(e, path+"[]", into)
		}
	case string:
		into[path] = "string"
	case float64:
		into[path] = "number"
	case bool:
		into[path] = "bool"
	case nil:
		into[path] = "null"
	}
}

// wildcard maps the keys of output objects that the documentation writes
// as <key> to "<key>".
func wildcard(doc map[string]string, out map[string]string) map[string]string {
	res := map[string]string{}
	for p, typ := range out {
		parts := strings.Split(p, ".")
		for i := 1; i < len(parts); i++ {
			prefix := strings.Join(parts[:i], ".")
			if _, ok := doc[prefix+".<key>"]; ok {
				if _, exact := doc[prefix+"."+parts[i]]; !exact {
					parts[i] = "<key>"
				}
			}
		}
		res[strings.Join(parts, ".")] = typ
	}
	return res
}

var (
	moneyRE = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
	dateRE  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// checkJSONRule checks batchtool's one JSON rule on v: every amount a
// string with its currency's minor units, beside its currency; dates
// YYYY-MM-DD; timestamps RFC 3339.
func checkJSONRule(t *testing.T, name string, v any, path string) {
	t.Helper()
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			checkJSONRule(t, name, e, path+"[]")
		}
	case map[string]any:
		for k, e := range x {
			p := path + "." + k
			s, isStr := e.(string)
			switch {
			case k == "amount" || strings.HasSuffix(k, "_amount") || k == "payable" || k == "applied" || k == "remaining" || k == "charges":
				if _, obj := e.(map[string]any); e == nil || obj {
					break // absent, or an {"amount", "currency"} object checked below
				}
				ccyKey := "currency"
				if pre, ok := strings.CutSuffix(k, "_amount"); ok && x[pre+"_currency"] != nil {
					ccyKey = pre + "_currency"
				}
				if k == "charges" {
					ccyKey = "charges_currency"
				}
				ccy, _ := x[ccyKey].(string)
				switch {
				case !isStr:
					t.Errorf("%s %s: amount is %T, not a string", name, p, e)
				case ccy == "":
					t.Errorf("%s %s %q: no %s beside it", name, p, s, ccyKey)
				case !moneyRE.MatchString(s):
					t.Errorf("%s %s %q: not a decimal amount", name, p, s)
				default:
					_, frac, _ := strings.Cut(s, ".")
					if m := int(sepa.MinorUnits(ccy)); len(frac) < m || len(frac) > m && strings.HasSuffix(frac, "0") {
						t.Errorf("%s %s %q: not written with the %d decimals of %s", name, p, s, m, ccy)
					}
				}
			case isStr && s != "" && (strings.HasSuffix(k, "date") || k == "from" || k == "to" || strings.HasPrefix(k, "first_") || strings.HasPrefix(k, "last_")):
				if !dateRE.MatchString(s) {
					t.Errorf("%s %s %q: not a date YYYY-MM-DD", name, p, s)
				}
			case isStr && s != "" && (strings.HasSuffix(k, "_at") || k == "created"):
				if _, err := time.Parse(time.RFC3339, s); err != nil {
					t.Errorf("%s %s %q: not an RFC 3339 timestamp", name, p, s)
				}
			}
			checkJSONRule(t, name, e, p)
		}
	}
}

// checkShape checks output (JSON text) against the documented example doc
// and the JSON rule: every path of the output is documented with its type,
// and a list is never null.
func checkShape(t *testing.T, name string, doc any, output []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(output, &v); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, output)
	}
	checkJSONRule(t, name, v, "")
	docShape, outShape := map[string]string{}, map[string]string{}
	shapeOf(doc, "", docShape)
	shapeOf(v, "", outShape)
	outShape = wildcard(docShape, outShape)
	var bad []string
	for p, typ := range outShape {
		want, ok := docShape[p]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s %s is not documented", p, typ))
		case typ == "null" && want == "array":
			bad = append(bad, fmt.Sprintf("%s is null: lists are never null", p))
		case typ != want && typ != "null" && want != "null":
			bad = append(bad, fmt.Sprintf("%s is %s, documented as %s", p, typ, want))
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("%s: %s", name, b)
	}
}

// TestJSONShapes runs every command that writes JSON and checks its output
// against the shape docs/json.md documents and against the one JSON rule.
func TestJSONShapes(t *testing.T) {
	docs := docShapes(t)
	run := func(name string, args ...string) []byte {
		t.Helper()
		code, out, errOut := batchtool(t, args...)
		if code > 1 {
			t.Fatalf("%s: exit %d\n%s", name, code, errOut)
		}
		return []byte(out)
	}
	check := func(name string, out []byte) {
		t.Helper()
		doc, ok := docs[name]
		if !ok {
			t.Fatalf("docs/json.md documents no %q", name)
		}
		checkShape(t, name, doc, out)
	}
	root := filepath.Join("..", "..")
	camtFile := filepath.Join(root, "pkg", "camt", "testdata", "v8-returns.camt053.xml")
	check("inspect-pain008", run("inspect-pain008", "inspect", "--json", filepath.Join(root, "pkg", "pain008", "testdata", "golden-001.02.xml")))
	check("inspect-pain008", run("inspect-pain008", "inspect", "--json", filepath.Join(root, "pkg", "pain008", "testdata", "chdd-pain008-001-02-ch-03.xml")))
	check("inspect-statements", run("inspect-statements", "inspect", "--json", camtFile))
	check("inspect-statements", run("inspect-statements", "inspect", "--json", filepath.Join(root, "pkg", "coda", "testdata", "sandbox-sdd.cod")))
	check("inspect-ubl", run("inspect-ubl", "inspect", "--json", filepath.Join(root, "testdata", "invoices", "INV-2026-0501.xml")))
	check("invoice-check", run("invoice-check", "invoice", "check", "--json", filepath.Join(root, "testdata", "invoices")))

	dir := t.TempDir()
	jl := filepath.Join(dir, "lines.jsonl")
	run("statement-convert", "statement", "convert", camtFile, "--out", jl)
	f, err := os.Open(jl)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		check("statement-convert", sc.Bytes())
	}
	f.Close()
	rep := filepath.Join(dir, "report.json")
	run("reconcile-report", "reconcile", "--create", camtFile, "--ledger", filepath.Join(dir, "l.db"), "--report", rep)
	b, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	check("reconcile-report", b)
	// reconcile --json prints the same document on standard output.
	rep2 := filepath.Join(dir, "report2.json")
	stdout := run("reconcile-json", "reconcile", "--create", camtFile, "--ledger", filepath.Join(dir, "l2.db"), "--report", rep2, "--json")
	check("reconcile-report", stdout)
	if b2, _ := os.ReadFile(rep2); !bytes.Equal(stdout, b2) {
		t.Errorf("reconcile --json differs from its --report .json:\n%s\n%s", stdout, b2)
	}

	check("ledger-status", run("ledger-status", "ledger", "status", "--ledger", filepath.Join(dir, "l2.db"), "--json"))

	batch := filepath.Join(dir, "batch.xml")
	built := run("collect-build", "collect", "build", "--in", filepath.Join(root, "testdata", "due.csv"), "--creditor", filepath.Join(root, "testdata", "creditor.json"),
		"--collection-date", collectionDay(), "--out", batch, "--json")
	check("collect-build", built)
	if want := `"transactions": 12,` + "\n" + `  "totals": [` + "\n    {\n      \"count\": 12,\n      \"amount\": \"2037.22\",\n      \"currency\": \"EUR\"\n    }\n  ],"; !bytes.Contains(built, []byte(want)) {
		t.Errorf("collect build --json:\n%s\nwant it to hold\n%s", built, want)
	}
	added := run("ledger-add", "ledger", "add", batch, filepath.Join(root, "testdata", "openitems", "open-items-nl.csv"), "--ledger", filepath.Join(dir, "l3.db"), "--create", "--json")
	check("ledger-add", added)
	if want := "\"added\": 16,\n  \"skipped\": 0,\n  \"batches\": 4\n}\n"; !bytes.HasSuffix(added, []byte(want)) {
		t.Errorf("ledger add --json:\n%s\nwant it to end\n%s", added, want)
	}

	// The platform commands, against the sandbox.
	startSandbox(t)
	check("collect-upload", run("collect-upload", "collect", "upload", "--create", writeBatch(t, "JS1", "10.00", "20.01"), "--profile", "1234", "--json"))
	check("files-fetch", run("files-fetch", "files", "fetch", "--format", "camt", "--dir", t.TempDir(), "--json"))
	check("ledger-check", run("ledger-check", "ledger", "check", "--ledger", filepath.Join(dir, "l.db"), "--json"))
	inv := t.TempDir()
	os.WriteFile(filepath.Join(inv, "a.xml"), sandbox.SampleInvoice("INV-JS", "100.00", "+++090/9337/55493+++", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)), 0o644)
	check("invoice-upload", run("invoice-upload", "invoice", "upload", inv, "--json"))
}
