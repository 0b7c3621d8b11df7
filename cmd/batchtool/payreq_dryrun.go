package main

import "github.com/batchtool/batchtool/pkg/reconcile"

// checkOnlyRequester is the provider of a dry run: it checks each request
// as create would (amounts, currency, text lengths; Tinka's attribute
// rules) and can send nothing, so it needs no credentials — finance can
// see what would be asked before anyone holds the provider's keys.
func checkOnlyRequester(provider string, c *payreqConfig) (requester, error) {
	switch provider {
	case providerTikkie:
		return &tikkieRequester{}, nil
	case providerTinka:
		t := c.Tinka
		return &tinkaRequester{
			merchant: envOr("BATCHTOOL_TINKA_MERCHANT_ID", t.MerchantID),
			callback: envOr("BATCHTOOL_TINKA_CALLBACK_URL", t.CallbackURL),
			cancel:   envOr("BATCHTOOL_TINKA_CANCEL_URL", t.CancelURL),
		}, nil
	}
	return nil, usagef("--provider %q: want tikkie or tinka", provider)
}

// createJSON is payreq create --json (docs/json.md): a createResult whose
// sums per currency are "totals", as everywhere else in batchtool's JSON.
type createJSON struct {
	Provider  string           `json:"provider"`
	Created   int              `json:"created"`
	Totals    reconcile.Totals `json:"totals"`
	Recovered int              `json:"recovered"`
	Skipped   int              `json:"skipped"`
	Refused   int              `json:"refused"`
	Failed    int              `json:"failed"`
}

func (r *createResult) jsonShape() createJSON {
	t := r.Amount
	if t == nil {
		t = reconcile.Totals{}
	}
	return createJSON{r.Provider, r.Created, t, r.Recovered, r.Skipped, r.Refused, r.Failed}
}
