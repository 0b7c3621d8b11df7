package tinka

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Signature computes the HMAC of a request as documented in the package
// comment: base64(HMAC-SHA256(secret, merchantId + METHOD +
// lower(urlQueryEscape(requestURI)) + timestamp + nonce + base64(MD5(body)))).
func Signature(secret []byte, merchantID, method, requestURI, timestamp, nonce string, body []byte) string {
	bodyHash := ""
	if len(body) > 0 {
		sum := md5.Sum(body)
		bodyHash = base64.StdEncoding.EncodeToString(sum[:])
	}
	raw := merchantID + strings.ToUpper(method) + strings.ToLower(url.QueryEscape(requestURI)) + timestamp + nonce + bodyHash
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(raw))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// AuthorizationHeader returns the X-Authorization value
// "hmac <merchantId>:<signature>:<nonce>:<timestamp>".
func AuthorizationHeader(secret []byte, merchantID, method, requestURI, nonce string, at time.Time, body []byte) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	return "hmac " + merchantID + ":" + Signature(secret, merchantID, method, requestURI, ts, nonce, body) + ":" + nonce + ":" + ts
}

// Authorization is a parsed X-Authorization header.
type Authorization struct {
	MerchantID string
	Signature  string
	Nonce      string
	Timestamp  time.Time
}

// ErrAuthorization is wrapped by every X-Authorization parse or check failure.
var ErrAuthorization = errors.New("tinka: X-Authorization")

// ParseAuthorization reads an X-Authorization header value.
func ParseAuthorization(h string) (Authorization, error) {
	rest, ok := strings.CutPrefix(h, "hmac ")
	if !ok {
		return Authorization{}, fmt.Errorf("%w: %s", ErrAuthorization, `does not start with "hmac "`)
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 4 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return Authorization{}, fmt.Errorf("%w: %s", ErrAuthorization, "want merchantId:signature:nonce:timestamp")
	}
	sec, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || sec < 0 {
		return Authorization{}, fmt.Errorf("%w: %s", ErrAuthorization, "timestamp is not Unix seconds")
	}
	return Authorization{MerchantID: parts[0], Signature: parts[1], Nonce: parts[2], Timestamp: time.Unix(sec, 0).UTC()}, nil
}

// VerifyAuthorization checks a header against the request it came with, in
// constant time, and that its timestamp is within skew of now. It is what a
// server (the sandbox) does; clients only sign.
func VerifyAuthorization(h string, secret []byte, method, requestURI string, body []byte, now time.Time, skew time.Duration) (Authorization, error) {
	a, err := ParseAuthorization(h)
	if err != nil {
		return a, err
	}
	if d := now.Sub(a.Timestamp); d > skew || d < -skew {
		return a, fmt.Errorf("%w: %s", ErrAuthorization, "timestamp out of date")
	}
	want := Signature(secret, a.MerchantID, method, requestURI, strconv.FormatInt(a.Timestamp.Unix(), 10), a.Nonce, body)
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return a, fmt.Errorf("%w: %s", ErrAuthorization, "signature does not match")
	}
	return a, nil
}
