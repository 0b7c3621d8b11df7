//go:build ignore

// gen writes open-items.xlsx, an ERP's open receivables as a workbook:
// number and date cells, one amount stored with a binary double's noise.
// Written by us; run from this folder: go run gen.go
package main

import (
	"log"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	f := excelize.NewFile()
	const sh = "Open items"
	f.SetSheetName("Sheet1", sh)
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	rows := [][]any{
		{"Invoice number", "Customer", "IBAN", "Amount", "Currency", "Due date", "Structured reference"},
		{"INV-2026-2001", "Chloé Lefèvre", "BE68539007547034", 1234.56, "EUR", day("2026-12-01"), "RF25INV20261003"},
		{"INV-2026-2002", "Zoë Åkesson", "NL20INGB0001234567", 0.1 + 0.2, "EUR", day("2026-12-15"), "+++202/6100/50002+++"},
		{"INV-2026-2003", "Emma Claes", "", 80, "EUR", "31.12.2026", ""},
		{"INV-2026-2004", "Yamada KK", "", 1000, "JPY", day("2027-01-04"), ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sh, cell, &r); err != nil {
			log.Fatal(err)
		}
	}
	// Excel writes a double's 17 significant digits where 15 do not
	// round-trip: 0.1+0.2 is stored as 0.30000000000000004.
	if err := f.SetCellDefault(sh, "D3", "0.30000000000000004"); err != nil {
		log.Fatal(err)
	}
	if err := f.SaveAs("open-items.xlsx"); err != nil {
		log.Fatal(err)
	}
}
