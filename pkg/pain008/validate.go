package pain008

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/batchtool/batchtool/pkg/sepa"
)

// FieldError is a transaction the Writer refused: which transaction (by
// its 1-based number in the order written and its end-to-end id), which
// Transaction field, the offending value and why.
type FieldError struct {
	Index      int    // 1-based number of the Write call
	EndToEndID string // the transaction's EndToEndID, as given
	Field      string // Transaction field name, e.g. "DebtorIBAN" or "Amendment.OriginalCreditorID"
	Value      string // the offending value
	Err        error  // the reason; often a sepa error, test with errors.Is
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("pain008: transaction %d (EndToEndId %q): %s %q: %v", e.Index, e.EndToEndID, e.Field, e.Value, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// Errors of the Writer's checks that are not sepa errors.
var (
	ErrRequired       = errors.New("is required")
	ErrTooLong        = errors.New("is too long")
	ErrSequenceType   = errors.New("sequence type must be FRST, RCUR, OOFF or FNAL")
	ErrInstrument     = errors.New("local instrument must be CORE or B2B")
	ErrCurrency       = errors.New("SEPA direct debits are in EUR only")
	ErrMandateDate    = errors.New("mandate signature date is after the collection date")
	ErrCollectionDate = errors.New("collection date is before the message creation date")
	ErrDuplicateE2E   = errors.New("EndToEndId is already used in this message")
	ErrRemittanceBoth = errors.New("give either Remittance (Ustrd) or CreditorReference (Strd), not both (EPC AT-22)")
	ErrAmendment      = errors.New("amendment must name at least one original value (AT-24)")
	ErrRF             = errors.New("creditor reference starting with RF must be a valid ISO 11649 reference")
)

// EPC limits of names (AT-03, AT-14: 70 characters) and of unstructured
// remittance (AT-22: 140 characters).
const (
	maxName       = 70
	maxRemittance = 140
)

// maxCents is sepa.MaxAmount in cents.
const maxCents = 99999999999

// dateOnly returns t's calendar date as 00:00 UTC.
func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dayOf orders calendar days: earlier days are smaller. It is t.Date()
// without the time.Date that dateOnly builds from it, for comparisons.
func dayOf(t time.Time) int {
	y, m, d := t.Date()
	return y<<9 | int(m)<<5 | d
}

// check validates tx for writing and returns its amount in cents. tx's
// defaults (Currency, LocalInstrument) must already be applied. created is
// dayOf the message's creation date (setDefaults makes it now when unset).
func check(tx *Transaction, created int, creditorOK bool) (int64, error) {
	fe := func(field, value string, err error) error {
		return &FieldError{EndToEndID: tx.EndToEndID, Field: field, Value: value, Err: err}
	}
	idField := func(field, v string) error {
		if err := sepa.ValidateID(v); err != nil {
			return fe(field, v, err)
		}
		return nil
	}
	text := func(field, v string, max int, required bool) error {
		if v == "" {
			if required {
				return fe(field, v, ErrRequired)
			}
			return nil
		}
		err := sepa.ValidateText(v)
		n := len(v) // valid text is ASCII: a byte is a character
		if err != nil {
			n = utf8.RuneCountInString(v)
		}
		if n > max {
			return fe(field, v, fmt.Errorf("%w: %d characters, at most %d", ErrTooLong, n, max))
		}
		if err != nil {
			return fe(field, v, err)
		}
		return nil
	}
	if err := idField("EndToEndID", tx.EndToEndID); err != nil {
		return 0, err
	}
	if tx.InstructionID != "" {
		if err := idField("InstructionID", tx.InstructionID); err != nil {
			return 0, err
		}
	}
	if tx.Currency != "EUR" {
		return 0, fe("Currency", tx.Currency, ErrCurrency)
	}
	var cents int64
	if a := tx.Amount; a.Exponent() == -2 && a.NumDigits() <= 11 && a.CoefficientInt64() >= 1 && a.CoefficientInt64() <= maxCents {
		cents = a.CoefficientInt64() // the usual amount, in cents: within MinAmount and MaxAmount
	} else {
		if err := sepa.CheckAmount(tx.Amount); err != nil {
			return 0, fe("Amount", tx.Amount.String(), err)
		}
		if tx.Amount.Exponent() == -2 {
			cents = tx.Amount.CoefficientInt64() // within MaxAmount: fits
		} else {
			cents = tx.Amount.Shift(2).IntPart()
		}
	}
	switch tx.SequenceType {
	case SeqFirst, SeqRecurrent, SeqOneOff, SeqFinal:
	default:
		return 0, fe("SequenceType", tx.SequenceType, ErrSequenceType)
	}
	switch tx.LocalInstrument {
	case InstrumentCore, InstrumentB2B:
	default:
		return 0, fe("LocalInstrument", tx.LocalInstrument, ErrInstrument)
	}
	if tx.CollectionDate.IsZero() {
		return 0, fe("CollectionDate", "", ErrRequired)
	}
	coll := dayOf(tx.CollectionDate)
	if coll < created {
		return 0, fe("CollectionDate", tx.CollectionDate.Format(isoDate), ErrCollectionDate)
	}
	if err := idField("MandateID", tx.MandateID); err != nil {
		return 0, err
	}
	if tx.MandateSignedOn.IsZero() {
		return 0, fe("MandateSignedOn", "", ErrRequired)
	}
	if dayOf(tx.MandateSignedOn) > coll {
		return 0, fe("MandateSignedOn", tx.MandateSignedOn.Format(isoDate), ErrMandateDate)
	}
	if !creditorOK {
		if err := text("Creditor.Name", tx.Creditor.Name, maxName, true); err != nil {
			return 0, err
		}
		if err := sepa.ValidateIBAN(tx.Creditor.IBAN); err != nil {
			return 0, fe("Creditor.IBAN", tx.Creditor.IBAN, err)
		}
		if tx.Creditor.BIC != "" {
			if err := sepa.ValidateBIC(tx.Creditor.BIC); err != nil {
				return 0, fe("Creditor.BIC", tx.Creditor.BIC, err)
			}
		}
		if err := sepa.ValidateCreditorID(tx.Creditor.ID); err != nil {
			return 0, fe("Creditor.ID", tx.Creditor.ID, err)
		}
	}
	if err := text("DebtorName", tx.DebtorName, maxName, true); err != nil {
		return 0, err
	}
	if err := sepa.ValidateIBAN(tx.DebtorIBAN); err != nil {
		return 0, fe("DebtorIBAN", tx.DebtorIBAN, err)
	}
	if tx.DebtorBIC != "" {
		if err := sepa.ValidateBIC(tx.DebtorBIC); err != nil {
			return 0, fe("DebtorBIC", tx.DebtorBIC, err)
		}
	}
	if tx.Remittance != "" && tx.CreditorReference != "" {
		return 0, fe("CreditorReference", tx.CreditorReference, ErrRemittanceBoth)
	}
	if err := text("Remittance", tx.Remittance, maxRemittance, false); err != nil {
		return 0, err
	}
	if ref := tx.CreditorReference; ref != "" {
		if err := text("CreditorReference", ref, sepa.MaxIDLength, false); err != nil {
			return 0, err
		}
		if len(ref) >= 2 && ref[:2] == "RF" {
			if _, err := sepa.ParseRF(ref); err != nil {
				return 0, fe("CreditorReference", ref, fmt.Errorf("%w: %v", ErrRF, err))
			}
		}
	}
	if a := tx.Amendment; a != nil {
		if a.OriginalMandateID == "" && a.OriginalCreditorName == "" && a.OriginalCreditorID == "" &&
			a.OriginalDebtorIBAN == "" && !a.DebtorAgentChanged {
			return 0, fe("Amendment", "", ErrAmendment)
		}
		if a.OriginalMandateID != "" {
			if err := idField("Amendment.OriginalMandateID", a.OriginalMandateID); err != nil {
				return 0, err
			}
		}
		if err := text("Amendment.OriginalCreditorName", a.OriginalCreditorName, maxName, false); err != nil {
			return 0, err
		}
		if a.OriginalCreditorID != "" {
			if err := sepa.ValidateCreditorID(a.OriginalCreditorID); err != nil {
				return 0, fe("Amendment.OriginalCreditorID", a.OriginalCreditorID, err)
			}
		}
		if a.OriginalDebtorIBAN != "" {
			if err := sepa.ValidateIBAN(a.OriginalDebtorIBAN); err != nil {
				return 0, fe("Amendment.OriginalDebtorIBAN", a.OriginalDebtorIBAN, err)
			}
		}
	}
	return cents, nil
}

const isoDate = "2006-01-02"
