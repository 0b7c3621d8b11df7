package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/ledger"
)

func TestCollectUpload(t *testing.T) {
	srv, _ := startSandbox(t)
	batch := writeBatch(t, "CU1", "10.00", "20.01", "30.02", "40.03")
	code, out, errOut := batchtool(t, "collect", "upload", "--create", batch, "--profile", "1234")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		batch + ": 4 transaction(s), 100.06 EUR, 1 collection(s), message CU1\n",
		"platform: imported on profile 1234\n",
		"CU1-1     4   100.06  Sent",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// The same batch again: the ledger knows it, nothing is sent.
	before := srv.Stats()["POST /creditor/collect/import"]
	code, out, errOut = batchtool(t, "collect", "upload", batch, "--profile", "1234")
	if code != 1 || !strings.Contains(errOut, "the ledger "+os.Getenv(envLedger)+" says batch CU1-1 was uploaded on ") || !strings.Contains(errOut, "(--force uploads anyway)") {
		t.Fatalf("second upload: exit %d\n%s\n%s", code, out, errOut)
	}
	if srv.Stats()["POST /creditor/collect/import"] != before {
		t.Fatal("the ledger did not stop a second upload")
	}
	// --force sends it: the platform refuses the duplicate and holds the
	// first, which counts as done.
	code, out, _ = batchtool(t, "collect", "upload", batch, "--profile", "1234", "--force")
	if code != 0 || !strings.Contains(out, "platform: already holds this batch: twikey: POST /creditor/collect/import: invalid_file: File already uploaded (Collection with the same value of 'PmtInfId' (CU1-1) and 'EndToEndId' (CU1-E1) was already uploaded)\n") {
		t.Fatalf("forced upload: exit %d\n%s", code, out)
	}
}

func TestCollectUploadLostAnswerIsConfirmed(t *testing.T) {
	srv, _ := startSandbox(t)
	srv.Inject(sandbox.Fault{Kind: sandbox.FaultLost, Path: "/creditor/collect/import"})
	batch := writeBatch(t, "CU2", "15.00")
	code, out, errOut := batchtool(t, "collect", "upload", "--create", batch, "--profile", "1234")
	if code != 0 || !strings.Contains(out, "platform: imported on profile 1234: the answer was lost (twikey: POST /creditor/collect/import: ") ||
		!strings.Contains(out, "but the platform holds every collection of the batch") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if n := srv.Stats()["POST /creditor/collect/import"]; n != 1 {
		t.Fatalf("import sent %d times, want 1 (a POST without idempotency key is not retried)", n)
	}
}

func TestCollectUploadErrors(t *testing.T) {
	srv, _ := startSandbox(t)
	batch := writeBatch(t, "CU3", "15.00")
	if code, _, errOut := batchtool(t, "collect", "upload", "--create", batch); code != 2 || !strings.Contains(errOut, "--profile") {
		t.Fatalf("no profile: exit %d %q", code, errOut)
	}
	code, out, _ := batchtool(t, "collect", "upload", "--create", batch, "--profile", "77")
	if code != 1 || !strings.Contains(out, "platform: rejected: twikey: POST /creditor/collect/import: err_no_such_ct: No such profile (77)\n") {
		t.Fatalf("unknown profile: exit %d\n%s", code, out)
	}
	// A batch with errors is not sent at all.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(bad, []byte("<Document><oops"), 0o644)
	before := srv.Stats()["POST /creditor/collect/import"]
	code, _, errOut := batchtool(t, "collect", "upload", bad, "--profile", "1234")
	if code != 1 || !strings.Contains(errOut, "error(s): not uploaded (fix them, or --force to let the platform judge)") {
		t.Fatalf("bad batch: exit %d %q", code, errOut)
	}
	if srv.Stats()["POST /creditor/collect/import"] != before {
		t.Fatal("a batch with errors was sent")
	}
	// No token: a usage error that names where the token comes from.
	t.Setenv("BATCHTOOL_TWIKEY_TOKEN", "")
	code, _, errOut = batchtool(t, "collect", "upload", batch, "--profile", "1234")
	if code != 2 || !strings.Contains(errOut, "twikey: no API token: set BATCHTOOL_TWIKEY_TOKEN or give a token file") {
		t.Fatalf("no token: exit %d %q", code, errOut)
	}
	// A token file readable by others is refused; a private one is used.
	tf := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tf, []byte(sandbox.DefaultToken+"\n"), 0o644)
	if code, _, errOut = batchtool(t, "collect", "upload", batch, "--profile", "1234", "--token-file", tf); code != 2 || !strings.Contains(errOut, "is readable by others") {
		t.Fatalf("open token file: exit %d %q", code, errOut)
	}
	os.Chmod(tf, 0o600)
	if code, out, errOut = batchtool(t, "collect", "upload", batch, "--profile", "1234", "--token-file", tf); code != 0 {
		t.Fatalf("token file: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, sandbox.DefaultToken) {
		t.Fatal("the token was printed")
	}
}

// TestCollectUploadClaimedPostgres: on a shared ledger `collect upload`
// claims the batch as nightly workers do: a batch a live worker holds is
// left to it and not sent; once released it is sent and the claim done, and
// a later upload is refused by the ledger's record (--force sends anyway).
func TestCollectUploadClaimedPostgres(t *testing.T) {
	url := testutil.PostgresLedger(t)
	if url == "" {
		t.Skip("skipping: " + testutil.PostgresEnv + " is not set (.ci/run starts a PostgreSQL server)")
	}
	srv, _ := startSandbox(t)
	t.Setenv(envLedger, url) // after startSandbox, which names a SQLite ledger
	batch := writeBatch(t, "CUW", "10.00", "20.01")
	data, err := os.ReadFile(batch)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	l, err := ledger.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	worker, err := l.Claim(ctx, ledger.ClaimUpload, hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut := batchtool(t, "collect", "upload", batch, "--profile", "1234")
	if code != 1 || !strings.Contains(errOut, batch+": claimed by worker "+worker.Owner+" (lease until ") || !strings.HasSuffix(errOut, "): left to it\n") {
		t.Fatalf("while a worker holds the batch: exit %d\n%s\n%s", code, out, errOut)
	}
	if n := srv.Stats()["POST /creditor/collect/import"]; n != 0 {
		t.Fatalf("sent %d times while a worker held the batch", n)
	}

	if err := worker.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut = batchtool(t, "collect", "upload", batch, "--profile", "1234"); code != 0 {
		t.Fatalf("after the worker let go: exit %d\n%s\n%s", code, out, errOut)
	}
	if n := srv.Stats()["POST /creditor/collect/import"]; n != 1 {
		t.Fatalf("sent %d times, want 1", n)
	}
	code, out, errOut = batchtool(t, "collect", "upload", batch, "--profile", "1234")
	if code != 1 || !strings.Contains(errOut, "the ledger "+l.Name()+" says batch CUW-1 was uploaded on ") || !strings.HasSuffix(errOut, "(--force uploads anyway)\n") {
		t.Fatalf("once sent: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut = batchtool(t, "collect", "upload", batch, "--profile", "1234", "--force"); code != 0 || srv.Stats()["POST /creditor/collect/import"] != 2 {
		t.Fatalf("--force: exit %d, %d imports\n%s\n%s", code, srv.Stats()["POST /creditor/collect/import"], out, errOut)
	}
}
