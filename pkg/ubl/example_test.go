package ubl_test

import (
	"fmt"
	"io"
	"os"

	"github.com/batchtool/batchtool/pkg/ubl"
)

// Read an invoice, check it, see what the platform takes from it and how
// it is collected.
func Example() {
	inv, findings, err := ubl.ReadFile("testdata/invoice-sdd.xml")
	if err != nil {
		fmt.Println(err)
		return
	}
	findings = append(findings, inv.Validate()...)
	fmt.Println(inv.Number, inv.Totals.PayableAmount.Text, inv.Currency, len(findings), "findings")

	m, _ := inv.Mapping()
	fmt.Printf("customer %s (step %d), remittance %s\n", m.CustomerNumber, m.CustomerNumberStep, m.Remittance)

	if dd, ok := inv.DirectDebit(); ok {
		fmt.Println(dd.MandateID, dd.DebtorIBAN, dd.Amount.StringFixed(2), dd.EndToEndID, dd.Remittance)
	}
	// Output:
	// INV/2024/0042 214.90 EUR 0 findings
	// customer CUST-0042 (step 1), remittance INV-2024-0042
	// MND-0001 BE68539007547034 214.90 INV/2024/0042 +++123/4567/89002+++
}

// Walk a directory or a zip of invoices.
func ExampleWalk() {
	err := ubl.Walk("testdata", func(name string, r io.Reader) error {
		inv, _, err := ubl.Read(r, name)
		if err != nil {
			return err
		}
		fmt.Println(name, inv.Number)
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	// Output:
	// testdata/invoice-sdd.xml INV/2024/0042
}
