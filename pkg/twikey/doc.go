// Package twikey is a client for the Twikey collection platform API: it logs
// in, keeps the session, uploads pain.008 direct debit batches and UBL
// invoices, generates and downloads reconciliation files (camt.053, CODA) and
// reads the transaction feed and account reporting.
//
// The client knows nothing of the file formats: it sends bytes (an io.Reader)
// and returns typed answers. What it does know is the platform's wire habits,
// and it handles them so that a caller never has to:
//
//   - Login (POST /creditor) sends the API token in the form body, never in
//     the URL, with an optional enhanced-security OTP (see [OTP]). The session
//     token is cached for all goroutines and renewed before its 24 hours run
//     out, or when a call answers 401 / err_no_login; that call is then
//     retried once with the new session.
//   - Errors come either as HTTP 200 with the ApiError/ApiErrorCode headers or
//     as HTTP 400 with those headers and a JSON body {code, message, extra};
//     both become one [*Error]. The code is in ApiError (the reference: "available
//     in apierror header and response"; the official Go, Java and PHP SDKs read
//     it there) and in ApiErrorCode (the Python SDK reads it there).
//   - No redirect to another origin is followed, and no credential travels
//     with any redirect (internal/redirect).
//   - 429 answers are retried after X-Rate-Limit-Retry-After-Seconds. 5xx
//     answers and network errors are retried with capped exponential backoff
//     and jitter, but only when that is safe: GET requests, and POST requests
//     that carry an Idempotency-Key ([WithIdempotencyKey]). A batch is never
//     sent twice because a connection dropped.
//   - Downloads are written to a temp file in the target directory and
//     renamed into place only when complete, so a dropped connection never
//     leaves a partial file.
//
// Waiting goes through a [Clock], so tests measure the waits with a fake
// clock instead of sleeping. The API token is a [Secret]: it prints as
// "[redacted]" and never appears in an error or log line.
//
// Wire format reference: https://www.twikey.com/api/ (sections
// Authentication, Import Collection, Query collections, Upload UBL,
// Reconciliation, Transaction feed, Account reporting, Rate limits, Webhooks).
package twikey
