package camt_test

import (
	"io"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/camt"
)

// repeatReader streams head, n times body, then tail, without holding more
// than one copy of each: hostile inputs of hundreds of megabytes cost
// nothing to make.
type repeatReader struct {
	head, body, tail string
	n                int
	cur              string
	read             int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for r.cur == "" {
		switch {
		case r.head != "":
			r.cur, r.head = r.head, ""
		case r.n > 0:
			r.cur = r.body
			r.n--
		case r.tail != "":
			r.cur, r.tail = r.tail, ""
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	r.read += int64(n)
	return n, nil
}

// hostileEntry opens a statement and an entry down to an Ustrd: what the
// hostile inputs below put their bulk in.
const hostileEntry = head053 + `<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><NtryDtls><TxDtls><RmtInf>`

// worstDetail is a transaction detail that keeps as much as an entry can:
// 15 elements and their text in 512 bytes, so that an entry of
// MaxElementBytes holds close to MaxDetails of them and MaxElements nodes.
var worstDetail = func() string {
	d := `<TxDtls><Refs><EndToEndId>E</EndToEndId><MndtId>M</MndtId><InstrId>I</InstrId><TxId>T</TxId><PmtInfId>P</PmtInfId></Refs>` +
		`<RltdPties><Dbtr><Nm>D</Nm></Dbtr><Cdtr><Nm>C</Nm></Cdtr></RltdPties><RmtInf><Ustrd>U</Ustrd></RmtInf></TxDtls>`
	return strings.Replace(d, "<Ustrd>U", "<Ustrd>"+strings.Repeat("u", 512-len(d)+1), 1)
}()

const limitSuffix = `: a limit of this reader, far beyond real statements [camt limit]`

// TestReaderLimits streams hostile inputs of up to hundreds of megabytes —
// issue 17 items 2 and 3 — and checks that each is refused with the exact
// error, after reading little of it, with the heap bounded. The old reader
// read them whole: the text split by comments panicked once its int32 span
// overflowed (at 2 GiB; at 64 MiB it held all of it), 310 MB of sibling
// elements took 2.7 GB, 10M-deep nesting 1.4 GB.
func TestReaderLimits(t *testing.T) {
	ntry := "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]"
	x60 := strings.Repeat("x", 57) + "..."
	tests := []struct {
		name             string
		head, body, tail string
		n                int
		want             string // "" for a file read whole
		maxRead          int64  // bytes read before the error, at most
		maxHeap          uint64 // peak heap in use, at most
	}{
		{"text split by comments (17.2)", hostileEntry + "<Ustrd>", strings.Repeat("x", 8<<10) + "<!-- -->", "</Ustrd>", 8 << 10,
			`h.xml:5: error: ` + ntry + `/NtryDtls/TxDtls/RmtInf/Ustrd "` + x60 + `": text longer than 65536 bytes (MaxText)` + limitSuffix,
			1 << 20, 16 << 20},
		{"one text run", hostileEntry + "<Ustrd>", strings.Repeat("x", 64<<10), "</Ustrd>", 1 << 10,
			`h.xml:5: error: ` + ntry + `/NtryDtls/TxDtls/RmtInf/Ustrd "` + x60 + `": a tag or text longer than 1048576 bytes (MaxToken)` + limitSuffix,
			2 << 20, 16 << 20},
		{"sibling elements a field reads (17.3)", hostileEntry, "<Ustrd>x</Ustrd>", "", 20 << 20,
			`h.xml:5: error: ` + ntry + `/NtryDtls/TxDtls/RmtInf/Ustrd "Ustrd": Ntry holds more than 1048576 elements with fields (MaxElements)` + limitSuffix,
			17 << 20, 128 << 20},
		{"the largest entry read", head053 + `<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><NtryDtls>`, worstDetail,
			"</NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>", (camt.MaxElementBytes - 1024) / len(worstDetail), "",
			33 << 20, 256 << 20},
		{"sibling elements no field reads", hostileEntry, "<Note>x</Note>", "", 20 << 20,
			`h.xml:5: error: ` + ntry + `/NtryDtls/TxDtls/RmtInf "Ntry": Ntry larger than 33554432 bytes (MaxElementBytes)` + limitSuffix,
			33 << 20, 16 << 20},
		{"nesting (17.3)", hostileEntry, "<a>", "", 10 << 20,
			`h.xml:5: error: ` + ntry + `/NtryDtls/TxDtls/RmtInf` + strings.Repeat("/a", camt.MaxDepth-6) + ` "a": elements nest deeper than 64 levels (MaxDepth)` + limitSuffix,
			1 << 20, 16 << 20},
		{"long element names", hostileEntry, "<" + strings.Repeat("n", 300) + ">", "", 1 << 10,
			`h.xml:5: error: ` + ntry + `/NtryDtls/TxDtls/RmtInf "` + strings.Repeat("n", 57) + `...": element name longer than 256 bytes (MaxName)` + limitSuffix,
			1 << 20, 16 << 20},
		{"nesting outside entries", head053, "<Intrst>", "", 10 << 20,
			`h.xml:5: error: /Document/BkToCstmrStmt/Stmt[1]` + strings.Repeat("/Intrst", camt.MaxDepth-2) + ` "Intrst": elements nest deeper than 64 levels (MaxDepth)` + limitSuffix,
			1 << 20, 16 << 20},
		{"transaction details", head053 + `<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><NtryDtls>`, "<TxDtls/>", "</NtryDtls></Ntry>", camt.MaxDetails + 1,
			`h.xml:5: error: ` + ntry + ` "65537": Ntry holds 65537 transaction details, more than 65536 (MaxDetails)` + limitSuffix,
			1 << 20, 32 << 20},
		{"statements", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr>`,
			"<Stmt><Id>S</Id></Stmt>", "", 10 << 20,
			`h.xml:1: error: /Document/BkToCstmrStmt/Stmt[65537] "Stmt": more than 65536 Stmt in one message (MaxStatements)` + limitSuffix,
			2 << 20, 64 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &repeatReader{head: tt.head, body: tt.body, tail: tt.tail, n: tt.n}
			stop := testutil.SampleHeap()
			r := camt.NewReader(in, "h.xml")
			_, err := readAll(r)
			peak := stop()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || err.Error() != tt.want) {
				t.Errorf("error = %v\nwant    %s", err, tt.want)
			}
			t.Logf("read %d of %d bytes; peak heap in use %.1f MiB",
				in.read, int64(len(tt.head))+int64(tt.n)*int64(len(tt.body))+int64(len(tt.tail)), float64(peak)/(1<<20))
			if in.read > tt.maxRead {
				t.Errorf("read %d bytes before refusing, want at most %d", in.read, tt.maxRead)
			}
			if peak > tt.maxHeap {
				t.Errorf("peak heap %d bytes, want at most %d", peak, tt.maxHeap)
			}
		})
	}
}

// TestReaderFindingsCapped checks that a file with a finding on every
// entry keeps the first 100 of the rule and counts the rest in one.
func TestReaderFindingsCapped(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 250; i++ {
		b.WriteString(`<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-13-01</Dt></BookgDt></Ntry>` + "\n")
	}
	r := camt.NewReader(strings.NewReader(stmt053(b.String())), "f.xml")
	entries, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	fs := r.Findings()
	if len(entries) != 250 || len(fs) != 101 {
		t.Fatalf("entries %d, findings %d; want 250, 101", len(entries), len(fs))
	}
	if got, want := fs[99].String(), `f.xml:104: error: /Document/BkToCstmrStmt/Stmt[1]/Ntry[100]/BookgDt "2024-13-01": not an ISO date (YYYY-MM-DD) [ISO 20022]`; got != want {
		t.Errorf("finding 100 = %s\nwant %s", got, want)
	}
	if got, want := fs[100].String(), `f.xml: error: 150 more findings of this rule not shown (the first 100 are) [ISO 20022]`; got != want {
		t.Errorf("last finding = %s\nwant %s", got, want)
	}
}
