// Package redirect is the redirect policy of batchtool's API clients
// (Twikey, Tikkie, Tinka): a redirect to another origin (scheme, host or
// port) is not followed, and no credential travels with any redirect.
//
// Go's http.Client keeps Authorization when a redirect stays on the same
// host name, whatever the port, and keeps every other header (API-Key,
// X-Authorization) wherever it goes; a platform answer that redirects
// elsewhere would hand the session token or the signed request to another
// server.
package redirect

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Credentials are the request headers that carry a credential in
// batchtool's API clients; none is sent again on a redirect.
var Credentials = []string{"Authorization", "X-Authorization", "API-Key", "Proxy-Authorization", "Cookie"}

// ErrCrossOrigin is wrapped by the error of a redirect to another origin.
var ErrCrossOrigin = errors.New("redirect to another origin refused")

// maxRedirects is as many as net/http follows by default.
const maxRedirects = 10

// Check is an http.Client CheckRedirect function: it refuses a redirect
// whose scheme, host or port differs from the first request's, strips the
// credential headers from every redirected request, and stops after 10
// redirects.
func Check(req *http.Request, via []*http.Request) error {
	if len(via) == 0 {
		return nil
	}
	first := via[0].URL
	if origin(req.URL.Scheme, req.URL.Host) != origin(first.Scheme, first.Host) {
		return fmt.Errorf("%w: %s://%s redirected to %s://%s", ErrCrossOrigin, first.Scheme, first.Host, req.URL.Scheme, req.URL.Host)
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	for _, h := range Credentials {
		req.Header.Del(h)
	}
	return nil
}

// origin is scheme://host:port with the scheme's default port made
// explicit and the host name in lower case.
func origin(scheme, host string) string {
	scheme = strings.ToLower(scheme)
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i < 0 || strings.HasSuffix(host, "]") {
		switch scheme {
		case "https":
			host += ":443"
		case "http":
			host += ":80"
		}
	}
	return scheme + "://" + host
}

// Client returns a copy of c (a new client when nil) that follows
// redirects by [Check]: also a client the caller configured keeps its
// transport, timeout and cookie jar but not its own redirect policy.
func Client(c *http.Client) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	}
	out.CheckRedirect = Check
	return &out
}
