package wirecase

import "testing"

func TestShape(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{`{"a":"x","b":1,"c":null,"d":[{"e":true}]}`, `{"d":[{"e":false}],"c":null,"b":2.5,"a":"y"}`, true},
		{`{"expired":null}`, `{"expired":"2026-01-01T00:00:00.000Z"}`, false},
		{`{"amountInCents":"123"}`, `{"amountInCents":123}`, false},
		{`{"p":[{"x":1}],"n":1}`, `{"p":[],"n":1}`, true},
		{`{"p":[],"n":1}`, `{"p":[{"x":1}],"n":1}`, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`{"p":[{"x":1}]}`, `{"p":[{"y":1}]}`, false},
	} {
		same, sa, sb, err := SameShape([]byte(tc.a), []byte(tc.b))
		if err != nil || same != tc.same {
			t.Errorf("%s vs %s: %v (%s / %s) %v", tc.a, tc.b, same, sa, sb, err)
		}
	}
	if v, ok := MatchPath("/v1/p/{pt}/u/{ut}", "/v1/p/abc/u/def"); !ok || v["pt"] != "abc" || v["ut"] != "def" {
		t.Errorf("MatchPath %v %v", v, ok)
	}
	if _, ok := MatchPath("/v1/p/{pt}", "/v1/p/abc/u"); ok {
		t.Error("MatchPath matched a longer path")
	}
}

func TestCovers(t *testing.T) {
	if d, _ := Covers([]byte(`{"s":[{"type":"A"}]}`), []byte(`{"s":[{"type":"B"}]}`), "type"); d != "$.s[0].type: B, recorded A" {
		t.Errorf("fixed value: %q", d)
	}
	if d, _ := Covers([]byte(`{"s":[{"type":"A"}]}`), []byte(`{"s":[{"type":"B"},{"type":"A"}]}`), "type"); d != "" {
		t.Errorf("fixed value in a later element: %q", d)
	}
	for _, tc := range []struct{ r, g, want string }{
		{`{"a":1,"b":null,"c":[{"x":"s"},{"y":true}]}`, `{"a":2,"b":"v","c":[{"y":false,"z":1},{"x":"t"}],"extra":1}`, ""},
		{`{"a":1}`, `{"b":1}`, "$.a: missing"},
		{`{"a":"1"}`, `{"a":1}`, "$.a: number, recorded string"},
		{`{"c":[{"x":"s"}]}`, `{"c":[{"y":"s"}]}`, "$.c[0].x: missing"},
	} {
		got, err := Covers([]byte(tc.r), []byte(tc.g))
		if err != nil || got != tc.want {
			t.Errorf("%s vs %s: %q %v, want %q", tc.r, tc.g, got, err, tc.want)
		}
	}
}
