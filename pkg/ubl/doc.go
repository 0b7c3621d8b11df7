// Package ubl reads UBL 2.1 invoices and credit notes (OASIS UBL, as used by
// EN 16931 and Peppol BIS Billing 3.0), checks their arithmetic against the
// EN 16931 business rules with exact decimals, maps them to the fields the
// Twikey platform takes from an uploaded UBL file, and derives the direct
// debit a collection run needs from an invoice.
//
// One document per file (bare, or inside a Peppol StandardBusinessDocument
// envelope): Read decodes it with encoding/xml token by token
// into small types named like the UBL elements (cbc/cac names in comments).
// Embedded attachments (cbc:EmbeddedDocumentBinaryObject) are measured and
// dropped before the XML decoder sees them, so a multi-megabyte base64 PDF
// costs neither memory nor decoding time; line numbers stay those of the
// file. encoding/xml is used instead of a DOM (beevik/etree) for that reason
// and because it reports the source line of every element.
//
// Hostile input costs bounded memory: a document is refused, with a finding
// of rule "limit" naming file, line, element path and the start of the
// value, beyond 1 MiB of text in one element (text split by comments or
// child elements counts as one), 64 KiB in one tag, 64 levels of nesting
// (skipped elements too), 64 MiB of text kept in all, 100,000 repeated
// parts (lines, notes, allowances, tax subtotals, identifiers) or 1,000
// embedded attachments; Check keeps 100 findings per rule and counts the
// rest. No real invoice comes near these; at them a document costs at most
// about 180 MB of heap (100,000 empty lines, read and checked; a 300 MB
// cbc:Note or 10 million nested elements stop at 3 MB).
//
// Rule ids are those users see in EN 16931 validators (BR-xx, BR-CO-xx,
// BR-DEC-xx, BR-S-xx) and, for the line amount and direct-debit mandate,
// Peppol BIS 3 (PEPPOL-EN16931-R120, -R121, -R061). Where the official
// Schematron tolerates a difference (BR-CO-17 and BR-S-09 accept less than
// one currency unit, R120 accepts 0.02) a difference inside the tolerance is
// a warning and one outside it an error; both name the stated and the
// computed value.
package ubl
