// Package payreqsandbox is a local server that speaks the two payment
// request APIs batchtool uses when a direct debit did not collect: the
// Tikkie Payment Request API (OAuth token, platforms, users, payment
// requests with offset/limit pagination and creation-date filter) and the
// Tinka online payment request (Basic + HMAC X-Authorization, Invoice and
// Credit, synchronous and asynchronous decisions, signed callback URLs).
// Tests start it with httptest.NewServer and drive the real clients
// (pkg/tikkie, pkg/tinka) over loopback HTTP; the demo mounts [Server.Handler].
//
// State is kept in memory behind one mutex, and optionally in a directory
// ([Server.Persist]: loaded at start, rewritten atomically after each
// change; access tokens are not kept, so clients renew after a restart).
// [Server.AddDemoAccounts] registers fixed demo credentials (Demo*
// constants). Tests and the demo steer it with
// [Server.AddTikkieApp], [Server.AddTinkaMerchant], [Server.MarkTikkiePaid],
// [Server.ExpireTikkie],
// [Server.DecideTinka], [Server.RevokeTikkieTokens] and [Server.SetClock];
// a payer can also "pay" in a browser at the paymentRequestUrl
// (/tikkie/pay/{token}), finish a Tinka Credit flow at its redirectUrl
// (/tinka/checkout/{id}), and a demo script can set a Tinka decision with
// POST /_sandbox/tinka/{id}/decision (form value decision). To mount the
// handler into another mux, register it for each of [Paths].
//
// Tinka decisions follow one documented rule ([DecisionFor]) on the
// requested amount in cents: above 500000 (EUR 5,000.00) Rejected; cents
// ending in 99 Cancelled; otherwise Accepted. A synchronous Invoice call
// (query synchronous=true) answers it at once, signed; an asynchronous one
// answers only the paymentRequestId and the decision is read with GET
// /merchant-api/v2/status/{id}; a Credit request stays InProgress until the
// customer visits the redirect URL (or DecideTinka), which redirects to
// callbackUrl (cancelUrl when Cancelled) with the signed parameters. With
// [Server.SetTinkaNotificationURL] every decision is also POSTed there as
// Tinka's signed JSON callback. A second request with a known transactionId
// answers the first request's id (idempotency).
//
// # A second reading of the contract
//
// The sandbox does not use pkg/tikkie's or pkg/tinka's signing, token,
// path or wire types: it reads the contract on its own, so that a client
// that drifts from it is refused here as it would be by the real service.
// Tikkie: the client assertion is a JWT whose RS256/384/512 signature is
// checked with the app's registered key, with iss present, sub the API key,
// aud https://auth-sandbox.abnamro.com/oauth/token (the sandbox environment's
// OAuth server), nbf not after now and exp after now; answers write
// amountInCents as a string, expired as a timestamp (null while live), and no
// paymentRequestUrl outside the create answer, as the public clients'
// recorded answers show. Tinka: the hash of X-Authorization is recomputed
// from the portal's message (merchant id, timestamp, nonce, body; ':' is the
// assumed separator), the request is checked against the reference's tables
// as the sandbox reads them (tinkacheck.go), and status lives at
// /merchant-api/v2/status/{id}. pkg/tikkie and pkg/tinka name the public
// sources of each fact.
//
// Errors have the real shapes: Tikkie {"errors":[{code, category, message,
// reference, traceId, status}]} with the codes of the recorded answers where
// they are known (ERR_2005_001 unknown API key, ERR_4100_002 platform not
// found) and ERR_SANDBOX_* otherwise; Tinka {"errorCode","message"}, whose
// shape is not documented.
package payreqsandbox
