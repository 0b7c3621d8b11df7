// Package statement holds the one model of a bank statement that every
// reader produces — camt.052/.053/.054 and CODA alike — so that the
// reconciler and the reports never see a file format.
//
// Amounts are exact decimals and signed: credits are positive, debits
// negative. Dates are civil dates held as time.Time at 00:00 UTC.
package statement

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/sepa"
)

// Kind tells what a statement is: an end-of-day statement, an intraday report
// or a debit/credit notification.
type Kind string

// Kinds of statement.
const (
	KindStatement    Kind = "statement"    // camt.053, CODA
	KindReport       Kind = "report"       // camt.052
	KindNotification Kind = "notification" // camt.054
)

// IntegritySeverity is the one severity policy of every statement reader
// (camt and CODA) for integrity findings: figures a statement states about
// itself — its closing balance (opening balance plus booked entries), its
// stated counts and totals (camt TxsSummry, CODA record 9) — that its own
// entries contradict. In an end-of-day statement (camt.053, CODA) they are
// errors: an entry is missing, repeated or damaged, so the file is not
// booked unless the user accepts it (reconcile --accept-errors) and the
// nightly run names it. An intraday report (camt.052) reports a day not yet
// closed, whose balances may already include what its entries do not, and a
// notification (camt.054) states no balance: warnings there. Findings
// about form (an entry in another currency than its account, an entry
// whose details do not add up to it) are warnings in every format.
func IntegritySeverity(k Kind) finding.Severity {
	if k == KindStatement {
		return finding.Error
	}
	return finding.Warning
}

// Account is the account a statement reports on.
type Account struct {
	IBAN     string `json:"iban,omitempty"`     // Acct/Id/IBAN; CODA record 1 account when it is an IBAN
	Other    string `json:"other,omitempty"`    // Acct/Id/Othr/Id or a Belgian BBAN when there is no IBAN
	Currency string `json:"currency,omitempty"` // Acct/Ccy
	Name     string `json:"name,omitempty"`     // Acct/Nm
	Owner    string `json:"owner,omitempty"`    // Acct/Ownr/Nm; CODA record 1 account holder name
	BIC      string `json:"bic,omitempty"`      // Acct/Svcr/FinInstnId/BIC(FI); CODA record 0 BIC
}

// ID returns the IBAN, or the other identification when there is none.
func (a Account) ID() string {
	if a.IBAN != "" {
		return a.IBAN
	}
	return a.Other
}

// Balance is a signed balance on a date.
type Balance struct {
	Amount   decimal.Decimal `json:"amount"` // signed: debit balances are negative
	Currency string          `json:"currency,omitempty"`
	Date     time.Time       `json:"date"`
	Type     string          `json:"type,omitempty"` // camt Bal/Tp code: OPBD, CLBD, PRCD, ITBD, CLAV ...
}

// Statement is the header of one statement, report or notification. A file
// may hold several, for several accounts.
type Statement struct {
	Format             string    `json:"format"` // e.g. "camt.053.001.02", "CODA 2"
	Kind               Kind      `json:"kind"`
	MessageID          string    `json:"message_id,omitempty"` // GrpHdr/MsgId; CODA: file reference of record 0
	ID                 string    `json:"id,omitempty"`         // Stmt/Id, Rpt/Id, Ntfctn/Id; CODA: account + sequence
	ElectronicSequence string    `json:"electronic_sequence,omitempty"`
	LegalSequence      string    `json:"legal_sequence,omitempty"` // Stmt/LglSeqNb; CODA record 1 statement number
	CreatedAt          time.Time `json:"created_at,omitzero"`
	From               time.Time `json:"from,omitzero"`
	To                 time.Time `json:"to,omitzero"`
	Account            Account   `json:"account"`
	Opening            *Balance  `json:"opening,omitempty"` // OPBD/PRCD; CODA record 1 old balance
	Closing            *Balance  `json:"closing,omitempty"` // CLBD; CODA record 8 new balance
	// Summary totals as the file states them (camt TxsSummry, CODA record 9);
	// nil when the file does not state them.
	StatedCredits *Total `json:"stated_credits,omitempty"`
	StatedDebits  *Total `json:"stated_debits,omitempty"`
	Line          int    `json:"line,omitempty"` // line where the statement starts in its file
}

// Total is a count and a sum.
type Total struct {
	Count int             `json:"count"`
	Sum   decimal.Decimal `json:"sum"`
}

// BankTxCode is the bank transaction code in ISO and proprietary form.
type BankTxCode struct {
	Domain            string `json:"domain,omitempty"`     // BkTxCd/Domn/Cd, e.g. PMNT
	Family            string `json:"family,omitempty"`     // BkTxCd/Domn/Fmly/Cd, e.g. IDDT
	SubFamily         string `json:"sub_family,omitempty"` // BkTxCd/Domn/Fmly/SubFmlyCd, e.g. ESDD, UPDD
	Proprietary       string `json:"proprietary,omitempty"`
	ProprietaryIssuer string `json:"proprietary_issuer,omitempty"` // e.g. "BE" for Febelfin codes, CODA "0"
}

// Party is a counterparty of a transaction.
type Party struct {
	Name    string `json:"name,omitempty"`
	IBAN    string `json:"iban,omitempty"`
	Account string `json:"account,omitempty"` // non-IBAN account identification
	BIC     string `json:"bic,omitempty"`
}

// Reference is a structured creditor reference with its scheme.
type Reference struct {
	Scheme sepa.ReferenceScheme `json:"scheme,omitempty"` // RF, BE (OGM/VCS), OTHER
	Value  string               `json:"value,omitempty"`  // normalised: RF electronic form, OGM 12 digits
}

// Transaction is one transaction detail (camt TxDtls; a CODA movement or one
// detail of a globalised movement).
type Transaction struct {
	Amount          decimal.Decimal `json:"amount"` // signed
	Currency        string          `json:"currency,omitempty"`
	EndToEndID      string          `json:"end_to_end_id,omitempty"`
	MandateID       string          `json:"mandate_id,omitempty"`
	InstructionID   string          `json:"instruction_id,omitempty"`
	PaymentInfoID   string          `json:"payment_info_id,omitempty"` // PmtInfId: the collection batch
	TransactionID   string          `json:"transaction_id,omitempty"`
	AccountSvcrRef  string          `json:"account_servicer_ref,omitempty"`
	CreditorID      string          `json:"creditor_id,omitempty"`
	Counterparty    Party           `json:"counterparty,omitzero"`
	Remittance      string          `json:"remittance,omitempty"` // unstructured, lines joined by a space
	Reference       Reference       `json:"reference,omitzero"`
	ReturnReason    string          `json:"return_reason,omitempty"`    // ISO 20022 reason code: AM04, MD06, AC04 ...
	ReturnText      string          `json:"return_text,omitempty"`      // additional return info, or the code's meaning
	Charges         decimal.Decimal `json:"charges,omitzero"`           // total charges, positive
	ChargesCurrency string          `json:"charges_currency,omitempty"` // their currency; "" for the detail's
	OrigAmount      decimal.Decimal `json:"orig_amount,omitzero"`       // instructed amount before conversion
	OrigCurrency    string          `json:"orig_currency,omitempty"`
	BankTxCode      BankTxCode      `json:"bank_tx_code,omitzero"` // when it differs from the entry's
	Line            int             `json:"line,omitempty"`
}

// Entry is one booked (or pending) entry of a statement. A batch booking is
// one Entry with its total in Amount and one Transaction per detail.
type Entry struct {
	Statement      *Statement      `json:"-"`
	Seq            int             `json:"seq"`           // 1-based position of the entry in its statement
	Ref            string          `json:"ref,omitempty"` // NtryRef; CODA sequence number
	Amount         decimal.Decimal `json:"amount"`        // signed
	Currency       string          `json:"currency"`
	Reversal       bool            `json:"reversal,omitempty"` // RvslInd; a return or reject of an earlier entry
	Status         string          `json:"status,omitempty"`   // BOOK, PDNG, INFO
	BookingDate    time.Time       `json:"booking_date,omitzero"`
	ValueDate      time.Time       `json:"value_date,omitzero"`
	BankTxCode     BankTxCode      `json:"bank_tx_code,omitzero"`
	AccountSvcrRef string          `json:"account_servicer_ref,omitempty"`
	BatchCount     int             `json:"batch_count,omitempty"` // NtryDtls/Btch/NbOfTxs; CODA details count
	BatchID        string          `json:"batch_id,omitempty"`    // NtryDtls/Btch/PmtInfId
	Info           string          `json:"info,omitempty"`        // AddtlNtryInf
	Details        []Transaction   `json:"details,omitempty"`
	Line           int             `json:"line,omitempty"`
}

// IsCredit reports whether the entry credits the account.
func (e *Entry) IsCredit() bool { return e.Amount.Sign() > 0 }

// Reader is what the camt and CODA readers implement: a stream of entries,
// one at a time, in file order.
type Reader interface {
	// Next returns the next entry, or io.EOF after the last one. Its
	// Statement pointer stays valid; fields that a format states after the
	// entries (a CODA closing balance) are filled in by the time the next
	// statement starts or Next returns io.EOF.
	Next() (*Entry, error)
	// Statements returns every statement header read so far, including
	// statements without entries.
	Statements() []*Statement
	// Findings returns the warnings and errors found so far; the balance
	// and total checks of a statement are added when it ends.
	Findings() []finding.Finding
}
