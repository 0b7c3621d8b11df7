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
// (query synchronous=true) answers it at once; an asynchronous one answers
// only the paymentRequestId and the decision is read with GET
// .../payment-requests/{id}; a Credit request stays Pending until the
// customer visits the redirect URL (or DecideTinka), which redirects to
// callbackUrl (cancelUrl when Cancelled) with the signed parameters. A
// second request with a known transactionId answers the first request's id
// (idempotency).
//
// Error codes are the sandbox's own (ERR_SANDBOX_*, VALIDATION_ERROR, ...);
// only their shape follows the real APIs.
package payreqsandbox
