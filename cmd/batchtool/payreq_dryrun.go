package main

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
