package openitems

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/pkg/tabular"
)

func fixture(name string) string { return filepath.Join("..", "..", "testdata", "openitems", name) }

// read returns every row as "number amount currency due customer ibans
// reference" plus its findings, or the stop error.
func read(t *testing.T, path string, d tabular.Dialect) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r *Reader
	if strings.HasSuffix(path, ".xlsx") {
		if r, err = NewXLSXReader(f, filepath.Base(path), d.Decimal); err != nil {
			t.Fatal(err)
		}
		defer r.Close()
	} else {
		r = NewCSVReader(f, filepath.Base(path), d)
	}
	var out []string
	for {
		row, err := r.Next()
		if err == io.EOF {
			return strings.Join(out, "\n")
		}
		if err != nil {
			return strings.Join(append(out, err.Error()), "\n")
		}
		if v := row.Invoice; v != nil {
			out = append(out, strings.Join([]string{v.Number, v.Amount.String(), v.Currency, v.DueDate.Format(time.DateOnly), v.IssueDate.Format(time.DateOnly),
				v.CustomerName, v.CustomerNumber, strings.Join(v.CustomerIBANs, "+"), v.Reference}, "|"))
		}
		for _, f := range row.Findings {
			out = append(out, "  "+f.String())
		}
	}
}

func TestReadOpenItems(t *testing.T) {
	const nl = `INV-2026-1001|1234.56|EUR|2026-12-01|2026-11-01|Chloé Lefèvre|C-100|BE68539007547034|+++202/6100/10087+++
INV-2026-1002|25|EUR|2026-12-02|2026-11-02|François Dubois|C-101|BE38143099887772|RF52INV20261002
INV-2026-1003|99.9|EUR|2026-12-03|2026-11-03|Müller Bäckerei GmbH|C-102|DE62370400440532013001|
INV-2026-1004|0.1|EUR|2026-12-04|2026-11-04|Pieter de Vries|C-103||
  FILE:6:9: warning: reference "Factuur 1004": not a structured reference (RF or OGM): the invoice is matched by number, IBAN and amount only`
	for _, tt := range []struct {
		file string
		d    tabular.Dialect
		want string
	}{
		{"open-items-nl.csv", tabular.Dialect{}, strings.ReplaceAll(nl, "FILE", "open-items-nl.csv")},
		{"open-items-nl-cp1252.csv", tabular.Dialect{Encoding: tabular.CP1252}, strings.ReplaceAll(nl, "FILE", "open-items-nl-cp1252.csv")},
		{"open-items-nl-cp1252.csv", tabular.Dialect{},
			`open-items-nl-cp1252.csv:2:2: error: klant "Chlo\xe9 Lef\xe8vre": byte E9 at byte 5 is not UTF-8; read as Windows-1252 the field is "Chloé Lefèvre": give --encoding cp1252 (or latin1), or save the file as "CSV UTF-8" [encoding]`},
		{"open-items.xlsx", tabular.Dialect{}, `INV-2026-2001|1234.56|EUR|2026-12-01|0001-01-01|Chloé Lefèvre||BE68539007547034|RF25INV20261003
INV-2026-2002|0.3|EUR|2026-12-15|0001-01-01|Zoë Åkesson||NL20INGB0001234567|+++202/6100/50002+++
INV-2026-2003|80|EUR|2026-12-31|0001-01-01|Emma Claes|||
INV-2026-2004|1000|JPY|2027-01-04|0001-01-01|Yamada KK|||`},
		{"open-items-bad.csv", tabular.Dialect{}, `  open-items-bad.csv:2:3: error: iban "BE68539007547035": IBAN check digits do not verify (ISO 13616 mod 97) [ISO 13616]
  open-items-bad.csv:3:4: error: amount "1,234": ambiguous: with decimal points ',' groups thousands (1,234 would be 1234), yet it reads as a decimal comma: write it without the ',' or with decimals (1,234.00) [amount notation]
  open-items-bad.csv:4:4: error: amount "10.005": more decimals than EUR has (2) [amount]
  open-items-bad.csv:5:1: error: invoice_number "INV-1": invoice number already on line 2 [invoice number unique]
  open-items-bad.csv:6:5: error: currency "EURO": not an ISO 4217 currency code (three letters, e.g. EUR) [ISO 4217]
  open-items-bad.csv:6:6: error: due_date "31/02/2026": not a date: write YYYY-MM-DD or DD.MM.YYYY (day first, also DD-MM-YYYY and DD/MM/YYYY) [date]
  open-items-bad.csv:7:4: error: amount "-5.00": an open item is owed to us: the amount must be more than 0 (credit notes are not open items) [amount]
  open-items-bad.csv:8:7: error: reference "RF19539007547034": RF creditor reference check digits do not verify (ISO 11649 mod 97) [ISO 11649]
  open-items-bad.csv:9:7: error: reference "+++202/6100/10088+++": not a valid Belgian structured communication (OGM: 12 digits, the last two the first ten mod 97) [OGM]
INV-9|5|EUR|2026-12-01|0001-01-01|I|||`},
	} {
		t.Run(tt.file, func(t *testing.T) {
			if got := read(t, fixture(tt.file), tt.d); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Invoice No.;Open Amount;CURRENCY;due-date\nA-1;12,50;eur;7.12.2026\n", "A-1|12.5|EUR|2026-12-07|0001-01-01||||"},
		{"Rechnungsnummer\tBetrag\tWährung\tFälligkeit\tKunde\nR-1\t1.000,00\tEUR\t2026-12-07\tSchmidt\n", "R-1|1000|EUR|2026-12-07|0001-01-01|Schmidt|||"},
		{"Numéro de facture;Montant;Devise;Échéance\nF-1;7,5;EUR;07/12/2026\n", "F-1|7.5|EUR|2026-12-07|0001-01-01||||"},
		{"invoice,amount,currency\n", "f.csv:1: error: header lacks required column(s) due_date (header names are matched case-insensitively with their synonyms, e.g. \"Invoice No.\", \"Open amount\", \"Due date\"); read as 3 column(s) separated by ',': give --delimiter if the file uses another [open items header]"},
		{"invoice,amount,open amount,currency,due\n", `f.csv:1:3: error: amount "open amount": column "open amount" means amount, as does column 2 ("amount"): keep one [open items header]`},
		{"", `f.csv:1: error: no header row: expected columns invoice_number, amount, currency, due_date [open items header]`},
	} {
		p := filepath.Join(t.TempDir(), "f.csv")
		os.WriteFile(p, []byte(tt.in), 0o644)
		if got := read(t, p, tabular.Dialect{}); got != tt.want {
			t.Errorf("%q:\ngot  %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{"Invoice No.": "invoice_no", " Due-Date ": "due_date", "Échéance": "échéance", "open__amount": "open_amount", "IBAN": "iban"} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}
