// Package tinka is a client for Tinka's online payment request
// (POST /merchant-api/v2/online/payment-requests), used by batchtool to offer
// "pay in 14 days" (Invoice) or instalment credit (Credit) for what a direct
// debit did not collect.
//
// What the package does, following /work/shared/reference/tinka-online-payment-request.txt:
//
//   - [PaymentRequest] and its parts ([Address], [Applicant], [Delivery],
//     [Line], [Payment], [RequestTag], [Merchant], [Routing], [Session]) carry
//     the reference's JSON attribute names. Amounts on the wire are integer
//     euro cents; [Cents] converts an exact decimal amount and refuses
//     anything that is not a whole number of cents.
//   - The reference's attribute tables are encoded as data in [Rules], one
//     rule per attribute (required-ness per payment method, type, length
//     limit, allowed values), plus the cross-field rules stated in prose
//     (order lines add up to the requested amount, merchantLineReference
//     unique, PromotionCodeApplied tag for Invoice). [Validate] checks all of
//     them and returns every violation as a finding with field path, value
//     and rule id; [Client.Create] validates before any call.
//   - Every call carries Basic authorization and the HMAC X-Authorization
//     header ([AuthorizationHeader]).
//   - Synchronous (decision in the answer) and asynchronous Invoice calls;
//     Credit answers a redirect URL.
//   - Callback URLs carry a shaSign; [VerifyCallback] parses the query and
//     checks it in constant time.
//
// # What the reference leaves open, and what this package chose
//
// The reference shows the header shape
// "hmac <merchantId>:<signature>:<nonce>:<timestamp>" but refers to a
// "security" page it does not include. This package implements the common
// scheme that header shape belongs to:
//
//	bodyHash  = base64(MD5(body))            ("" when the body is empty)
//	raw       = merchantId + METHOD + lower(urlQueryEscape(requestURI)) + timestamp + nonce + bodyHash
//	signature = base64(HMAC-SHA256(secret, raw))
//
// with timestamp in Unix seconds and requestURI the path and query as sent.
// The shaSign on callback URLs is "the HMAC hash of the previous parameters":
// here upper-case hex of HMAC-SHA256(secret, "name=value&..." over the
// parameters in the order the reference lists them, values unescaped).
// Synchronous Invoice calls are asked for with the query parameter
// synchronous=true (part of the signed URI); the status of a request is read
// with GET .../payment-requests/{paymentRequestId}. Confirm all three against
// Tinka's security page before production; they are isolated in sign.go and
// callback.go.
//
// Idempotency: the transactionId is the idempotency key. [Client.Status]
// (GET) is retried after network errors, 429 and 5xx with a fresh nonce;
// [Client.Create] never retries the POST by itself; a caller that is unsure whether a request
// arrived sends it again with the same transactionId, which the batchtool
// sandbox answers with the original paymentRequestId. Record the
// transactionId (in the ledger) before the call.
package tinka
