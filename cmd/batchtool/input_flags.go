package main

import (
	"github.com/spf13/cobra"

	"github.com/batchtool/batchtool/pkg/tabular"
)

// inputFlags are the flags of every command that reads a CSV a person
// exported from a spreadsheet or ERP (collect build, ledger add): how the
// file is written, when detection cannot tell.
type inputFlags struct {
	delimiter, encoding string
	decimalComma        bool
}

func (o *inputFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.delimiter, "delimiter", "", "CSV separator: ',', ';', tab or '|' (default: found from the header line)")
	f.BoolVar(&o.decimalComma, "decimal-comma", false, "amounts are written 1.234,56 (default: yes with ';' or tab separators, no with ','); =false forces 1,234.56")
	f.StringVar(&o.encoding, "encoding", "", "CSV character encoding: utf-8, cp1252 or latin1 (default utf-8; other bytes stop the file with the fix named)")
}

// dialect returns the tabular dialect the flags ask for; an unknown value
// is a usage error.
func (o *inputFlags) dialect(cmd *cobra.Command) (tabular.Dialect, error) {
	var d tabular.Dialect
	var err error
	if d.Delimiter, err = tabular.ParseDelimiter(o.delimiter); err != nil {
		return d, usageError{err}
	}
	if d.Encoding, err = tabular.ParseEncoding(o.encoding); err != nil {
		return d, usageError{err}
	}
	if cmd.Flags().Changed("decimal-comma") {
		d.Decimal = tabular.DecimalPoint
		if o.decimalComma {
			d.Decimal = tabular.DecimalComma
		}
	}
	return d, nil
}
