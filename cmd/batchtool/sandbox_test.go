package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchtool/batchtool/internal/payreqsandbox"
	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// startSandbox runs a sandbox on a loopback port and points the platform
// commands at it through the environment.
func startSandbox(t *testing.T) (*sandbox.Server, string) {
	t.Helper()
	return startSandboxWith(t, t.TempDir(), sandbox.Options{})
}

// startSandboxes runs the sandbox as batchtool sandbox does, with the
// payment request sandbox mounted, and points every command at it.
func startSandboxes(t *testing.T) (*sandbox.Server, *payreqsandbox.Server) {
	t.Helper()
	dir := t.TempDir()
	pay, keyFile, err := startPayreqSandbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts := sandbox.Options{Mount: map[string]http.Handler{}}
	for _, p := range payreqsandbox.Paths() {
		opts.Mount[p] = pay.Handler()
	}
	srv, _ := startSandboxWith(t, dir, opts)
	pay.OnTikkiePaid(tikkiePayouts(srv))
	for _, e := range payreqSandboxEnv(srv.URL(), keyFile) {
		k, v, _ := strings.Cut(e, "=")
		t.Setenv(k, v)
	}
	return srv, pay
}

func startSandboxWith(t *testing.T, dir string, opts sandbox.Options) (*sandbox.Server, string) {
	t.Helper()
	opts.Logf = t.Logf
	srv := sandbox.New(dir, opts)
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	t.Setenv(pipeline.EnvTwikeyURL, srv.URL())
	t.Setenv(twikey.TokenEnv, sandbox.DefaultToken)
	t.Setenv(pipeline.EnvTwikeyTokenFile, "")
	t.Setenv(envLedger, filepath.Join(t.TempDir(), "batchtool.db"))
	return srv, dir
}

// writeBatch writes a sample pain.008 batch collected in five days.
func writeBatch(t *testing.T, msgID string, amounts ...string) string {
	t.Helper()
	var b bytes.Buffer
	day, _ := time.Parse(time.DateOnly, collectionDay())
	if err := sandbox.SampleBatch(&b, msgID, day, amounts...); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), msgID+".xml")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSandboxCommand(t *testing.T) {
	data := t.TempDir()
	code, out, errOut := batchtool(t, "sandbox", "--addr", "127.0.0.1:0", "--data", data, "--for", "100ms")
	if code != 0 || !strings.HasPrefix(out, "sandbox listening on http://127.0.0.1:") || !strings.HasSuffix(out, "sandbox stopped\n") ||
		!strings.Contains(out, "BATCHTOOL_TWIKEY_TOKEN=sandbox-token") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "files")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := batchtool(t, "sandbox", "--addr", "127.0.0.1:0"); code != 2 || !strings.Contains(errOut, "--data") {
		t.Fatalf("without --data: exit %d %q", code, errOut)
	}
}

// TestSandboxCommandWithPrivateKey: batchtool sandbox --twikey-private-key
// demands the enhanced-security OTP at login, so a client's OTP login can
// be exercised from the CLI; the key can also live in the data folder.
func TestSandboxCommandWithPrivateKey(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		name string
		args func(data string) []string
	}{
		{"flag", func(string) []string { return []string{"--twikey-private-key", key} }},
		{"data folder", func(data string) []string {
			if err := os.WriteFile(filepath.Join(data, "twikey-private-key"), []byte(key+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return nil
		}},
	} {
		data := t.TempDir()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		done := make(chan string)
		go func() {
			_, out, _ := batchtool(t, append([]string{"sandbox", "--addr", addr, "--data", data, "--for", "1500ms", "-q"}, tc.args(data)...)...)
			done <- out
		}()
		base := "http://" + addr
		for i := 0; i < 100; i++ {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		login := func(pk twikey.Secret) error {
			c, err := twikey.New(twikey.Options{BaseURL: base, APIToken: sandbox.DefaultToken, PrivateKey: pk, MaxRetries: -1})
			if err != nil {
				return err
			}
			return c.Login(context.Background())
		}
		if err := login(key); err != nil {
			t.Errorf("%s: OTP login: %v", tc.name, err)
		}
		if err := login(""); err == nil || err.Error() != "twikey: POST /creditor: login_failed: the platform refused the API token (HTTP 401)" {
			t.Errorf("%s: login without OTP: %v", tc.name, err)
		}
		if out := <-done; !strings.Contains(out, "export BATCHTOOL_TWIKEY_PRIVATE_KEY="+key+"\n") {
			t.Errorf("%s: output %q", tc.name, out)
		}
	}
	// A key file readable by others, or not hex, is refused.
	data := t.TempDir()
	os.WriteFile(filepath.Join(data, "twikey-private-key"), []byte(key), 0o644)
	os.Chmod(filepath.Join(data, "twikey-private-key"), 0o644)
	if code, _, errOut := batchtool(t, "sandbox", "--addr", "127.0.0.1:0", "--data", data, "--for", "1ms"); code != 2 ||
		!strings.Contains(errOut, "twikey-private-key is readable by others (mode -rw-r--r--); chmod 600 it") {
		t.Errorf("key file 0644: exit %d %q", code, errOut)
	}
	if code, _, errOut := batchtool(t, "sandbox", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--twikey-private-key", "xyz"); code != 2 ||
		!strings.Contains(errOut, "--twikey-private-key: the private key is not hexadecimal") {
		t.Errorf("non-hex key: exit %d %q", code, errOut)
	}
}
