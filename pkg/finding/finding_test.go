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
