package tikkie

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
)

func TestParsePrivateKeyPEM(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	der8, _ := x509.MarshalPKCS8PrivateKey(key)
	pkcs8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der8})
	for name, data := range map[string][]byte{"pkcs1": pkcs1, "pkcs8": pkcs8} {
		k, err := ParsePrivateKeyPEM(data)
		if err != nil || !k.Equal(key) {
			t.Errorf("%s: %v", name, err)
		}
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	derEC, _ := x509.MarshalPKCS8PrivateKey(ec)
	for _, tc := range []struct {
		data []byte
		want string
	}{
		{[]byte("nothing"), "tikkie: private key: no PEM block"},
		{pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), `tikkie: private key: PEM block "CERTIFICATE" is not a private key`},
		{pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{1, 2}}), "tikkie: private key: not a valid PKCS #1 RSA key"},
		{pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: derEC}), "tikkie: private key: *ecdsa.PrivateKey is not an RSA key"},
	} {
		if _, err := ParsePrivateKeyPEM(tc.data); err == nil || err.Error() != tc.want {
			t.Errorf("%v, want %q", err, tc.want)
		}
	}
	cfg := Config{BaseURL: "https://x", APIKey: "top-secret-key", PrivateKey: key}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
		if strings.Contains(s, "top-secret-key") || strings.Contains(s, key.N.String()[:20]) {
			t.Errorf("secret printed: %s", s)
		}
	}
}
