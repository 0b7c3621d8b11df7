package coda

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/statement"
)

// summary is what the corpus MANIFEST states per file.
type summary struct {
	statements int
	entries    int
	txs        int
	credits    string
	debits     string
	closing    string // closing balance of the last statement; "" when none
	errors     []string
}

func readAll(t testing.TB, r *Reader) (summary, []*statement.Entry) {
	t.Helper()
	var s summary
	var entries []*statement.Entry
	cr, db := decimal.Zero, decimal.Zero
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
		s.entries++
		s.txs += len(e.Details)
		if e.Amount.Sign() >= 0 {
			cr = cr.Add(e.Amount)
		} else {
			db = db.Sub(e.Amount)
		}
	}
	s.credits, s.debits = cr.StringFixed(2), db.StringFixed(2)
	s.statements = len(r.Statements())
	if n := len(r.Statements()); n > 0 && r.Statements()[n-1].Closing != nil {
		s.closing = r.Statements()[n-1].Closing.Amount.StringFixed(2)
	}
	for _, f := range r.Findings() {
		if f.Severity == finding.Error {
			s.errors = append(s.errors, f.String())
		}
	}
	return s, entries
}

func TestCorpus(t *testing.T) {
	want := map[string]summary{
		"acsone-coda-faulty-version-invalid.txt": {errors: []string{
			`acsone-coda-faulty-version-invalid.txt:1: error: record 0 version code "5": CODA version 5 is not supported (versions 1 and 2 are) [CODA version]`}},
		"acsone-coda-foreign-account.txt": {1, 2, 2, "0.00", "44.40", "443346.30", nil},
		"acsone-coda-v2-globalisation-2.txt": {1, 4, 4, "276270.00", "544.30", "275270.53", []string{
			`acsone-coda-v2-globalisation-2.txt:21: error: record 9 number of records "23": the statement holds 19 records 1, 2x, 3x and 8 [CODA trailer]`}},
		"acsone-coda-v2-globalisation.txt":          {1, 4, 4, "276270.00", "544.30", "275270.53", nil},
		"acsone-coda-v2-single-statement.txt":       {1, 17, 30, "64703.01", "64703.01", "0.00", nil},
		"acsone-coda-v2-unclosed-globalisation.txt": {1, 11, 11, "239.59", "8769.87", "10807.81", nil},
		"oca-coda-ontvangen-2012.txt": {1, 5, 7, "3108.19", "1393.08", "13646.05", []string{
			`oca-coda-ontvangen-2012.txt:23: error: record 8 new balance "13646.05": old balance 11812.70 + movements 1715.11 = 13527.81, not the new balance [CODA balance]`}},
		"triptyk-coda-sample2-replacement-chars.cod": {1, 1, 2, "0.00", "9.68", "23154.69", []string{
			`triptyk-coda-sample2-replacement-chars.cod:17: error: record 8 new balance "23154.685": old balance 25846.00 + movements -9.68 = 25836.32, not the new balance [CODA balance]`}},
		"tryton-coda-minimal.txt":                  {1, 1, 1, "100.00", "0.00", "100.00", nil},
		"wallaceespindola-coda-structured-vcs.txt": {1, 1, 6, "244.12", "0.00", "170266.23", nil},
		"wimverstuyf-coda-sample1.cod":             {1, 4, 4, "80.00", "0.00", "17832.12", nil},
		"wimverstuyf-coda-sample11.cod":            {1, 1, 1, "1000.00", "0.00", "1100.00", nil},
		"wimverstuyf-coda-sample2.cod": {1, 1, 2, "0.00", "9.68", "23154.69", []string{
			`wimverstuyf-coda-sample2.cod:17: error: record 8 new balance "23154.685": old balance 25846.00 + movements -9.68 = 25836.32, not the new balance [CODA balance]`}},
		"wimverstuyf-coda-sample3.cod": {1, 1, 2, "0.00", "812.69", "99999.99", []string{
			`wimverstuyf-coda-sample3.cod:7: error: record 8 new balance "99999.99": old balance 99999.99 + movements -812.69 = 99187.30, not the new balance [CODA balance]`,
			`wimverstuyf-coda-sample3.cod:8: error: record 9 number of records "16": the statement holds 6 records 1, 2x, 3x and 8 [CODA trailer]`,
			`wimverstuyf-coda-sample3.cod:8: error: record 9 debit movements "859.09": the debit movements add up to 812.69 [CODA trailer]`,
			`wimverstuyf-coda-sample3.cod:8: error: record 9 credit movements "163.35": the credit movements add up to 0.00 [CODA trailer]`}},
		"wimverstuyf-coda-sample4.cod": {1, 1, 1, "17233.54", "0.00", "99999.99", []string{
			`wimverstuyf-coda-sample4.cod:10: error: record 8 new balance "99999.99": old balance 99999.99 + movements 17233.54 = 117233.53, not the new balance [CODA balance]`,
			`wimverstuyf-coda-sample4.cod:11: error: record 9 number of records "16": the statement holds 9 records 1, 2x, 3x and 8 [CODA trailer]`,
			`wimverstuyf-coda-sample4.cod:11: error: record 9 debit movements "859.09": the debit movements add up to 0.00 [CODA trailer]`,
			`wimverstuyf-coda-sample4.cod:11: error: record 9 credit movements "163.35": the credit movements add up to 17233.54 [CODA trailer]`}},
		"wimverstuyf-coda-sample5.cod": {1, 3, 3, "6303.46", "0.00", "-500012.10", []string{
			`wimverstuyf-coda-sample5.cod:15: error: record 8 new balance "-500012.10": old balance 4004.10 + movements 6303.46 = 10307.56, not the new balance [CODA balance]`,
			`wimverstuyf-coda-sample5.cod:16: error: record 9 number of records "15": the statement holds 14 records 1, 2x, 3x and 8 [CODA trailer]`,
			`wimverstuyf-coda-sample5.cod:16: error: record 9 debit movements "16837.52": the debit movements add up to 0.00 [CODA trailer]`,
			`wimverstuyf-coda-sample5.cod:16: error: record 9 credit movements "3967.22": the credit movements add up to 6303.46 [CODA trailer]`}},
		"wimverstuyf-coda-sample7.cod": {1, 1, 3, "0.00", "75.00", "17832.12", []string{
			`wimverstuyf-coda-sample7.cod:21: error: record 8 new balance "17832.12": old balance 17752.12 + movements -75.00 = 17677.12, not the new balance [CODA balance]`,
			`wimverstuyf-coda-sample7.cod:22: error: record 9 number of records "22": the statement holds 20 records 1, 2x, 3x and 8 [CODA trailer]`,
			`wimverstuyf-coda-sample7.cod:22: error: record 9 debit movements "0": the debit movements add up to 75.00 [CODA trailer]`,
			`wimverstuyf-coda-sample7.cod:22: error: record 9 credit movements "80": the credit movements add up to 0.00 [CODA trailer]`}},
		"wimverstuyf-coda-sample8.cod": {1, 2, 2, "0.00", "644.89", "648.56", nil},
		"wimverstuyf-coda-sample9.cod": {1, 1, 1, "5.00", "0.00", "17832.12", []string{
			`wimverstuyf-coda-sample9.cod:8: error: record 8 new balance "17832.12": old balance 17752.12 + movements 5.00 = 17757.12, not the new balance [CODA balance]`,
			`wimverstuyf-coda-sample9.cod:9: error: record 9 number of records "22": the statement holds 7 records 1, 2x, 3x and 8 [CODA trailer]`,
			`wimverstuyf-coda-sample9.cod:9: error: record 9 credit movements "80": the credit movements add up to 5.00 [CODA trailer]`}},
	}
	files := testutil.Corpus(t, "coda")
	seen := 0
	for _, path := range files {
		name := filepath.Base(path)
		w, ok := want[name]
		if !ok {
			t.Errorf("%s: corpus file without expectations in this test", name)
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, _ := readAll(t, NewReader(f, name))
			if strings.Join(got.errors, "\n") != strings.Join(w.errors, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got.errors, "\n"), strings.Join(w.errors, "\n"))
			}
			got.errors, w.errors = nil, nil
			if w.statements == 0 && got.statements == 0 {
				return
			}
			if fmt.Sprint(got) != fmt.Sprint(w) {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
		})
	}
	if seen != len(want) {
		t.Errorf("%d of %d expected corpus files found", seen, len(want))
	}
}

// TestCorpusDetails checks what the source projects' own tests assert.
func TestCorpusDetails(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "corpus", "coda")
	read := func(name string, opts ...Option) (*Reader, []*statement.Entry) {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := NewReader(f, name, opts...)
		_, es := readAll(t, r)
		return r, es
	}

	r, es := read("acsone-coda-v2-single-statement.txt")
	st := r.Statements()[0]
	eq(t, "account", st.Account.IBAN+" "+st.Account.Currency+" "+st.Account.Name+" / "+st.Account.Owner,
		"BE86407051416150 EUR KBC-Bedrijfsrekening / STORA ENSO LANGERBRUGGE NV")
	eq(t, "sequences", st.LegalSequence+" "+st.ElectronicSequence, "042 002")
	eq(t, "created", st.CreatedAt.Format("2006-01-02"), "2009-03-05")
	eq(t, "first amount", es[0].Amount.StringFixed(2), "20.00")
	eq(t, "batch", es[16].Amount.StringFixed(2)+" "+es[16].BankTxCode.Proprietary, "-2608.00 01/17/000")
	eq(t, "batch details", len(es[16].Details), 14)
	eq(t, "detail 10", es[16].Details[9].Amount.StringFixed(2)+" "+es[16].Details[9].Counterparty.IBAN, "-148.30 BE38733040385372")
	eq(t, "stated", st.StatedDebits.Sum.StringFixed(2)+" "+st.StatedCredits.Sum.StringFixed(2), "64703.01 64703.01")

	_, es = read("wimverstuyf-coda-sample1.cod")
	tx := es[0].Details[0]
	eq(t, "sample1 tx", tx.Amount.StringFixed(2)+"|"+tx.Reference.Value+"|"+tx.Counterparty.Name+"|"+tx.Counterparty.IBAN+"|"+tx.Counterparty.BIC,
		"5.00|000003505158|KLANT1 MET NAAM1|BE22313215646432|KREDBEBB")

	_, es = read("wimverstuyf-coda-sample7.cod")
	tx = es[0].Details[0]
	eq(t, "sample7 first detail", tx.Amount.StringFixed(2)+" "+tx.Reference.Value, "-25.00 000003515846")

	_, es = read("wimverstuyf-coda-sample3.cod")
	eq(t, "sample3 message", es[0].Info, "Message goes here")
	eq(t, "sample3 detail message", es[0].Details[0].Remittance+" / "+es[0].Details[1].Remittance, "and continues here / or here")

	_, es = read("wimverstuyf-coda-sample5.cod")
	eq(t, "sample5 refs", es[0].Ref+" "+es[1].Ref+" "+es[2].Ref, "0001 0002 0009")

	_, es = read("oca-coda-ontvangen-2012.txt")
	tx = es[1].Details[0]
	eq(t, "oca OGM", string(tx.Reference.Scheme)+" "+tx.Reference.Value, "BE 240283842818")

	r, es = read("wallaceespindola-coda-structured-vcs.txt")
	st = r.Statements()[0]
	eq(t, "wallace account", st.Account.Other+" "+st.Account.Currency+" "+st.Account.Name, "310000017062 EUR Compte à vue")
	eq(t, "wallace batch", es[0].BatchCount, 6)
	var refs []string
	for _, d := range es[0].Details {
		refs = append(refs, d.Reference.Value+" "+d.Amount.StringFixed(2))
	}
	eq(t, "wallace refs", strings.Join(refs, ","), "141359004019 72.48,141359004019 72.48,146453781091 24.79,146453781091 24.79,146498769085 24.79,146498769085 24.79")
	eq(t, "charset", r.Charset(), UTF8)

	// Latin-1 forced on a UTF-8 file: the bytes of "à" become two characters
	// and the record is 129 characters long.
	r, _ = read("wallaceespindola-coda-structured-vcs.txt", WithCharset(Latin1))
	eq(t, "forced latin1", r.Statements()[0].Account.Name, "Compte Ã\u00a0 vue")

	r, es = read("triptyk-coda-sample2-replacement-chars.cod")
	if !strings.Contains(es[0].Info, "Compte \uFFFD vue") {
		t.Errorf("info %q lacks the replacement character", es[0].Info)
	}
	var warns []string
	for _, f := range r.Findings() {
		if f.Rule == RuleCharset || f.Rule == RuleRecord {
			warns = append(warns, f.String())
		}
	}
	eq(t, "triptyk warnings", strings.Join(warns, "\n"), strings.Join([]string{
		`triptyk-coda-sample2-replacement-chars.cod:12: warning: record 31 : non-ASCII text detected as UTF-8 (Febelfin expects ISO-8859-1): check the accented letters of this record [charset]`,
		`triptyk-coda-sample2-replacement-chars.cod:12: warning: record 31 : record is 130 bytes: 128 characters in UTF-8 [CODA record]`,
		`triptyk-coda-sample2-replacement-chars.cod:12: warning: record 31 : replacement character U+FFFD at position 88: the text was damaged by a charset conversion before it reached us [charset]`,
		`triptyk-coda-sample2-replacement-chars.cod:13: warning: record 31 : record is 132 bytes: 128 characters in UTF-8 [CODA record]`,
		`triptyk-coda-sample2-replacement-chars.cod:13: warning: record 31 : replacement character U+FFFD at position 102: the text was damaged by a charset conversion before it reached us [charset]`,
		`triptyk-coda-sample2-replacement-chars.cod:15: warning: record 31 : record is 130 bytes: 128 characters in UTF-8 [CODA record]`,
		`triptyk-coda-sample2-replacement-chars.cod:15: warning: record 31 : replacement character U+FFFD at position 82: the text was damaged by a charset conversion before it reached us [charset]`,
	}, "\n"))
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
