package pipeline

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/batchtool/batchtool/pkg/due"
	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/ubl"
)

// mandate is what a UBL invoice does not say about its mandate.
type mandate struct {
	signedOn time.Time
	seq      string
}

// loadMandates reads mandate_id,signed_on[,sequence_type] rows.
func loadMandates(path string) (map[string]mandate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	idc, ok1 := col["mandate_id"]
	sc, ok2 := col["signed_on"]
	if !ok1 || !ok2 {
		return nil, finding.Finding{Severity: finding.Error, File: path, Line: 1, Message: "header needs mandate_id and signed_on (and optionally sequence_type)"}
	}
	seqc, hasSeq := col["sequence_type"]
	out := map[string]mandate{}
	var errs finding.List
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := cr.FieldPos(0)
		get := func(i int) string {
			if i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		m := mandate{seq: pain008.SeqRecurrent}
		t, err := time.Parse(time.DateOnly, get(sc))
		if err != nil {
			errs.Add(finding.Finding{Severity: finding.Error, File: path, Line: line, Column: sc + 1, Path: "signed_on", Value: get(sc), Message: "not a date in the form YYYY-MM-DD"})
			continue
		}
		m.signedOn = t
		if hasSeq && get(seqc) != "" {
			m.seq = strings.ToUpper(get(seqc))
			switch m.seq {
			case "FRST", "RCUR", "OOFF", "FNAL":
			default:
				errs.Add(finding.Finding{Severity: finding.Error, File: path, Line: line, Column: seqc + 1, Path: "sequence_type", Value: get(seqc), Message: "must be one of FRST, RCUR, OOFF, FNAL"})
				continue
			}
		}
		out[get(idc)] = m
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// readUBLCollections turns every direct-debit invoice under paths into a
// row for handle; it returns how many invoices were not to be collected.
func readUBLCollections(paths []string, mandatesFile string, d due.Defaults, handle func([]string, *due.Row) error) (skipped int, err error) {
	mandates, err := loadMandates(mandatesFile)
	if err != nil {
		return 0, err
	}
	header := []string{"file", "invoice_number"}
	seen := map[string]string{}
	for _, p := range paths {
		err := ubl.Walk(p, func(name string, r io.Reader) error {
			row := &due.Row{File: name, Fields: map[string]string{"file": name}}
			inv, fs, err := ubl.Read(r, name)
			if err != nil {
				row.Findings = append(fs, errorFinding(name, err))
				return handle(header, row)
			}
			row.Fields["invoice_number"] = inv.Number
			dd, ok := inv.DirectDebit()
			if !ok && dd.Means == "" {
				skipped++
				return nil
			}
			fail := func(path, value, msg, rule string) {
				row.Findings.Add(finding.Finding{Severity: finding.Error, File: name, Path: path, Value: value, Message: msg, Rule: rule})
			}
			// The invoice's own errors (EN 16931 arithmetic, mandatory
			// fields) keep it out of the batch; warnings are shown.
			for _, f := range append(fs, inv.Check()...) {
				row.Findings.Add(f)
			}
			if !ok {
				fail("cac:PaymentMeans", dd.Means, dd.Reason, "")
				return handle(header, row)
			}
			if first, dup := seen[dd.EndToEndID]; dup {
				fail("cbc:ID", inv.Number, fmt.Sprintf("end-to-end id %q already used by %s", dd.EndToEndID, first), "EPC AT-10 unique")
			}
			seen[dd.EndToEndID] = name
			m, known := mandates[dd.MandateID]
			if !known {
				fail("cac:PaymentMandate/cbc:ID", dd.MandateID, "mandate not in "+mandatesFile+": its signature date is needed", "EPC AT-25")
			}
			day := dd.DueDate
			if day.Before(d.CollectionDate) || day.IsZero() {
				day = d.CollectionDate
			}
			if day.IsZero() {
				fail("cbc:DueDate", "", "no due date: give --collection-date", "EPC AT-11")
			}
			row.Tx = pain008.Transaction{
				EndToEndID: dd.EndToEndID, Amount: dd.Amount, Currency: "EUR",
				MandateID: dd.MandateID, MandateSignedOn: m.signedOn, SequenceType: m.seq,
				LocalInstrument: pain008.InstrumentCore, CollectionDate: day, Creditor: d.Creditor,
				DebtorName: dd.DebtorName, DebtorIBAN: dd.DebtorIBAN, Remittance: dd.Remittance,
			}
			if dd.ReferenceScheme == sepa.SchemeRF {
				// A structured RF reference travels as such; an OGM is
				// printed in the remittance text, as Belgian banks expect.
				row.Tx.CreditorReference, row.Tx.Remittance = dd.CreditorReference, ""
			}
			return handle(header, row)
		})
		if err != nil {
			return skipped, err
		}
	}
	return skipped, nil
}
