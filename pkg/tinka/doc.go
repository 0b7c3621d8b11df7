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
//     Credit answers a redirect URL; [Client.Status] reads the decision.
//   - Callback URLs carry a shaSign; [VerifyCallback] parses the query and
//     checks it in constant time. Callback POSTs carry a JSON status signed
//     by Tinka; [VerifyNotification] checks them.
//
// # Wire facts and their public sources
//
// Beyond the reference, from Tinka's developer portal (portal.tinka.nl,
// API v2; stored copies of its pages read with the search tool):
//
//   - Security (portal.tinka.nl/api-v2/, section Security): three levels, IP
//     whitelisting, Basic authentication and request signing with HMAC. The
//     header is "X-Authorization: hmac <merchant-id>:<hash>:<nonce>:<timestamp>";
//     the merchant id looks up the secret; hash is "base64 encoded HMAC
//     SHA256"; its content is "a concatenated string consisting of
//     merchant-id, timestamp, nonce and request content", separated.
//     [Message] builds it in that order with the body as sent (empty for a
//     GET). The reference's example header has a 44-character base64 hash
//     and a 10-digit timestamp: Unix seconds.
//   - Status (portal.tinka.nl/api-v2/status-request): GET
//     /merchant-api/v2/status/{paymentRequestId}; 200, 401, 403, and 404
//     "Payment request for given ID does not exist"; the answer is [Status]
//     (paymentRequestId, paymentMethod, requestedPaymentAmount, decision,
//     decisionDateTime yyyy-mm-ddThh:mi:ss.SSSZ in UTC, transactionId,
//     merchantRequestReference, errorCode, additionalData).
//   - Callback (portal.tinka.nl/api-v2/callback): Tinka POSTs the same JSON
//     as the status answer to the merchant's endpoint, signed "the same way a
//     response of a synchronous call is signed", in the header
//     "X-Authorization: hmac <hash>:<nonce>:<timestamp>". [VerifyNotification]
//     recomputes the hash over [Message] with the merchant's own id.
//   - Decisions (portal.tinka.nl/api-v2/, Payment request decision):
//     InProgress, Accepted, Rejected, Cancelled (end states) and Pending.
//
// Unknown, and isolated so that a correction is one line:
//
//   - The separator between the parts of the signed message: the stored copy
//     of the security section breaks off at "request content sepa…". This
//     package uses ":" ([MessageSeparator]), the separator of the header.
//   - That a synchronous answer is signed over its body with our merchant
//     id (the portal says it is signed, not over what); the client checks an
//     X-Authorization header on an answer only when there is one.
//   - How a synchronous Invoice call is asked for: here the query parameter
//     synchronous=true.
//   - The encoding of the callback URLs' shaSign ("the HMAC hash of the
//     previous parameters"): here upper-case hex of HMAC-SHA256(secret,
//     "name=value&...") over the parameters in the reference's order.
//   - The body of an error answer (here {"errorCode","message"} is read, as
//     is {"code","message"}).
//
// Idempotency: the transactionId is the idempotency key. [Client.Status]
// (GET) is retried after network errors, 429 and 5xx with a fresh nonce;
// [Client.Create] never retries the POST by itself; a caller that is unsure whether a request
// arrived sends it again with the same transactionId, which the batchtool
// sandbox answers with the original paymentRequestId. Record the
// transactionId (in the ledger) before the call.
package tinka
