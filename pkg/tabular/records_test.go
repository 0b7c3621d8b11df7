package tabular

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// failAfter reads s in pieces of at most step bytes and then fails with
// errCut, as the row limit of pkg/due fails a read (data and an error).
type failAfter struct {
	s    string
	step int
	fail bool
}

var errCut = errors.New("cut")

func (f *failAfter) Read(p []byte) (int, error) {
	if len(f.s) == 0 {
		if f.fail {
			return 0, errCut
		}
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), f.step)], f.s)
	f.s = f.s[n:]
	if len(f.s) == 0 && f.fail {
		return n, errCut
	}
	return n, nil
}

// readBoth reads in with encoding/csv and with records, side by side, and
// reports the first difference: in a record, an error or a field's
// position.
func readBoth(in string, comma rune, step int, fail bool) error {
	want := csv.NewReader(bufio.NewReaderSize(&failAfter{s: in, step: step, fail: fail}, 4096))
	want.Comma = comma
	want.FieldsPerRecord = -1
	got := records{br: bufio.NewReaderSize(&failAfter{s: in, step: step, fail: fail}, 4096), comma: comma}
	for n := 1; ; n++ {
		wrec, werr := want.Read()
		grec, gerr := got.read()
		if fmt.Sprint(werr) != fmt.Sprint(gerr) || !reflect.DeepEqual(werr, gerr) && !errors.Is(werr, errCut) {
			return fmt.Errorf("record %d: error %#v, want %#v", n, gerr, werr)
		}
		if !reflect.DeepEqual(wrec, grec) {
			return fmt.Errorf("record %d: %q, want %q (error %v)", n, grec, wrec, werr)
		}
		if werr != nil {
			if errors.Is(werr, io.EOF) || errors.Is(werr, errCut) {
				return nil
			}
			var pe *csv.ParseError
			if errors.As(werr, &pe) {
				continue // encoding/csv goes on after a parse error; so must records
			}
			return nil
		}
		for i := range wrec {
			if got.ascii && strings.ContainsFunc(grec[i], func(c rune) bool { return c >= utf8.RuneSelf }) {
				return fmt.Errorf("record %d: %q taken for ASCII", n, grec)
			}
			wl, wc := want.FieldPos(i)
			gl, gc := got.fieldPos(i)
			if wl != gl || wc != gc {
				return fmt.Errorf("record %d field %d at %d:%d, want %d:%d", n, i, gl, gc, wl, wc)
			}
		}
	}
}

func TestRecordsAsEncodingCSV(t *testing.T) {
	long := strings.Repeat("x", 5000)
	for _, in := range []string{
		"",
		"a,b,c\n1,2,3\n",
		"a,b,c\r\n1,2,3\r\n",
		"a,b\n\n\n1,2",
		"a,b\r",
		"a,b\n1,2\r",
		"\n\r\n\n",
		"a,\"b,c\",d\n",
		"a,\"b\nc\",d\ne,f,g\n",
		"a,\"b\r\nc\",d\r\n",
		"a,\"b\"\"c\",d\n",
		"a,b\"c,d\n",
		"a,\"b\"c,d\n",
		"a,\"bc\n",
		"a,\"bc\"\n",
		"a,\"\"\n",
		"\"\"",
		",,\n,\n",
		"a, \"b\"\n",
		"a,\rb,c\n",
		long + "," + long + "\n1,2\n",
		"\"" + long + "\n" + long + "\",x\n",
		"é,ü\n\xff,\xfe\n",
		"a,b\nbad\"quote,x\nnext,ok\n",
	} {
		for _, comma := range []rune{',', ';', '\t', '|', '§'} {
			in := strings.ReplaceAll(in, ",", string(comma))
			for _, fail := range []bool{false, true} {
				for _, step := range []int{1, 7, 4096} {
					if err := readBoth(in, comma, step, fail); err != nil {
						t.Errorf("%q (%q, step %d, fail %v): %v", in, comma, step, fail, err)
					}
				}
			}
		}
	}
}

func TestRecordsInvalidDelimiter(t *testing.T) {
	for _, comma := range []rune{0, '"', '\n', '\r', 0xFFFD, -1} {
		if err := readBoth("a,b\n", comma, 4096, false); err != nil {
			t.Errorf("%q: %v", comma, err)
		}
	}
}

// FuzzRecords holds records to encoding/csv: the same records, errors and
// field positions for any input, separator, read size and a read that
// fails at the end.
func FuzzRecords(f *testing.F) {
	for _, s := range []string{"a,b,c\n1,2,3\n", "a;\"b;\"\"c\"\r\nd;e", "x,\"y\nz\"\n\n,\n", "a,b\"c\n", "\"a\"b,c\n", "a\tb\r"} {
		f.Add(s, ',', 4096, false)
		f.Add(s, ';', 3, true)
	}
	f.Fuzz(func(t *testing.T, in string, comma rune, step int, fail bool) {
		if step < 1 || step > 8192 {
			step = 4096
		}
		if err := readBoth(in, comma, step, fail); err != nil {
			t.Fatal(err)
		}
	})
}
