package openitems

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/tabular"
)

func FuzzCSVReader(f *testing.F) {
	for _, name := range []string{"open-items-nl.csv", "open-items-nl-cp1252.csv", "open-items-bad.csv"} {
		b, err := os.ReadFile(fixture(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), false)
		f.Add(string(b), true)
	}
	f.Add("Invoice No.;Open Amount;Currency;Due date\nA;1.234;EUR;31.12.2026\n", false)
	f.Fuzz(func(t *testing.T, in string, cp1252 bool) {
		d := tabular.Dialect{}
		if cp1252 {
			d.Encoding = tabular.CP1252
		}
		r := NewCSVReader(strings.NewReader(in), "f", d)
		for i := 0; i < 10000; i++ {
			row, err := r.Next()
			if err != nil {
				return
			}
			if v := row.Invoice; v != nil && (v.Number == "" || !v.Amount.IsPositive() || len(v.Currency) != 3 || v.DueDate.IsZero()) {
				t.Fatalf("accepted an incomplete row: %+v", v)
			}
		}
		t.Fatal("reader did not end")
	})
}

// BenchmarkCSVReader reads open items in the European notation.
func BenchmarkCSVReader(b *testing.B) {
	var in bytes.Buffer
	in.WriteString("Factuurnummer;Klant;IBAN;Openstaand bedrag;Valuta;Vervaldatum;Gestructureerde mededeling\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&in, "INV-%d;Klant %d;BE68539007547034;1.234,56;EUR;31.12.2026;+++202/6100/10087+++\n", i, i)
	}
	b.SetBytes(int64(in.Len()))
	b.ReportAllocs()
	for b.Loop() {
		r := NewCSVReader(bytes.NewReader(in.Bytes()), "f.csv", tabular.Dialect{})
		for {
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil || row.Invoice == nil {
				b.Fatal(err, row.Findings)
			}
		}
	}
}
