package xmlguard

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestLimits(t *testing.T) {
	lim := Limits{Text: 16, Tag: 24, Depth: 3}
	tests := []struct {
		name string
		in   string
		want *Error // nil: passes
	}{
		{"small document", `<?x?><a x="1"><b>0123456789abcdef</b><c/></a>`, nil},
		{"text at the limit", "<a>\n0123456789abcde</a>", nil},
		{"text over the limit", "<a>\n<b>0123456789abcdefg</b></a>",
			&Error{Line: 2, Offset: 7, Path: "/a/b", What: "text", Limit: 16, Excerpt: "0123456789abcdefg"}},
		{"text split by comments counts as one", "<a>01234<!---->56789<!---->abcdefg</a>",
			&Error{Line: 1, Offset: 3, Path: "/a", What: "text", Limit: 16, Excerpt: "01234<!---->56789"}},
		{"CDATA counts", "<a><![CDATA[0123456789abcdef]]></a>",
			&Error{Line: 1, Offset: 3, Path: "/a", What: "text", Limit: 16, Excerpt: "<![CDATA[01234567"}},
		{"a comment is text", "<a/><!-- 0123456789abcdef -->",
			&Error{Line: 1, Offset: 4, Path: "/", What: "text", Limit: 16, Excerpt: "<!-- 0123456789ab"}},
		{"markup characters inside a comment", "<a><!--<b>--></a>", nil},
		{"tags reset the run", "<a>0123456789<b/>0123456789</a>", nil},
		{"start tag over the limit", "<a>\n\n<b c='0123456789abcdef'/></a>",
			&Error{Line: 3, Offset: 5, Path: "/a", What: "start tag", Limit: 24, Excerpt: "<b c='0123456789abcdef'/>"}},
		{"'>' inside a quoted attribute", `<a c="x>y"><b/></a>`, nil},
		{"end tag over the limit", "<a></a                       >",
			&Error{Line: 1, Offset: 3, Path: "/a", What: "end tag", Limit: 24, Excerpt: "</a                      "}},
		{"depth at the limit", "<a><b><c/></b></a>", nil},
		{"depth over the limit", "<a>\n<b><c><d>",
			&Error{Line: 2, Offset: 10, Path: "/a/b/c/d", What: "nesting", Limit: 3, Excerpt: "<d>"}},
		{"siblings do not nest", strings.Repeat("<a></a>", 100), nil},
		{"a long name is cut in the path", "<a><b><c><" + strings.Repeat("n", 20) + ">",
			&Error{Line: 1, Offset: 9, Path: "/a/b/c/" + strings.Repeat("n", 20), What: "nesting", Limit: 3, Excerpt: "<" + strings.Repeat("n", 20) + ">"}},
		{"declaration with a quoted '>'", `<!DOCTYPE a [<!ENTITY e "x>">]><a/>`,
			&Error{Line: 1, Offset: 0, Path: "/", What: "text", Limit: 16, Excerpt: `<!DOCTYPE a [<!EN`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []string{"whole", "byte by byte"} {
				var r io.Reader = strings.NewReader(tc.in)
				if mode != "whole" {
					r = iotest.OneByteReader(r)
				}
				out, err := io.ReadAll(NewReader(r, lim))
				if tc.want == nil {
					if err != nil || string(out) != tc.in {
						t.Fatalf("%s: got %q, %v; want the input unchanged", mode, out, err)
					}
					continue
				}
				var ge *Error
				if !errors.As(err, &ge) {
					t.Fatalf("%s: error %v, want %+v", mode, err, tc.want)
				}
				if *ge != *tc.want {
					t.Fatalf("%s: error\n%+v\nwant\n%+v", mode, *ge, *tc.want)
				}
				if !strings.HasPrefix(tc.in, string(out)) || int64(len(out)) > ge.Offset+int64(max(ge.Limit, lim.Tag))+1 {
					t.Fatalf("%s: passed %d bytes before the error", mode, len(out))
				}
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{What: "text", Limit: 1 << 20}, "text longer than 1 MiB: refused (no real file has one)"},
		{Error{What: "start tag", Limit: 64 << 10}, "start tag longer than 64 KiB: refused (no real file has one)"},
		{Error{What: "text", Limit: 1000}, "text longer than 1000 bytes: refused (no real file has one)"},
		{Error{What: "nesting", Limit: 64}, "elements nested deeper than 64"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

// TestDecoderStopsAtTheLimit: an encoding/xml Decoder over a guarded
// stream returns the guard's error instead of buffering the text.
func TestDecoderStopsAtTheLimit(t *testing.T) {
	in := io.MultiReader(strings.NewReader("<a><b>"), io.LimitReader(repeat('x'), 64<<20), strings.NewReader("</b></a>"))
	d := xml.NewDecoder(NewReader(in, Limits{}))
	var err error
	for err == nil {
		_, err = d.RawToken()
	}
	var ge *Error
	if !errors.As(err, &ge) || ge.What != "text" || ge.Path != "/a/b" || ge.Offset != 6 {
		t.Fatalf("got %v", err)
	}
}

type repeat byte

func (r repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// FuzzGuard: whatever the input, the guard passes a prefix of it, and
// reading it whole or a byte at a time gives the same bytes and the same
// error (the lexer's state survives every buffer boundary).
func FuzzGuard(f *testing.F) {
	for _, s := range []string{`<?x?><a x="1"><b>0123</b><c/></a>`, "<a><!--<b>--><![CDATA[>]]></a>", `<a c="x>y" d='"'><b/></a>`, `<!DOCTYPE a [<!ENTITY e "x>">]><a/>`, "<a>\n<b><c><d>"} {
		f.Add([]byte(s))
	}
	lim := Limits{Text: 16, Tag: 24, Depth: 3}
	f.Fuzz(func(t *testing.T, in []byte) {
		whole, err1 := io.ReadAll(NewReader(strings.NewReader(string(in)), lim))
		bytewise, err2 := io.ReadAll(NewReader(iotest.OneByteReader(strings.NewReader(string(in))), lim))
		if !strings.HasPrefix(string(in), string(whole)) || !strings.HasPrefix(string(in), string(bytewise)) {
			t.Fatal("output is not a prefix of the input")
		}
		var e1, e2 *Error
		errors.As(err1, &e1)
		errors.As(err2, &e2)
		if (e1 == nil) != (e2 == nil) || e1 != nil && *e1 != *e2 {
			t.Fatalf("whole: %#v, byte by byte: %#v", e1, e2)
		}
		if e1 == nil && string(whole) != string(in) {
			t.Fatal("input cut without an error")
		}
	})
}
