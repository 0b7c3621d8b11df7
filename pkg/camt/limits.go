package camt

import (
	"strings"
)

// RuleLimit names the findings of input beyond the Reader's limits.
const RuleLimit = "camt limit"

// Limits of the Reader. They bound its memory whatever the input, and are
// far beyond what banks send: the largest entry in the shared corpus of
// real files holds 785 elements, 52 transaction details and 19 KB, its
// longest text is 121 bytes and its deepest element sits 13 levels deep.
// Input beyond a limit is refused with an error naming file, line, element
// path, the limit and the offending value.
const (
	// MaxDepth is the deepest element nesting read (pain.008 reads 64 too).
	MaxDepth = 64
	// MaxName is the longest element name (ISO 20022 names have at most
	// 35 characters); with MaxDepth it bounds the open elements kept.
	MaxName = 256
	// MaxToken is the longest tag or run of text between two tags.
	MaxToken = 1 << 20
	// MaxText is the longest text of one element a field is read from
	// (its pieces added up when comments or CDATA split it).
	MaxText = 64 << 10
	// MaxElementBytes is the largest element the Reader decodes whole: an
	// Ntry (about 25,000 transaction details of 1.2 KB), or a Bal, Acct,
	// GrpHdr or TxsSummry.
	MaxElementBytes = 32 << 20
	// MaxElements is the most elements a field is read from in one Ntry.
	MaxElements = 1 << 20
	// MaxDetails is the most transaction details (TxDtls) in one Ntry.
	MaxDetails = 1 << 16
	// MaxStatements is the most Stmt, Rpt or Ntfctn in one message.
	MaxStatements = 1 << 16
)

// limitError is input beyond a limit. Path is the element path from the
// document element, by local names without positions; the Reader puts its
// own positions in front (see joinPath).
type limitError struct {
	line  int
	path  string
	value string
	msg   string
}

func (e *limitError) Error() string { return e.path + ": " + e.msg }

// joinPath returns base (an element path with positions, such as
// /Document/BkToCstmrStmt/Stmt[1]/Ntry[3]) followed by the part of full (a
// path without positions) below it.
func joinPath(base, full string) string {
	rest := full
	for k := strings.Count(base, "/"); k > 0 && rest != ""; k-- {
		j := strings.IndexByte(rest[1:], '/')
		if j < 0 {
			rest = ""
			break
		}
		rest = rest[1+j:]
	}
	return base + rest
}
