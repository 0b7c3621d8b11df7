// Package coda reads and writes Belgian CODA bank statements (Febelfin
// "Coded statement of account", versions 1 and 2): fixed 128-character
// records 0 (header), 1 (old balance), 21/22/23 (movements), 31/32/33
// (information), 4 (free communication), 8 (new balance) and 9 (trailer).
//
// The Reader streams a file into the shared statement model one Entry at a
// time: a movement with detail number 0000 is one Entry, the detail
// movements that follow it under the same sequence number (a globalised
// batch) are its Transactions; an ordinary movement is an Entry with one
// Transaction. It checks what CODA lets a reader check — old balance +
// movements = new balance, the trailer's record count and debit/credit
// totals, sequence and detail numbers, next/link codes, OGM check digits —
// and reports every problem as a finding.Finding naming file, line,
// record, field, value and rule.
//
// Where the fields go:
//
//	record 0  creation date → Statement.CreatedAt, file reference → MessageID, BIC → Account.BIC
//	record 1  account (IBAN or BBAN by account structure) and currency → Account,
//	          old balance → Opening, holder → Account.Owner, description → Account.Name,
//	          paper sequence → LegalSequence, coded sequence → ElectronicSequence
//	21        sequence number → Entry.Ref, bank reference → AccountSvcrRef, amount (sign 0 credit
//	          +, 1 debit −), value and entry dates, transaction code → BankTxCode (Proprietary
//	          "family/transaction/category", issuer FEBELFIN, ISO domain/family where known)
//	21-22-23  communication: free text → Remittance; structured 101/102 (OGM/VCS) → Reference
//	          {BE, 12 digits}; 105 → OrigAmount, OrigCurrency, Charges; 127 (SEPA direct debit)
//	          → CreditorID, MandateID, Remittance, R-transaction type and reason → Entry.Reversal,
//	          ReturnReason (ISO code), ReturnText; other types kept as text with their type code
//	22        end-to-end / customer reference → EndToEndID, BIC → Counterparty.BIC,
//	          R-transaction type and ISO reason code
//	23        counterparty account → Counterparty.IBAN or Account, name → Counterparty.Name
//	31-32-33  information → Entry.Info (type 001 also gives the counterparty name)
//	4         free communication → Reader.FreeCommunications
//	8         new balance → Closing; 9 totals → StatedDebits, StatedCredits
//
// The format is hand-parsed on raw bytes rather than through a generic
// fixed-width library: records are position based, amounts are parsed as
// int64 thousandths, and text is decoded from the file's charset
// (ISO-8859-1, CP850, CP1252 or UTF-8) only when it is not ASCII. Short
// strings are carved from 2 KiB blocks (with unsafe.String over bytes that
// are never written again) so that a movement costs a handful of
// allocations. Memory stays flat in the size of the file.
//
// The Writer produces CODA 2 from the statement model; what it writes reads
// back equal through the Reader, except that a batch of more than
// MaxDetails transactions becomes several globalised movements (detail
// numbers have four digits), as a bank writes it.//
// Hostile input costs bounded memory (about 40 MB at most): a file is
// refused, with an error finding of rule "limit", beyond 20,000 statements,
// 9,999 details under one movement, 64 KiB of information for one movement
// or 100,000 free communications; lines beyond 32 KiB are skipped with an
// error, and findings are kept 100 per rule (limits.go).
package coda
