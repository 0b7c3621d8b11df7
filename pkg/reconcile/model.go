package reconcile

import (
	"time"

	"github.com/shopspring/decimal"
)

// Status is the state of an open item.
type Status string

// Statuses of collections, batches and invoices.
const (
	StatusOpen      Status = "open"      // not yet seen on a statement
	StatusCollected Status = "collected" // collection credited (also a whole batch)
	StatusReturned  Status = "returned"  // collection returned, rejected or refunded: reopened
	StatusPaid      Status = "paid"      // invoice paid exactly
	StatusPartial   Status = "partial"   // invoice partly paid: Open > 0
	StatusOverpaid  Status = "overpaid"  // invoice paid too much: Open < 0
)

// Collection is one SEPA Direct Debit collection (pain.008 DrctDbtTxInf)
// as an open item.
type Collection struct {
	ID             int64           `json:"id,omitempty"`            // store identity
	EndToEndID     string          `json:"end_to_end_id"`           // PmtId/EndToEndId
	MandateID      string          `json:"mandate_id,omitempty"`    // DrctDbtTx/MndtRltdInf/MndtId
	PmtInfID       string          `json:"pmt_inf_id,omitempty"`    // PmtInf/PmtInfId: the batch
	Amount         decimal.Decimal `json:"amount"`                  // InstdAmt, positive
	Currency       string          `json:"currency"`                // InstdAmt/@Ccy
	CollectionDate time.Time       `json:"collection_date"`         // PmtInf/ReqdColltnDt
	DebtorName     string          `json:"debtor_name,omitempty"`   // Dbtr/Nm
	DebtorIBAN     string          `json:"debtor_iban,omitempty"`   // DbtrAcct/Id/IBAN
	CreditorID     string          `json:"creditor_id,omitempty"`   // CdtrSchmeId
	Remittance     string          `json:"remittance,omitempty"`    // RmtInf/Ustrd
	Status         Status          `json:"status"`                  // open, collected, returned
	ReturnReason   string          `json:"return_reason,omitempty"` // ISO reason code when returned
	ReturnText     string          `json:"return_text,omitempty"`
}

// Batch is one PmtInf block of a pain.008: what a bank books as one batch
// credit.
type Batch struct {
	ID       int64           `json:"id,omitempty"`
	PmtInfID string          `json:"pmt_inf_id"` // PmtInf/PmtInfId
	Count    int             `json:"count"`      // NbOfTxs
	Total    decimal.Decimal `json:"total"`      // CtrlSum
	Currency string          `json:"currency"`
	Date     time.Time       `json:"date"` // ReqdColltnDt
	Status   Status          `json:"status"`
}

// Invoice is an invoice as an open item.
type Invoice struct {
	ID             int64           `json:"id,omitempty"`
	Number         string          `json:"number"` // cbc:ID
	CustomerNumber string          `json:"customer_number,omitempty"`
	CustomerName   string          `json:"customer_name,omitempty"`
	CustomerIBANs  []string        `json:"customer_ibans,omitempty"` // electronic form
	Reference      string          `json:"reference,omitempty"`      // RF or OGM, normalised (NormalizeReference)
	Amount         decimal.Decimal `json:"amount"`                   // PayableAmount
	Open           decimal.Decimal `json:"open"`                     // open remainder; < 0 when overpaid
	Currency       string          `json:"currency"`
	IssueDate      time.Time       `json:"issue_date,omitzero"`
	DueDate        time.Time       `json:"due_date,omitzero"`
	Status         Status          `json:"status"`
}

// PaymentRequest is a payment request (Tikkie, Tinka) sent for an item
// direct debit did not collect. Its payout comes in as a credit whose
// remittance names the item (invoice number or end-to-end id) and whose
// amount is the requested amount.
type PaymentRequest struct {
	ID         int64           `json:"id"`
	Provider   string          `json:"provider"`
	ExternalID string          `json:"external_id"`
	ItemKind   ChangeKind      `json:"item_kind"` // ChangeCollection or ChangeInvoice
	ItemID     int64           `json:"item_id"`
	ItemKey    string          `json:"item_key"`
	Amount     decimal.Decimal `json:"amount"`
	Currency   string          `json:"currency"`
	Booked     bool            `json:"booked"`    // already booked against its item (the provider reported it paid)
	Settled    bool            `json:"settled"`   // its payout was already seen on a statement
	ItemOpen   decimal.Decimal `json:"item_open"` // what the item has open now
}

// Store is where the engine finds open items and records what it decided.
// The ledger implements it on SQLite; MemStore in memory. Lookups return
// items in a stable order (by ID). Apply must make the changes visible to
// later lookups. Lookups need fill only what the engine decides on: ID, the
// key (end-to-end id, PmtInfId, number), mandate, batch, amounts, open
// remainder, currency, dates, status and the debtor or customer name.
type Store interface {
	CollectionsByEndToEnd(e2e string) ([]Collection, error)
	BatchByID(pmtInfID string) (*Batch, error) // nil, nil when unknown
	BatchesByTotal(count int, total decimal.Decimal, currency string) ([]Batch, error)
	InvoicesByReference(ref string) ([]Invoice, error)
	// InvoicesByNumberKey returns the invoices whose NumberKey is one of keys.
	InvoicesByNumberKey(keys []string) ([]Invoice, error)
	// InvoicesByIBAN returns the invoices of the customer paying from iban
	// that are still open (Open > 0).
	InvoicesByIBAN(iban string) ([]Invoice, error)
	// PaymentRequestsByKey returns the payment requests, open or booked,
	// whose item's NumberKey is one of keys.
	PaymentRequestsByKey(keys []string) ([]PaymentRequest, error)
	Apply(changes []Change) error
}

// ChangeKind says what a Change updates.
type ChangeKind string

// Kinds of change.
const (
	ChangeCollection ChangeKind = "collection" // Status (+ return reason) of one collection
	ChangeBatch      ChangeKind = "batch"      // Status of a batch; collected also marks its open collections collected
	ChangeInvoice    ChangeKind = "invoice"    // Open remainder and Status of one invoice
	// ChangePaymentRequest: the payout of a payment request was seen on a
	// statement; a request not yet booked is booked against its item (ID is
	// the request's, Open the item's new remainder).
	ChangePaymentRequest ChangeKind = "payment-request"
)

// Change is one update of an open item the engine decided.
type Change struct {
	Kind         ChangeKind      `json:"kind"`
	ID           int64           `json:"id"`
	Key          string          `json:"key"` // end-to-end id, PmtInfId or invoice number
	Status       Status          `json:"status"`
	Open         decimal.Decimal `json:"open,omitzero"` // invoices: new open remainder
	ReturnReason string          `json:"return_reason,omitempty"`
	ReturnText   string          `json:"return_text,omitempty"`
}
