package camt_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/statement"
)

// partsResult is everything a read of a file gives, as text: each entry
// with its statement's line and id (all its fields, the details too), the
// statements, the findings and the error.
type partsResult struct {
	entries    []string
	statements string
	findings   string
	err        string
}

func entryText(e *statement.Entry) string {
	c := *e
	c.Statement = nil
	return fmt.Sprintf("stmt line %d %q: %+v", e.Statement.Line, e.Statement.ID, c)
}

func resultOf(entries []string, stmts []*statement.Statement, fs any, err error) partsResult {
	s, _ := json.Marshal(stmts)
	f, _ := json.Marshal(fs)
	res := partsResult{entries: entries, statements: string(s), findings: string(f)}
	if err != nil {
		res.err = err.Error()
	}
	return res
}

func readOne(data []byte) partsResult {
	r := camt.NewReader(bytes.NewReader(data), "p.xml")
	var out []string
	for {
		e, err := r.Next()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return resultOf(out, r.Statements(), r.Findings(), err)
		}
		out = append(out, entryText(e))
	}
}

// readParts reads data with ReadParallel in parts of about size bytes and
// reports how many parts were read on workers and how many of them began
// inside a statement.
func readParts(t *testing.T, data []byte, size int64, workers int) (partsResult, int, int, string) {
	var out []string
	var onWorkers, continuing atomic.Int32
	f := camt.ReadParallel(bytes.NewReader(data), int64(len(data)), "p.xml", camt.Parts{Workers: workers, Size: size},
		func(r *camt.Reader) []string {
			var es []string
			for {
				e, err := r.Next()
				if err != nil {
					break
				}
				es = append(es, entryText(e))
			}
			if r.Part() {
				onWorkers.Add(1)
			}
			if r.Continues() {
				if len(es) > 0 && !strings.HasPrefix(es[0], fmt.Sprintf("stmt line %d ", r.Statements()[0].Line)) {
					t.Errorf("a continuing part begins with an entry of another statement: %s", es[0])
				}
				continuing.Add(1)
			}
			return es
		},
		func(es []string) { out = append(out, es...) })
	again, rest := camt.ReadAgain(f)
	return resultOf(out, f.Statements, f.Findings, f.Err), int(onWorkers.Load()), int(continuing.Load()), fmt.Sprintf("%d again, rest %v", again, rest)
}

// multiStatement returns a camt.053 of three statements of the generated
// kind, the second with a wrong closing balance, the third in USD on an
// EUR account.
func multiStatement(t *testing.T, bad bool) []byte {
	g, _, _, _ := newGenStatement(40 << 10)
	g.bad = bad
	one, err := io.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	s := string(one)
	i, j := strings.Index(s, "<Stmt>"), strings.LastIndex(s, "</Stmt>")+len("</Stmt>")
	stmt := s[i:j]
	wrong := strings.Replace(stmt, "<Id>GEN-STMT-1</Id>", "<Id>GEN-STMT-2</Id>", 1)
	wrong = strings.Replace(wrong, "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">", "<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">1", 1)
	usd := strings.ReplaceAll(strings.Replace(stmt, "<Id>GEN-STMT-1</Id>", "<Id>GEN-STMT-3</Id>", 1), `<Amt Ccy="EUR">5.67`, `<Amt Ccy="USD">5.67`)
	return []byte(s[:i] + stmt + "\n" + wrong + "\n" + usd + s[j:])
}

// TestReadParallelSame reads files in parts of many sizes and requires
// exactly what one Reader gives: entries (sequence numbers, lines, every
// field), statements, findings (their lines and paths, the per-rule caps
// and the "more findings" counts) and the error.
func TestReadParallelSame(t *testing.T) {
	g, _, _, _ := newGenStatement(60 << 10)
	good, _ := io.ReadAll(g)
	g, _, _, _ = newGenStatement(300 << 10)
	g.bad = true
	bad, _ := io.ReadAll(g) // more than 100 findings of a rule
	multi, multiBad := multiStatement(t, false), multiStatement(t, true)
	at := func(b []byte, k int) int { // offset of the k-th <Ntry>
		off := 0
		for ; k > 0; k-- {
			off += bytes.Index(b[off:], []byte("<Ntry>")) + 1
		}
		return off - 1
	}
	insert := func(b []byte, k int, s string) []byte {
		i := at(b, k)
		return []byte(string(b[:i]) + s + string(b[i:]))
	}
	replaceAt := func(b []byte, k int, old, new string) []byte {
		i := at(b, k)
		return []byte(string(b[:i]) + strings.Replace(string(b[i:]), old, new, 1))
	}
	inputs := map[string][]byte{
		"good":  good,
		"bad":   bad,
		"multi": multi, "multi bad": multiBad,
		// <Ntry> in a comment and in CDATA: a cut there is not
		// between entries
		"comment": insert(multi, 7, "<!-- <Ntry> -->\n<!--\n<Ntry><Amt>1</Amt></Ntry>\n-->\n"),
		"cdata":   insert(good, 5, "<AddtlStmtInf><![CDATA[<Ntry>x</Ntry>]]></AddtlStmtInf>\n"),
		// a balance after the entries: the header the parts guess from
		// is not the statement's
		"late balance": insert(multi, 40, `<Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">3.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-14</Dt></Dt></Bal>`+"\n"),
		"late account": insert(multi, 60, `<Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>USD</Ccy></Acct>`+"\n"),
		// an error in the middle, and a file cut short
		"bad amount": replaceAt(multi, 50, "<Amt Ccy=\"EUR\">12.34", "<Amt Ccy=\"EUR\">12,34"),
		"truncated":  multi[:len(multi)*2/3],
		"bad xml":    replaceAt(good, 30, "</NtryRef>", "</NtryRf>"),
		// a statement start tag with an attribute is not counted
		"stmt attr": []byte(strings.Replace(string(multi), "<Stmt>", `<Stmt xml:lang="en">`, 2)),
		"prefixed":  []byte(strings.NewReplacer("<", "<c:", "<c:/", "</c:", "<c:?", "<?", "<c:!", "<!", "xmlns=", "xmlns:c=").Replace(string(good))),
		"latin1":    []byte(strings.Replace(string(good), "UTF-8", "ISO-8859-1", 1)),
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "camt05*", "*.xml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(f)] = data
	}
	if len(files) == 0 {
		t.Log("no corpus at ../shared/corpus")
	}
	cutSome := 0
	for name, data := range inputs {
		want := readOne(data)
		for _, size := range []int64{700, 3000, 9000, 40000} {
			for _, workers := range []int{2, 3} {
				got, onWorkers, continuing, again := readParts(t, data, size, workers)
				if testing.Verbose() {
					t.Logf("%s, %d/%d: %d parts on workers, %d continuing, %s", name, size, workers, onWorkers, continuing, again)
				}
				if onWorkers > 1 && continuing > 0 {
					cutSome++
				}
				ctx := fmt.Sprintf("%s, parts of %d bytes on %d workers", name, size, workers)
				if len(got.entries) != len(want.entries) {
					t.Errorf("%s: %d entries, want %d", ctx, len(got.entries), len(want.entries))
				}
				for i := range min(len(got.entries), len(want.entries)) {
					if got.entries[i] != want.entries[i] {
						t.Errorf("%s: entry %d\n got %s\nwant %s", ctx, i+1, got.entries[i], want.entries[i])
						break
					}
				}
				if got.statements != want.statements {
					t.Errorf("%s: statements\n got %s\nwant %s", ctx, got.statements, want.statements)
				}
				if got.findings != want.findings {
					t.Errorf("%s: findings\n got %s\nwant %s", ctx, got.findings, want.findings)
				}
				if got.err != want.err {
					t.Errorf("%s: error\n got %q\nwant %q", ctx, got.err, want.err)
				}
			}
		}
	}
	if cutSome < 20 {
		t.Errorf("only %d reads were cut in parts", cutSome)
	}
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// TestReadParallelStopsAtError: once a part fails, the parts after it are
// not read from the file (a 2 GB file broken near its start is not read
// to its end first).
func TestReadParallelStopsAtError(t *testing.T) {
	g, _, _, _ := newGenStatement(8 << 20)
	data, err := io.ReadAll(g)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data[len(data)/20:], []byte("</Ntry>")) + len(data)/20
	copy(data[at:], "</Ntrx>")
	ra := &countingReaderAt{r: bytes.NewReader(data)}
	f := camt.ReadParallel(ra, int64(len(data)), "p.xml", camt.Parts{Workers: 2, Size: 512 << 10},
		func(r *camt.Reader) int {
			n := 0
			for {
				if _, err := r.Next(); err != nil {
					return n
				}
				n++
			}
		}, func(int) {})
	if f.Err == nil || !strings.Contains(f.Err.Error(), "Ntrx") {
		t.Fatalf("error %v, want the mismatched </Ntrx>", f.Err)
	}
	// split reads 64 KiB at each cut (1 MiB in all), and the parts the
	// workers began before the error was known are counted and read (4.5 MB
	// in all here); reading on counted every part and read most: 11.3 MB.
	if got := ra.n.Load(); got > int64(len(data))*3/4 {
		t.Errorf("read %d bytes of a %d-byte file broken at %d: the parts after the error were read", got, len(data), at)
	}
}
