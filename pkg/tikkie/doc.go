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
// call and errors as {"errors":[{"code","category","message","reference",
// "traceId","status"}]}.
//
// # Wire facts and their public sources
//
// The reference names no paths, fields or claims. What this package sends
// and expects beyond it comes from the public Tikkie v1 clients, read for
// facts: the KentaaNL Ruby gem tikkie-api (lib/tikkie/api/v1/*, its
// spec/fixtures/responses/v1/*), jarnovanleeuwen/php-tikkie (src/Environment.php,
// tests/Mock/*) and DanielHuisman/node-tikkie (src/config.ts):
//
//   - Hosts: https://api.abnamro.com (production), https://api-sandbox.abnamro.com
//     (sandbox); the token is asked at {host}/v1/oauth/token with the form
//     fields above and the API-Key header (all three clients).
//   - Client assertion: RS256 (the clients also allow RS384/RS512), claims
//     iss (the client's own name), sub = the API key, aud =
//     https://auth.abnamro.com/oauth/token in production and
//     https://auth-sandbox.abnamro.com/oauth/token in the sandbox
//     ([AudienceProduction], [AudienceSandbox]; all three clients), nbf
//     backdated and exp a few minutes ahead (Ruby ±120 s, PHP ±60 s, node
//     -60 s/+180 s). This package backdates nbf by 60 s and signs for 120 s.
//     [Config.Audience] is derived from the base URL: production only for
//     https://api.abnamro.com.
//   - Token answer: access_token, expires_in (a string of seconds, e.g.
//     "3600"), scope "tikkie", token_type "Bearer" (Ruby and PHP fixtures).
//   - Payment request answer: amountInCents as a string of digits ("123"),
//     created as "2016-06-09T18:00:00.000Z", expired null while live and the
//     time it expired otherwise (Ruby: expired_at parses it as a time; PHP:
//     \DateTimeImmutable|null), status OPEN, CLOSED, EXPIRED,
//     MAX_YIELD_REACHED or MAX_SUCCESSFUL_PAYMENTS_REACHED (Ruby, PHP),
//     externalId, bankAccountYieldedTooFast, payments. The GET and list
//     answers carry no paymentRequestUrl; only the create answer does
//     (fixtures of all three clients), so a request found again by listing
//     has no link.
//   - Payment: paymentToken, counterPartyName, amountInCents, amountCurrency,
//     description, created, onlinePaymentStatus NEW, PENDING, PAID or
//     NOT_PAID (Ruby, PHP). tikkieId and counterPartyAccountNumber are in no
//     v1 fixture: unknown, empty when absent.
//   - Listing: offset and limit (Ruby default 20), fromDate and toDate in
//     UTC ISO 8601 ("2018-01-01T00:00:00Z"), answer {paymentRequests,
//     totalElements} (Ruby, PHP).
//   - Errors seen in fixtures: 401 ERR_2005_001 INVALID_API_KEY "The API Key
//     is invalid"; 400 ERR_1100_004 BAD_REQUEST "Field validation error";
//     404 ERR_4100_002 NOT_FOUND "Platform not found".
//
// Unknown: the longest assertion lifetime the OAuth server accepts, its
// error answer for a refused assertion, the largest page (limit), and
// whether fromDate is inclusive.
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
