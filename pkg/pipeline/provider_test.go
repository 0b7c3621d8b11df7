package pipeline

import (
	"errors"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/tikkie"
	"github.com/batchtool/batchtool/pkg/tinka"
)

func TestParseDays(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		err  bool
	}{
		{"14d", 14, false}, {"0d", 0, false}, {"336h", 14, false}, {"0", 0, false},
		{"14", 0, true}, {"-1d", 0, true}, {"1.5d", 0, true}, {"36h", 0, true}, {"d", 0, true},
	} {
		got, err := ParseDays(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseDays(%q) = %d, %v", tc.in, got, err)
		}
	}
}

func TestPermanent(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&tikkie.APIError{StatusCode: 400}, true},
		{fmt.Errorf("wrapped: %w", &tikkie.APIError{StatusCode: 422}), true},
		{&tikkie.APIError{StatusCode: 401}, false},
		{&tikkie.APIError{StatusCode: 408}, false},
		{&tikkie.APIError{StatusCode: 429}, false},
		{&tikkie.APIError{StatusCode: 500}, false},
		{&tinka.APIError{StatusCode: 409}, true},
		{&tinka.APIError{StatusCode: 503}, false},
		{errors.New("connection reset by peer"), false},
	} {
		if got := permanent(tc.err); got != tc.want {
			t.Errorf("permanent(%v) = %v", tc.err, got)
		}
	}
}

func TestTikkiePrepareChecks(t *testing.T) {
	tk := &tikkieRequester{}
	_, err := tk.Prepare(&ledger.PaymentRequest{ItemKind: ledger.ItemInvoice, ItemKey: "INV-1", ExternalID: "INV-1", Amount: decimal.RequireFromString("12.34"), Currency: "USD"})
	if err == nil || err.Error() != `tikkie: currency "USD": only EUR is supported` {
		t.Errorf("USD: %v", err)
	}
	if got := describe(&ledger.PaymentRequest{ItemKind: ledger.ItemCollection, ItemKey: "ACME-2026-11-0005-REPRESENTED-XYZ"}, 35); got != "ACME-2026-11-0005-REPRESENTED-XYZ" {
		t.Errorf("long description %q", got)
	}
}
