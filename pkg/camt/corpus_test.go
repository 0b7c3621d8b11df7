package camt_test

import (
	"archive/zip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/statement"
)

// readAll reads every entry of r; err is the first error other than io.EOF.
func readAll(r *camt.Reader) ([]*statement.Entry, error) {
	var out []*statement.Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
}

// totals sums credit and debit entry amounts (debits as a positive sum).
func totals(entries []*statement.Entry) (cr, db decimal.Decimal) {
	for _, e := range entries {
		if e.Amount.Sign() > 0 {
			cr = cr.Add(e.Amount)
		} else {
			db = db.Sub(e.Amount)
		}
	}
	return cr, db
}

// TestCorpus reads every camt file of the shared corpus and checks the
// figures MANIFEST.md gives for it: statements, entries, the sums of credit
// and debit entries and the closing (CLBD) balances, the number of findings,
// and the exact error of files that must be rejected.
func TestCorpus(t *testing.T) {
	type want struct {
		file     string
		format   string
		stmts    int
		entries  int
		credits  string
		debits   string
		closing  []string
		findings int
		err      string
	}
	tests := []want{
		{"genkgo-camt052-v1.xml", "camt.052.001.01", 1, 1, "0", "200000", nil, 0, ""},
		{"genkgo-camt052-v2-other-account.xml", "camt.052.001.02", 1, 1, "0", "200000", nil, 0, ""},
		{"genkgo-camt052-v2-with-account-name.xml", "camt.052.001.02", 1, 1, "0", "200000", nil, 0, ""},
		{"genkgo-camt052-v2.xml", "camt.052.001.02", 1, 1, "0", "200000", nil, 0, ""},
		{"genkgo-camt052-v4.xml", "camt.052.001.04", 1, 1, "0", "200000", nil, 0, ""},
		{"genkgo-camt052-v6.xml", "camt.052.001.06", 1, 1, "0", "200000", nil, 0, ""},
		{"genkgo-camt052-v8.xml", "camt.052.001.08", 1, 1, "0", "200000", nil, 0, ""},
		{"hbci4java-camt-invalid.xml", "", 0, 0, "0", "0", nil, 0, `hbci4java-camt-invalid.xml:2: error: /Document "urn:iso:std:iso:20022:tech:xsd:camt": not a camt namespace (expected camt.052, camt.053 or camt.054) [camt namespace]`},
		{"hbci4java-camt-none.xml", "", 0, 0, "0", "0", nil, 0, `hbci4java-camt-none.xml:2: error: /Document "": no namespace: a camt document declares xmlns="urn:iso:std:iso:20022:tech:xsd:camt.05x.001.nn" [camt namespace]`},
		{"hbci4java-camt052-v2.xml", "camt.052.001.02", 1, 2, "10.5", "0", []string{"110.5"}, 0, ""},
		{"hbci4java-camt052-v8-missing-date.xml", "camt.052.001.08", 1, 1, "0", "34", []string{"66"}, 0, ""},
		{"hbci4java-camt052-v8.xml", "camt.052.001.08", 1, 1, "0", "34", []string{"66"}, 0, ""},
		{"isobiz-camt052-v4-finpetrol.xml", "camt.052.001.04", 1, 2, "30000", "200000", nil, 0, ""},
		{"moov-camt052-v4-postfinance.xml", "camt.052.001.04", 1, 2, "0", "1016", nil, 0, ""},
		{"subite-camt052-lt-2024-05-10.xml", "camt.052.001.06", 1, 0, "0", "0", nil, 0, ""},
		{"viafintech-camt052-namespace-only.xml", "camt.052.001.02", 0, 0, "0", "0", nil, 0, `viafintech-camt052-namespace-only.xml:4: error: /Document "": the document holds no BkToCstmrAcctRpt message [ISO 20022]`},
		{"viafintech-camt052-v2-example.xml", "camt.052.001.02", 1, 2, "5", "0", []string{"13.5"}, 0, ""},
		{"genkgo-camt053-only-dt-with-dttm.xml", "camt.053.001.02", 1, 0, "0", "0", nil, 0, ""},
		{"genkgo-camt053-v2-all-balance-types.xml", "camt.053.001.02", 1, 1, "8.85", "0", []string{"4.04"}, 1, ""},
		{"genkgo-camt053-v2-minimal-ultimate.xml", "camt.053.001.02", 1, 1, "8.85", "0", []string{"-27"}, 1, ""},
		{"genkgo-camt053-v2-minimal.xml", "camt.053.001.02", 1, 1, "8.85", "0", []string{"-27"}, 1, ""},
		{"genkgo-camt053-v2-with-account-name.xml", "camt.053.001.02", 1, 1, "8.85", "0", nil, 0, ""},
		{"genkgo-camt053-v2-with-party-ids.xml", "camt.053.001.02", 1, 1, "8.85", "0", []string{"-27"}, 1, ""},
		{"genkgo-camt053-v2-wrong-invalid.xml", "camt.053.001.02", 0, 0, "0", "0", nil, 0, `genkgo-camt053-v2-wrong-invalid.xml:3: error: /Document/BkToCstmrStmt "": the message holds no Stmt [ISO 20022]`},
		{"genkgo-camt053-v3.xml", "camt.053.001.03", 1, 1, "8.85", "0", []string{"-27"}, 2, ""},
		{"genkgo-camt053-v4.xml", "camt.053.001.04", 1, 1, "8.85", "0", []string{"-27"}, 1, ""},
		{"genkgo-camt053-v8.xml", "camt.053.001.08", 1, 1, "8.85", "0", []string{"-27"}, 1, ""},
		{"isobiz-camt053-v4-finpetrol.xml", "camt.053.001.04", 1, 3, "135678.5", "200000", []string{"435678.5"}, 1, ""},
		{"moov-camt053-v2-lt-statement.xml", "camt.053.001.02", 1, 4, "0", "2768.08", nil, 0, ""},
		{"moov-camt053-v4-postfinance.xml", "camt.053.001.04", 1, 5, "4733.72", "77.7", []string{"215112.21"}, 2, ""},
		{"newinnovations-camt053-v2-balanced.xml", "camt.053.001.02", 1, 2, "50", "100", []string{"950"}, 0, ""},
		{"newinnovations-camt053-v2-sns-a.xml", "camt.053.001.02", 2, 11, "801.74", "542", []string{"661.69", "1660.87"}, 0, ""},
		{"oca-camt053-two-files-in-zip.zip", "", 0, 0, "0", "0", nil, 0, `oca-camt053-two-files-in-zip.zip: error: a ZIP archive, not an XML document: extract it and read each member [XML]`},
		{"oca-camt053-v2-testbank.xml", "camt.053.001.02", 1, 3, "1405.31", "1418.3", []string{"15121.12"}, 1, ""},
		{"oca-camt053-v4-no-entries.xml", "camt.053.001.04", 1, 0, "0", "0", []string{"1520.76"}, 0, ""},
		{"subite-camt053-v2-be-halfyear.xml", "camt.053.001.02", 1, 462, "425004.99", "424449.7", []string{"555.29"}, 0, ""},
		{"subite-camt053-v2-be-small.xml", "camt.053.001.02", 1, 3, "789904.4", "789904.4", []string{"0"}, 0, ""},
		{"subite-camt053-v8-lt-2024-03-12.xml", "camt.053.001.08", 2, 11, "2436461.1", "7074139.61", []string{"24557140.69", "4801.55"}, 4, ""},
		{"subite-camt053-v8-lt-2024-09-06.xml", "camt.053.001.08", 1, 4, "2457311.04", "252380.68", []string{"20149316.33"}, 2, ""},
		{"viafintech-camt-invalid-namespace.xml", "camt.053.001.03", 0, 0, "0", "0", nil, 0, `viafintech-camt-invalid-namespace.xml:4: error: /Document "": the document holds no BkToCstmrStmt message [ISO 20022]`},
		{"viafintech-camt053-namespace-only.xml", "camt.053.001.02", 0, 0, "0", "0", nil, 0, `viafintech-camt053-namespace-only.xml:4: error: /Document "": the document holds no BkToCstmrStmt message [ISO 20022]`},
		{"viafintech-camt053-v10-datetime.xml", "camt.053.001.10", 1, 1, "195.86", "0", []string{"606.8"}, 6, ""},
		{"viafintech-camt053-v2-batch.xml", "camt.053.001.02", 1, 3, "7688", "4753.74", []string{"23038.2"}, 7, ""},
		{"viafintech-camt053-v2-debit.xml", "camt.053.001.02", 1, 4, "1", "11", []string{"23.06"}, 1, ""},
		{"viafintech-camt053-v2-example.xml", "camt.053.001.02", 1, 4, "1", "11", []string{"23.06"}, 0, ""},
		{"viafintech-camt053-v2-instdamt.xml", "camt.053.001.02", 1, 1, "4500", "0", []string{"4500"}, 2, ""},
		{"viafintech-camt053-v2-other-id.xml", "camt.053.001.02", 1, 0, "0", "0", nil, 0, ""},
		{"viafintech-camt053-v8-example.xml", "camt.053.001.08", 1, 3, "563.25", "20.97", []string{"84515.25"}, 1, ""}, // entries in CHF and EUR: no balance sum (issue 13)
		{"genkgo-camt054-v2-with-account-name.xml", "camt.054.001.02", 1, 1, "0", "200000", nil, 0, ""},
		{"genkgo-camt054-v2.xml", "camt.054.001.02", 1, 1, "0", "200000", nil, 0, ""},
		{"genkgo-camt054-v4.xml", "camt.054.001.04", 1, 1, "0", "200000", nil, 0, ""},
		{"genkgo-camt054-v8-financial-institution.xml", "camt.054.001.08", 1, 1, "0", "200000", nil, 0, ""},
		{"genkgo-camt054-v8-grphdr-credttm.xml", "camt.054.001.08", 1, 1, "47.4", "0", nil, 0, ""},
		{"genkgo-camt054-v8-ntfctn-credttm.xml", "camt.054.001.08", 1, 1, "47.4", "0", nil, 0, ""},
		{"genkgo-camt054-v8.xml", "camt.054.001.08", 1, 1, "0", "200000", nil, 0, ""},
		{"isobiz-camt054-v4-finpetrol.xml", "camt.054.001.04", 1, 1, "105678.5", "0", nil, 1, ""},
		{"moov-camt054-v4-postfinance-2020.xml", "camt.054.001.04", 1, 1, "1692.22", "0", nil, 0, ""},
		{"moov-camt054-v4-postfinance-batch.xml", "camt.054.001.04", 1, 1, "1500", "0", nil, 0, ""},
		{"moov-camt054-v4-postfinance-credit.xml", "camt.054.001.04", 1, 1, "1500", "0", nil, 0, ""},
		{"moov-camt054-v4-postfinance-debit.xml", "camt.054.001.04", 1, 1, "0", "913", nil, 0, ""},
		{"moov-camt054-v4-postfinance-epo-1.xml", "camt.054.001.04", 1, 1, "0", "750", nil, 0, ""},
		{"moov-camt054-v4-postfinance-epo-2.xml", "camt.054.001.04", 1, 1, "0", "750", nil, 0, ""},
		{"moov-camt054-v4-postfinance-esr.xml", "camt.054.001.04", 1, 2, "1537", "147", nil, 0, ""},
		{"moov-camt054-v4-postfinance-returns-2019.xml", "camt.054.001.04", 1, 1, "400", "0", nil, 0, ""},
		{"oca-camt054-v4-testbank.xml", "camt.054.001.04", 1, 1, "5", "0", nil, 0, ""},
		{"subite-camt054-v10-lt-2024-03-18.xml", "camt.054.001.10", 1, 1, "0", "194672.25", nil, 0, ""},
		{"subite-camt054-v10-lt-2024-03-22.xml", "camt.054.001.10", 1, 1, "16720.95", "0", nil, 0, ""},
		{"tryton-camt054-v1-iso-sample.xml", "camt.054.001.01", 1, 1, "105678.5", "0", nil, 0, ""},
		{"tryton-camt054-v2-iso-sample.xml", "camt.054.001.02", 1, 1, "105678.5", "0", nil, 0, ""},
		{"tryton-camt054-v4-iso-sample-zero-txamt.xml", "camt.054.001.04", 1, 1, "105678.5", "0", nil, 1, ""},
	}
	var files []string
	for _, dir := range []string{"camt052", "camt053", "camt054"} {
		files = append(files, testutil.Corpus(t, dir)...)
	}
	byName := map[string]want{}
	for _, w := range tests {
		byName[w.file] = w
	}
	for _, path := range files {
		name := filepath.Base(path)
		w, ok := byName[name]
		if !ok {
			t.Errorf("%s: corpus file without an expectation in this table", name)
			continue
		}
		delete(byName, name)
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r := camt.NewReader(f, name)
			entries, err := readAll(r)
			if w.err != "" {
				if err == nil || err.Error() != w.err {
					t.Fatalf("error = %v\nwant    %s", err, w.err)
				}
				var fd finding.Finding
				if !errors.As(err, &fd) || fd.Severity != finding.Error {
					t.Errorf("error %T is not an error finding", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if r.Format() != w.format {
				t.Errorf("format = %q, want %q", r.Format(), w.format)
			}
			if got := len(r.Statements()); got != w.stmts {
				t.Errorf("statements = %d, want %d", got, w.stmts)
			}
			if len(entries) != w.entries {
				t.Errorf("entries = %d, want %d", len(entries), w.entries)
			}
			cr, db := totals(entries)
			if !cr.Equal(decimal.RequireFromString(w.credits)) || !db.Equal(decimal.RequireFromString(w.debits)) {
				t.Errorf("credits/debits = %s/%s, want %s/%s", cr, db, w.credits, w.debits)
			}
			var closing []string
			for _, st := range r.Statements() {
				if st.Closing != nil {
					closing = append(closing, st.Closing.Amount.String())
				}
			}
			if strings.Join(closing, " ") != strings.Join(w.closing, " ") {
				t.Errorf("closing = %v, want %v", closing, w.closing)
			}
			if got := len(r.Findings()); got != w.findings {
				t.Errorf("findings = %d, want %d:\n%s", got, w.findings, findingsText(r.Findings()))
			}
			// The next call after io.EOF keeps returning io.EOF.
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("Next after EOF = %v", err)
			}
		})
	}
	for name := range byName {
		t.Errorf("%s: expected in the table but not in the corpus", name)
	}
}

func findingsText(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// TestCorpusZip reads both members of the zipped corpus file.
func TestCorpusZip(t *testing.T) {
	path := filepath.Join(testutil.SharedDir(t), "corpus", "camt053", "oca-camt053-two-files-in-zip.zip")
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var got []string
	for _, m := range zr.File {
		rc, err := m.Open()
		if err != nil {
			t.Fatal(err)
		}
		r := camt.NewReader(rc, m.Name)
		entries, err := readAll(r)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		cr, db := totals(entries)
		st := r.Statements()[0]
		got = append(got, m.Name+" "+r.Format()+" "+st.ID+" "+cr.String()+" "+db.String()+" "+st.Closing.Amount.String())
	}
	want := []string{
		"test-camt053_02.xml camt.053.001.02 1234Test/2 1405.31 1348.3 15121.12",
		"test-camt053_03.xml camt.053.001.02 1234Test/3 1405.31 1348.3 15121.12",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
