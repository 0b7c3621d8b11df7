package tikkie

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ParsePrivateKeyPEM reads the RSA private key that signs the client
// assertion, PEM-encoded as PKCS #1 ("RSA PRIVATE KEY") or PKCS #8
// ("PRIVATE KEY"). Errors never quote the key.
func ParsePrivateKeyPEM(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("tikkie: private key: no PEM block")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("tikkie: private key: not a valid PKCS #1 RSA key")
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("tikkie: private key: not a valid PKCS #8 key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("tikkie: private key: %T is not an RSA key", k)
		}
		return rk, nil
	}
	return nil, fmt.Errorf("tikkie: private key: PEM block %q is not a private key", block.Type)
}

// String prints the configuration without its secrets.
func (c Config) String() string {
	key := "<nil>"
	if c.PrivateKey != nil {
		key = "[redacted]"
	}
	return fmt.Sprintf("tikkie.Config{BaseURL:%q APIKey:[redacted] PrivateKey:%s Issuer:%q Audience:%q Version:%q}",
		c.BaseURL, key, c.Issuer, c.Audience, c.Version)
}

// GoString is String, so that %#v does not print secrets either.
func (c Config) GoString() string { return c.String() }
