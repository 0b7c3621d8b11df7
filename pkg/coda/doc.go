// Package coda reads and writes Belgian CODA bank statements (Febelfin
// "Coded statement of account", versions 1 and 2): fixed 128-character
// records 0 (header), 1 (old balance), 21/22/23 (movements), 31/32/33
// (information), 4 (free communication), 8 (new balance) and 9 (trailer).
//
// The Reader streams a file into the shared statement model one Entry at a
// time: a movement with detail number 0000 is one Entry, the detail
// movements that follow it under the same sequence number (a globalised
// batch) are its Transactions. It checks what CODA lets a reader check —
// old balance + movements = new balance, the trailer's record count and
// debit/credit totals, sequence and detail numbers, continuation codes —
// and reports every problem as a finding.Finding naming file, line, record,
// field, value and rule.
//
// The format is hand-parsed on raw bytes rather than through a generic
// fixed-width library: CODA records are position based, amounts are parsed
// as int64 thousandths, and text is decoded from the file's charset
// (ISO-8859-1, CP850, CP1252 or UTF-8) only when it is not ASCII. That
// keeps the reader at hundreds of MB/s with memory flat in the size of the
// file.
//
// The Writer produces CODA 2 from the statement model; what it writes reads
// back equal through the Reader.
package coda
