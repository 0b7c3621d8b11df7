// Package reconcile matches bank statement lines against open items — SEPA
// Direct Debit collections, their batches, and invoices — and explains every
// decision: each line carries the rule that matched it and the evidence.
//
// It knows the statement model and the sepa primitives, never a file format,
// and does no file I/O: open items come from a Store (the ledger's SQLite
// file, or MemStore in tests and small runs).
//
// Rules, in order of certainty (the first that decides wins):
//
//  1. end-to-end id (and mandate id) of a direct debit → that collection; a
//     batch booking matches its whole PmtInf by id, or by count and exact
//     total, and its details one by one;
//  2. returns and rejects (reversal flag, return reason, a debit naming a
//     collected end-to-end id) → the collection is reopened as returned
//     with its ISO 20022 reason code and text (see ReturnReasonText);
//     then, for a credit naming an item that a payment request (Tikkie,
//     Tinka) was sent for, in the requested amount: the request's payout →
//     the request and its item, booked once even when the provider already
//     reported it paid (RulePaymentRequest);
//  3. structured reference (RF or Belgian OGM, also found in the
//     unstructured remittance) → the invoice;
//  4. invoice number in the unstructured remittance (tolerant to spaces,
//     separators and leading zeros, see NumberKey);
//  5. counterparty IBAN + exact amount + date window → one open invoice of
//     that customer;
//  6. one payment for several open invoices of one customer (exact subset
//     sum, bounded search).
//
// Partial payments leave an open remainder on the invoice; an overpayment
// leaves a negative remainder (a credit balance). When two candidates are
// equally good the line is not guessed: it is reported as ambiguous with the
// candidates. Unmatched lines carry the closest candidates.
//
// Keys says, before any look-up, which keys the engine may look an entry
// up by (end-to-end ids, PmtInfIds, batch totals, references, invoice
// number keys, IBANs, payment request keys): a store can read the items of
// many lines at once and then answer the engine from memory.
//
// Totals always balance to the cent: matched + returned + ambiguous +
// unmatched = total of the lines (Summary.Balanced). Amounts are
// decimal.Decimal throughout, never floats.
package reconcile
