package testutil

import (
	"bufio"
	"strconv"
)

// WriteDueRows writes a due CSV (header and n rows) to w, one row at a time
// and without allocation per row, for the heap tests and benchmarks of
// collect build: ids E2E-000000001…, amounts 1.00 to 1000.99 by a fixed
// rule, five debtor IBANs, three sequence types, no BIC, a remittance
// line. It returns the total of the amounts in cents (all EUR).
func WriteDueRows(w *bufio.Writer, n int) (cents int64, err error) {
	ibans := []string{"BE71096123456769", "BE62510007547061", "NL91ABNA0417164300", "DE89370400440532013000", "FR1420041010050500013M02606"}
	seqs := []string{"RCUR", "RCUR", "RCUR", "FRST", "OOFF"}
	w.WriteString("end_to_end_id,mandate_id,mandate_signed_on,sequence_type,amount,debtor_name,debtor_iban,debtor_bic,remittance\n")
	var b, idb []byte
	for i := 1; i <= n; i++ {
		c := 100 + int64(i*7919%100000)
		cents += c
		idb = strconv.AppendInt(idb[:0], int64(1000000000+i), 10)
		id := idb[1:]
		b = append(b[:0], "E2E-"...)
		b = append(b, id...)
		b = append(b, ",MNDT-"...)
		b = append(b, id...)
		b = append(b, ",2024-03-14,"...)
		b = append(b, seqs[i%len(seqs)]...)
		b = append(b, ',')
		b = strconv.AppendInt(b, c/100, 10)
		b = append(b, '.', byte('0'+c%100/10), byte('0'+c%10), ',')
		b = append(b, "Debtor "...)
		b = append(b, id...)
		b = append(b, ',')
		b = append(b, ibans[i%len(ibans)]...)
		b = append(b, ",,Invoice "...)
		b = append(b, id...)
		b = append(b, " monthly subscription\n"...)
		w.Write(b)
	}
	return cents, w.Flush()
}
