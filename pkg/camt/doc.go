// Package camt reads ISO 20022 bank-to-customer cash management messages —
// camt.052 account reports, camt.053 statements and camt.054 debit/credit
// notifications, versions 001.01 to 001.14 — into the one statement model
// (pkg/statement), and writes camt.053.001.02 statements.
//
// The Reader streams: a small XML scanner (scan.go) walks the document and
// each Ntry (and each Bal, Acct, GrpHdr ...) is read whole into a reused
// node tree, from which the fields are taken by their spec names — the
// union of every version's names: BIC and BICFI, Sts as text or Sts/Cd,
// Ntry/TxDtls in 001.01 and Ntry/NtryDtls/TxDtls later, the Pty wrappers of
// 001.08 and up, Bal/Tp/Cd and Bal/Tp/CdOrPrtry/Cd. The tree keeps only the
// elements some field is read from (names.go), as small integers; anything
// else is checked and dropped.
//
// Why not encoding/xml: with DecodeElement per entry it read camt at about
// 20 MB/s of CPU time and 490 allocations per entry. The scanner finds
// markup with a byte-class table, and the tree reads the common tokens —
// plain text, <name>, <name attr="plain">, </name> — straight from the
// scanner's buffer, leaving every other token (references, comments, CDATA,
// anything odd) to the scanner's fully checked path; the fuzz target
// requires both paths to give the same result. Sums are kept in int64 units
// of 10^-5 (internal/decsum). It checks well-formedness as far as a reader
// must (nesting, names, attributes, entities, UTF-8, truncation) and
// refuses DOCTYPE. Why not moov-io/iso20022: its generated types hold a
// whole document per version and would put hundreds of types in our API; a
// few dozen field paths cover what reconciliation needs across all versions
// at once.
//
// Memory is bounded whatever the input. The Reader refuses, with an error
// naming file, line, element path, the limit and the value, elements nested
// deeper than MaxDepth (64), element names longer than MaxName (256
// bytes), a tag or run of text longer than MaxToken
// (1 MiB), a text a field is read from longer than MaxText (64 KiB, its
// pieces added up when comments split it), an Ntry (or Bal, Acct ...)
// larger than MaxElementBytes (32 MiB) or holding more than MaxElements
// (1,048,576) elements with fields or MaxDetails (65,536) transaction
// details, and more than MaxStatements (65,536) statements in one message.
// It keeps at most 100 findings per rule and counts the rest. No real file
// comes near: the largest entry in the shared corpus holds 785 elements and
// 52 details in 19 KB. So the Reader holds at most one entry's tree (at
// most 1M nodes of 28 bytes and 32 MiB of text) with its details, the
// statement headers and the scanner's buffer: the largest entry the limits
// let through peaks at 105 to 122 MiB of heap, hostile inputs of hundreds of
// megabytes are refused at 1 to 95 MiB (TestReaderLimits), and a
// valid 1 GiB statement streams in a few MiB (TestHeapFlat). A Reader that
// reaches the end of its input hands its scanner buffer, nodes, text arena
// and interned codes to the next Reader made (a sync.Pool; none grown past
// 64 KiB each is kept): reading many small files allocates them once, where
// allocating them per file was a fifth of the cost of a 7 KB statement,
// most of it in the collector's runs. Nothing a Reader hands out points
// into them (TestReaderSpareBuffers).
//
// When a statement ends the Reader checks it and reports findings: opening
// balance plus booked entries against the closing balance, the stated
// TxsSummry counts and sums, each entry against the sum of its transaction
// details, and currency consistency. Banks are known to deviate on these, so
// they are warnings; malformed input (bad XML, an unknown namespace, an
// amount that is not a decimal or has more digits than ISO 20022's
// ActiveOrHistoricCurrencyAndAmount allows — 18, 5 of them decimals — a
// truncated file) is an error returned by Next, naming file, line, element
// path and value.
//
// A file on disk can be read in parts on all cores (ReadParallel, in the
// shape of coda.ReadParallel): it is cut at <Ntry> tags, and each part's
// Reader starts with the statement context — document, statement header,
// line, statements and entries before it — guessed from the bytes before
// the cut and checked against the Reader of the part before; a wrong guess
// reads the part again, a cut that is not between entries reads the rest
// of the file with one Reader. The entries, statements and findings are
// those of one Reader (TestReadParallelSame, FuzzReader). SummaryOnly
// leaves out what a summary does not read (references, parties,
// remittance), for inspect.
//
// The Writer produces camt.053.001.02 by hand-escaped, buffered text rather
// than encoding/xml marshalling: it is a few times faster, allocates little
// and keeps full control of element order, which the XSD fixes.
package camt
