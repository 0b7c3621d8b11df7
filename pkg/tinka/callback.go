package tinka

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// CallbackParams are the query parameters appended to the routing URLs, in
// the reference's order; shaSign is the HMAC of these.
var CallbackParams = []string{"merchantRequestReference", "requestedPaymentAmount", "paymentMethod", "decision",
	"decisionDateTime", "nonce", "paymentRequestId", "timestamp", "transactionId"}

// Callback is the outcome Tinka appends to a callbackUrl or cancelUrl.
type Callback struct {
	MerchantRequestReference string
	RequestedPaymentAmount   int64 // euro cents
	PaymentMethod            Method
	Decision                 Decision
	DecisionDateTime         string
	Nonce                    string
	PaymentRequestID         string
	Timestamp                string
	TransactionID            string
	ShaSign                  string
}

func (c *Callback) values() []string {
	return []string{c.MerchantRequestReference, strconv.FormatInt(c.RequestedPaymentAmount, 10), string(c.PaymentMethod),
		string(c.Decision), c.DecisionDateTime, c.Nonce, c.PaymentRequestID, c.Timestamp, c.TransactionID}
}

// ShaSign computes the callback signature: upper-case hex of
// HMAC-SHA256(secret, "merchantRequestReference=...&requestedPaymentAmount=...&...")
// over [CallbackParams] in order, values unescaped.
func ShaSign(secret []byte, c *Callback) string {
	var b strings.Builder
	for i, v := range c.values() {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(CallbackParams[i])
		b.WriteByte('=')
		b.WriteString(v)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(b.String()))
	return strings.ToUpper(hex.EncodeToString(mac.Sum(nil)))
}

// Query returns the callback as signed query parameters (for the sandbox).
func (c *Callback) Query(secret []byte) url.Values {
	q := url.Values{}
	for i, v := range c.values() {
		q.Set(CallbackParams[i], v)
	}
	q.Set("shaSign", ShaSign(secret, c))
	return q
}

// ErrShaSign is returned when a callback's shaSign does not verify.
var ErrShaSign = errors.New("tinka: callback shaSign does not match")

// ParseCallback reads the query string of a callback URL. Every parameter
// must be present exactly once; the amount must be an integer of cents and
// the decision one of Accepted, Rejected, Cancelled, Pending. It does not
// check the signature: use [VerifyCallback].
func ParseCallback(rawQuery string) (*Callback, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("tinka: callback query: %w", err)
	}
	get := func(name string) (string, error) {
		vs := q[name]
		switch len(vs) {
		case 0:
			return "", fmt.Errorf("tinka: callback query: %s missing", name)
		case 1:
			return vs[0], nil
		}
		return "", fmt.Errorf("tinka: callback query: %s given %d times", name, len(vs))
	}
	var c Callback
	ptrs := []*string{&c.MerchantRequestReference, nil, nil, nil, &c.DecisionDateTime, &c.Nonce, &c.PaymentRequestID, &c.Timestamp, &c.TransactionID}
	raw := make([]string, len(CallbackParams))
	for i, name := range CallbackParams {
		v, err := get(name)
		if err != nil {
			return nil, err
		}
		raw[i] = v
		if ptrs[i] != nil {
			*ptrs[i] = v
		}
	}
	if c.ShaSign, err = get("shaSign"); err != nil {
		return nil, err
	}
	if c.RequestedPaymentAmount, err = strconv.ParseInt(raw[1], 10, 64); err != nil || raw[1] != strconv.FormatInt(c.RequestedPaymentAmount, 10) {
		return nil, fmt.Errorf("tinka: callback query: requestedPaymentAmount %q is not an integer of cents", raw[1])
	}
	switch m := Method(raw[2]); m {
	case Invoice, Credit:
		c.PaymentMethod = m
	default:
		return nil, fmt.Errorf("tinka: callback query: paymentMethod %q is not Invoice or Credit", raw[2])
	}
	switch d := Decision(raw[3]); d {
	case Accepted, Rejected, Cancelled, Pending:
		c.Decision = d
	default:
		return nil, fmt.Errorf("tinka: callback query: decision %q is not Accepted, Rejected, Cancelled or Pending", raw[3])
	}
	return &c, nil
}

// VerifyCallback parses a callback query and checks its shaSign in constant
// time (upper- or lower-case hex accepted).
func VerifyCallback(secret []byte, rawQuery string) (*Callback, error) {
	c, err := ParseCallback(rawQuery)
	if err != nil {
		return nil, err
	}
	want := ShaSign(secret, c)
	if !hmac.Equal([]byte(want), []byte(strings.ToUpper(c.ShaSign))) {
		return nil, ErrShaSign
	}
	return c, nil
}

// VerifyNotification checks a callback POST of Tinka: the JSON body (the
// status of a payment request) with the header
// "X-Authorization: hmac <hash>:<nonce>:<timestamp>", signed the way Tinka
// signs a synchronous answer, over [Message] with the merchant's own id. It
// recomputes the hash in constant time, refuses a timestamp further than
// [SignatureSkew] from now, and returns the status only when every required
// attribute is there. A caller should also refuse a nonce it has seen.
func VerifyNotification(secret []byte, merchantID, header string, body []byte, now time.Time) (*Status, error) {
	if err := verifyTinkaSignature(header, secret, merchantID, body, now, SignatureSkew); err != nil {
		return nil, err
	}
	var st Status
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("tinka: callback body: %w", err)
	}
	var missing []string
	for _, f := range []struct{ v, name string }{{st.PaymentRequestID, "paymentRequestId"}, {string(st.PaymentMethod), "paymentMethod"},
		{string(st.Decision), "decision"}, {st.DecisionDateTime, "decisionDateTime"}, {st.TransactionID, "transactionId"},
		{st.MerchantRequestReference, "merchantRequestReference"}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("tinka: callback body: %s missing", strings.Join(missing, ", "))
	}
	if st.RequestedPaymentAmount <= 0 {
		return nil, fmt.Errorf("tinka: callback body: requestedPaymentAmount %d is not above 0", st.RequestedPaymentAmount)
	}
	switch st.Decision {
	case InProgress, Accepted, Rejected, Cancelled, Pending:
	default:
		return nil, fmt.Errorf("tinka: callback body: decision %q is not InProgress, Accepted, Rejected, Cancelled or Pending", st.Decision)
	}
	return &st, nil
}
