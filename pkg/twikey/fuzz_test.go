package twikey

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzDate: any JSON the platform sends for a date either fails cleanly or
// yields a date that writes back as YYYY-MM-DD and reads back the same.
func FuzzDate(f *testing.F) {
	for _, s := range []string{`"2024-05-06"`, `"2020-12-09T16:07:19Z"`, `null`, `""`, `"2017-03-23T08:13:21+02:00"`, `17`, `"2024-13-01"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d Date
		if err := json.Unmarshal([]byte(s), &d); err != nil {
			return
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var d2 Date
		if err := json.Unmarshal(b, &d2); err != nil || !d2.Equal(d.Time) {
			t.Fatalf("%s -> %s -> %v (%v)", s, b, d2, err)
		}
	})
}

// FuzzErrorBody: an error body of any shape becomes an *Error with a code.
func FuzzErrorBody(f *testing.F) {
	for _, s := range []string{`{"code":"invalid_file","message":"Invalid format","extra":"x"}`, `{"code":"err_billing_overdrawn","extra":{"rule":"Limit400euro"}}`, `Bad request`, `<html>`, ``} {
		f.Add(s, 400)
	}
	f.Fuzz(func(t *testing.T, body string, status int) {
		e := apiErrorFromBody([]byte(body), status, "GET /x")
		if e.Code == "" || !strings.HasPrefix(e.Error(), "twikey: GET /x: ") {
			t.Fatalf("%q -> %+v", body, e)
		}
	})
}
