package coda

// Bounds of what one file can make a Reader keep: far beyond any real CODA
// file, so that memory stays bounded whatever the input (a file of a
// million detail movements under one sequence number held 1.7 GB). Beyond
// a bound the Reader reports an error finding of rule RuleLimit — the file
// is refused — and keeps nothing more of that kind; it still reads on at
// its usual speed. A line longer than the 32 KiB read buffer is skipped
// with an error. With the findings capped at 100 per rule, a hostile file
// costs at most about 40 MB of heap (measured: 20,000 statements 21-37 MB, a
// movement of 9,999 details 25-30 MB, 100,000 free communications 13-26 MB).
const (
	maxStatements = 20_000   // statements (record 1) kept for Statements
	maxDetails    = 9999     // detail movements under one movement: detail numbers have 4 digits
	maxInfo       = 64 << 10 // bytes of information (records 31-33) of one movement
	maxFree       = 100_000  // free communications (records 4) in one file
)

// RuleLimit is the rule of the findings that refuse a file beyond a bound.
const RuleLimit = "limit"
