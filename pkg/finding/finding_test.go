package finding

import (
	"encoding/json"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct {
		f    Finding
		want string
	}{
		{Finding{Severity: Error, File: "due.csv", Line: 14, Column: 3, Path: "debtor_iban", Value: "BE68 5390 0754 7035", Message: "IBAN check digits do not verify", Rule: "ISO 13616"},
			`due.csv:14:3: error: debtor_iban "BE68 5390 0754 7035": IBAN check digits do not verify [ISO 13616]`},
		{Finding{Severity: Warning, File: "statement.cod", Line: 37, Record: "record 21", Path: "amount", Value: "00000001234X5", Message: "not numeric"},
			`statement.cod:37: warning: record 21 amount "00000001234X5": not numeric`},
		{Finding{Severity: Error, Message: "file is empty"}, `error: file is empty`},
		{Finding{Severity: Error, File: "in.zip!a\nok: nothing needs attention\x1b[2J\u202e.xml", Line: 3, Path: "/Document", Value: "v\n", Message: "bad \r"},
			`in.zip!a\nok: nothing needs attention\x1b[2J\u202e.xml:3: error: /Document "v\n": bad \r`},
		{Finding{Severity: Error, File: "a.xml", Path: "/Document/GrpHdr/MsgId", Message: "missing"}, `a.xml: error: /Document/GrpHdr/MsgId "": missing`},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

func TestList(t *testing.T) {
	var l List
	if l.HasErrors() || l.Error() != "no findings" {
		t.Fatal("empty list")
	}
	l.Add(Finding{Severity: Warning, Message: "w"})
	if l.HasErrors() {
		t.Fatal("warning counted as error")
	}
	l.Add(Finding{Severity: Error, Message: "e"})
	if e, w := l.Count(); e != 1 || w != 1 || !l.HasErrors() {
		t.Fatalf("Count = %d, %d", e, w)
	}
	if l.Error() != "warning: w (and 1 more findings)" {
		t.Fatalf("Error() = %q", l.Error())
	}
}

func TestJSON(t *testing.T) {
	b, err := json.Marshal(Finding{Severity: Error, File: "f", Line: 2, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"severity":"error","file":"f","line":2,"message":"m"}` {
		t.Fatalf("json = %s", b)
	}
	var f Finding
	if err := json.Unmarshal(b, &f); err != nil || f.Severity != Error || f.Line != 2 {
		t.Fatalf("round trip: %+v %v", f, err)
	}
}

func TestCapped(t *testing.T) {
	c := Capped{PerRule: 2}
	for i := 1; i <= 5; i++ {
		c.Add(Finding{Severity: Warning, File: "a.xml", Line: i, Rule: "R1", Message: "m"})
	}
	c.Add(Finding{Severity: Error, File: "a.xml", Line: 9, Rule: "R2", Message: "e"})
	c.Add(Finding{Severity: Error, File: "a.xml", Line: 10, Rule: "R1", Message: "e"})
	got := c.List()
	var s []string
	for _, f := range got {
		s = append(s, f.String())
	}
	want := []string{
		`a.xml:1: warning: m [R1]`,
		`a.xml:2: warning: m [R1]`,
		`a.xml:9: error: e [R2]`,
		`a.xml:3: error: 4 more finding(s) of this rule not listed (the first 2 are) [R1]`,
	}
	if len(s) != len(want) {
		t.Fatalf("got %q", s)
	}
	for i := range want {
		if s[i] != want[i] {
			t.Errorf("finding %d: got %s, want %s", i, s[i], want[i])
		}
	}
	if c.Len() != 3 || !got.HasErrors() {
		t.Errorf("Len %d", c.Len())
	}
	var z Capped
	for i := 0; i < DefaultPerRule+1; i++ {
		z.Add(Finding{Rule: "X"})
	}
	if z.Len() != DefaultPerRule || len(z.List()) != DefaultPerRule+1 {
		t.Errorf("zero value keeps %d", z.Len())
	}
}
