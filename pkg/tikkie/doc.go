// Package tikkie is a client for the Tikkie Payment Request API (ABN AMRO),
// used by batchtool to send a payment link for what a direct debit did not
// collect, and to learn later whether it was paid.
//
// The reference (/work/shared/reference/tikkie-payment-request.txt) gives the
// steps: an OAuth access token with scope "tikkie" obtained with a signed
// JSON web token as client assertion; a platform (POST platform); users on
// it, each with a userToken and bankAccountToken (sandbox only); payment
// requests created for a user, answered with paymentRequestToken and
// paymentRequestUrl; one payment request by token; a user's payment requests,
// paginated and filtered by creation date. The reference names no paths or
// fields; this package uses those of the Tikkie v1 API:
//
//	POST /v1/oauth/token                       form: grant_type=client_credentials,
//	                                            client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer,
//	                                            client_assertion=<RS256 JWT>, scope=tikkie
//	POST /v1/tikkie/platforms
//	POST /v1/tikkie/platforms/{platformToken}/users
//	POST /v1/tikkie/platforms/{platformToken}/users/{userToken}/bankaccounts/{bankAccountToken}/paymentrequests
//	GET  /v1/tikkie/platforms/{platformToken}/users/{userToken}/paymentrequests/{paymentRequestToken}
//	GET  /v1/tikkie/platforms/{platformToken}/users/{userToken}/paymentrequests?offset=&limit=&fromDate=&toDate=
//
// with the API-Key header and "Authorization: Bearer <access token>" on every
// call and errors as {"errors":[{"code","message","traceId",...}]}.
//
// The access token is cached for all goroutines of a [Client], fetched by
// one goroutine at a time, renewed [Config.RenewBefore] before it expires,
// and renewed when a call answers 401, after which that call is retried once.
// GETs are retried after network errors, 429 and 5xx answers (capped,
// doubling waits, Retry-After honoured); POSTs never are, except after a 401.
// Amounts are exact decimals, sent as integer cents (amountInCents). Listing
// walks every page ([Client.ListPaymentRequests] with a callback per page, or
// the iterator [Client.PaymentRequests]) and fails rather than return a short
// result.
//
// Idempotency: the API has no idempotency key, so [Client.EnsurePaymentRequest]
// looks a request up by its externalId (walking the user's requests created
// since a given time) before creating one; calls to it on one Client are
// serialised so two goroutines cannot both create. Across processes, keep
// the externalId in the ledger before calling.
//
// The private key and the access token never appear in errors or logs.
package tikkie
