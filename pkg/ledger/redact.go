package ledger

import (
	"net/url"
	"strings"
)

// secretParams are the connection parameters (libpq's and pgx's) whose
// values must not be printed: passwords, the password file, and the client
// key, which sslinline=true puts in the URL itself.
var secretParams = map[string]bool{
	"password":    true,
	"sslpassword": true,
	"passfile":    true,
	"sslkey":      true,
}

// redactQuery hides the values of secret parameters in a URL's query,
// keeping every other byte of it as given (order, escapes), so a message
// shows the URL the user wrote less its secrets.
func redactQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	parts := strings.Split(rawQuery, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		if key, err := url.QueryUnescape(k); err == nil {
			k = key
		}
		if hasValue && secretParams[strings.ToLower(k)] {
			parts[i] = p[:strings.IndexByte(p, '=')+1] + "xxxxx"
		}
	}
	return strings.Join(parts, "&")
}
