package tikkie

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TokenPath is the OAuth token endpoint, on the API's host.
const TokenPath = "/v1/oauth/token"

// The audiences (aud claim) of the client assertion: the OAuth server of
// each environment, which is not the host the token is asked from. Every
// public Tikkie client signs these (see the package comment).
const (
	AudienceProduction = "https://auth.abnamro.com/oauth/token"
	AudienceSandbox    = "https://auth-sandbox.abnamro.com/oauth/token"
)

// ProductionHost is the API host of the production environment; any other
// base URL gets [AudienceSandbox] unless [Config.Audience] says otherwise.
const ProductionHost = "api.abnamro.com"

// assertionSkew backdates nbf, for a server clock behind ours.
const assertionSkew = time.Minute

// assertionTTL is how long a client assertion is valid: it is used once,
// at once (the public clients use one to three minutes).
const assertionTTL = 2 * time.Minute

// Scope is the OAuth scope of the payment request API.
const Scope = "tikkie"

// ClientAssertion builds the signed JSON web token (RS256) that proves the
// client to the token endpoint: iss the client's name, sub the API key, aud
// the environment's OAuth server ([AudienceProduction] or
// [AudienceSandbox]), nbf a minute before now (clock skew) and exp now+ttl.
func ClientAssertion(key *rsa.PrivateKey, apiKey, issuer, audience string, now time.Time, ttl time.Duration) (string, error) {
	header := `{"alg":"RS256","typ":"JWT"}`
	claims, err := json.Marshal(map[string]any{
		"nbf": now.Add(-assertionSkew).Unix(),
		"exp": now.Add(ttl).Unix(),
		"iss": issuer,
		"sub": apiKey,
		"aud": audience,
	})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("tikkie: signing client assertion: %w", err)
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// flexSeconds reads expires_in given as a number or a string.
type flexSeconds int64

func (f *flexSeconds) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("expires_in %s is not a number of seconds", b)
	}
	*f = flexSeconds(n)
	return nil
}

type tokenAnswer struct {
	AccessToken string      `json:"access_token"`
	TokenType   string      `json:"token_type"`
	ExpiresIn   flexSeconds `json:"expires_in"`
	Scope       string      `json:"scope"`
}

// accessToken returns a valid token. stale is a token the server refused:
// when it is still the cached one, a new token is fetched. One goroutine
// fetches at a time; the others wait (or give up with their context) and
// then use its token.
func (c *Client) accessToken(ctx context.Context, stale string) (string, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-c.sem }()
	now := c.cfg.Now()
	if c.token != "" && c.token != stale && now.Add(c.cfg.RenewBefore).Before(c.expires) {
		return c.token, nil
	}
	tok, exp, err := c.fetchToken(ctx, now)
	if err != nil {
		return "", err
	}
	c.token, c.expires = tok, exp
	return tok, nil
}

func (c *Client) fetchToken(ctx context.Context, now time.Time) (string, time.Time, error) {
	assertion, err := ClientAssertion(c.cfg.PrivateKey, c.cfg.APIKey, c.cfg.Issuer, c.cfg.Audience, now, assertionTTL)
	if err != nil {
		return "", time.Time{}, err
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
		"scope":                 {Scope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+TokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("tikkie: token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("API-Key", c.cfg.APIKey)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("tikkie: token POST %s: %w", TokenPath, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("tikkie: token POST %s: reading answer: %w", TokenPath, err)
	}
	if res.StatusCode != http.StatusOK {
		return "", time.Time{}, apiError("Token", http.MethodPost, TokenPath, res.StatusCode, data)
	}
	var a tokenAnswer
	if err := json.Unmarshal(data, &a); err != nil {
		return "", time.Time{}, fmt.Errorf("tikkie: token POST %s: answer is not the expected JSON: %w", TokenPath, err)
	}
	if a.AccessToken == "" || a.ExpiresIn <= 0 {
		return "", time.Time{}, fmt.Errorf("tikkie: token POST %s: answer has no access_token or expires_in", TokenPath)
	}
	return a.AccessToken, now.Add(time.Duration(a.ExpiresIn) * time.Second), nil
}
