package coda

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"
)

func TestDump(t *testing.T) {
	files, _ := filepath.Glob("/work/shared/corpus/coda/*")
	for _, f := range files {
		fh, _ := os.Open(f)
		r := NewReader(fh, filepath.Base(f))
		var n, nt int
		var cr, db decimal.Decimal
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			nt += len(e.Details)
			if e.Amount.Sign() > 0 {
				cr = cr.Add(e.Amount)
			} else {
				db = db.Sub(e.Amount)
			}
			if os.Getenv("V") != "" {
				fmt.Printf("  %+v\n", *e)
			}
		}
		fmt.Printf("%s: st=%d entries=%d tx=%d cr=%s db=%s\n", filepath.Base(f), len(r.Statements()), n, nt, cr, db)
		for _, s := range r.Statements() {
			fmt.Printf("   %s %s %s open=%v close=%v\n", s.ID, s.Account.Currency, s.Format, s.Opening, s.Closing)
		}
		for _, x := range r.Findings() {
			fmt.Println("   ", x)
		}
		fh.Close()
	}
}
