package tinka

import (
	"encoding/json"
	"testing"
	"time"
)

func BenchmarkValidate(b *testing.B) {
	r := validInvoice()
	data, _ := json.Marshal(r)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if fs := Validate(r); len(fs) != 0 {
			b.Fatal(fs)
		}
	}
}

func BenchmarkAuthorizationHeader(b *testing.B) {
	body, _ := json.Marshal(validInvoice())
	at := time.Unix(1700000000, 0)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		AuthorizationHeader([]byte("s3cr3t"), "example", "nonce", at, body)
	}
}

// FuzzValidateJSON: whatever JSON arrives (the sandbox validates what it
// receives), Validate never panics and reports each finding with a rule.
func FuzzValidateJSON(f *testing.F) {
	for _, r := range []*PaymentRequest{validInvoice(), validCredit()} {
		data, _ := json.Marshal(r)
		f.Add(data)
	}
	f.Add([]byte(`{"lines":[{"itemPrice":9223372036854775807,"numberOfItems":9223372036854775807}],"requestedPaymentAmount":-1}`))
	f.Add([]byte(`{"paymentMethod":"Credit","session":{"sessionAge":-5},"routing":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r PaymentRequest
		if json.Unmarshal(data, &r) != nil {
			return
		}
		for _, fd := range Validate(&r) {
			if fd.Rule == "" || fd.Message == "" {
				t.Fatalf("finding without rule or message: %+v", fd)
			}
		}
	})
}
