// Package sepa holds the exact, spec-named primitives of SEPA payments:
// IBAN (ISO 13616), BIC (ISO 9362), the SEPA Creditor Identifier (EPC262-08),
// mandate and end-to-end identifiers, the EPC basic Latin character set with
// transliteration, ISO 11649 RF creditor references, Belgian structured
// communications (OGM/VCS), and amounts as exact decimals.
//
// It is written by hand: the Go IBAN/BIC libraries are not reachable from the
// module proxy here, and none of them covers creditor identifiers, OGM or the
// EPC character set. Every check is a few lines of arithmetic over the
// published standard, tested against real-world examples.
package sepa
