// Package camt reads ISO 20022 bank-to-customer cash management messages —
// camt.052 account reports, camt.053 statements and camt.054 debit/credit
// notifications, versions 001.01 to 001.14 — into the one statement model
// (pkg/statement), and writes camt.053.001.02 statements.
//
// The Reader streams: it walks the document with encoding/xml tokens and
// decodes one Ntry at a time into small structs named after the spec's
// elements (the union of every version's names: BIC and BICFI, Sts as text
// or Sts/Cd, Ntry/TxDtls in 001.01 and Ntry/NtryDtls/TxDtls later, the Pty
// wrappers of 001.08 and up). Memory stays flat however large the file.
// The generated types of moov-io/iso20022 hold a whole document per version
// and would put hundreds of types in our API; a few dozen hand-written
// fields cover what reconciliation needs across all versions at once.
//
// When a statement ends the Reader checks it and reports findings: opening
// balance plus booked entries against the closing balance, the stated
// TxsSummry counts and sums, each entry against the sum of its transaction
// details, and currency consistency. Banks are known to deviate on these, so
// they are warnings; malformed input (bad XML, an unknown namespace, an
// amount that is not a decimal, a truncated file) is an error returned by
// Next, naming file, line, element path and value.
//
// The Writer produces camt.053.001.02 by hand-escaped, buffered text rather
// than encoding/xml marshalling: it is a few times faster, allocates little
// and keeps full control of element order, which the XSD fixes.
package camt
