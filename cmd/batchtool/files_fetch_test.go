package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/sandbox"
)

func TestFilesFetch(t *testing.T) {
	srv, data := startSandbox(t)
	if code, out, errOut := batchtool(t, "collect", "upload", "--create", writeBatch(t, "FF1", "10.00", "20.01"), "--profile", "1234"); code != 0 {
		t.Fatalf("upload: exit %d\n%s\n%s", code, out, errOut)
	}
	inbox := t.TempDir()
	code, out, errOut := batchtool(t, "files", "fetch", "--format", "coda", "--dir", inbox)
	if code != 0 || !strings.HasPrefix(out, "generated 1 file(s); 1 listed, 1 new to the ledger\n  new    "+inbox+"/sdd_twikey_"+sandbox.SampleCreditorID+"-") ||
		!strings.HasSuffix(out, " bytes)\n1 file(s) downloaded to "+inbox+"\n") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	names := dirNames(t, inbox)
	if len(names) != 1 || !strings.HasSuffix(names[0], ".cod") {
		t.Fatalf("inbox %v", names)
	}
	got, _ := os.ReadFile(filepath.Join(inbox, names[0]))
	want, _ := os.ReadFile(filepath.Join(data, "files", names[0]))
	if len(want) == 0 || !bytes.Equal(got, want) || !strings.Contains(out, fmt.Sprintf(".cod (%d bytes)\n", len(want))) {
		t.Fatalf("downloaded %d bytes, want the sandbox's %d", len(got), len(want))
	}
	// The second listing resets the feed to before the first: the file is
	// listed again, known, and not downloaded twice.
	code, out, _ = batchtool(t, "files", "fetch", "--format", "coda", "--dir", inbox)
	if code != 0 || !strings.HasPrefix(out, "generated 0 file(s); 1 listed, 0 new to the ledger, feed reset to ") ||
		!strings.HasSuffix(out, "\n0 file(s) downloaded to "+inbox+"\n") {
		t.Fatalf("second fetch: exit %d\n%q", code, out)
	}

	// A connection that keeps dropping: the file is owed, nothing half
	// written stays behind, and the next fetch downloads it by itself.
	if code, _, _ := batchtool(t, "collect", "upload", writeBatch(t, "FF2", "30.00"), "--profile", "1234"); code != 0 {
		t.Fatal("second upload failed")
	}
	// --retries 1: two attempts, both dropped.
	srv.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Path: "/creditor/files/", Count: 2})
	code, out, _ = batchtool(t, "files", "fetch", "--format", "camt", "--dir", inbox, "--retries", "1")
	if code != 1 || !strings.Contains(out, "  FAILED \"sdd_twikey_") || !strings.Contains(out, "connection broke off after") ||
		!strings.Contains(out, "1 file(s) owed: listed by the platform, not downloaded yet (the next fetch tries again):\n  owed   \"sdd_twikey_") ||
		!strings.Contains(out, ".xml\" (camt, listed ") {
		t.Fatalf("dropping fetch: exit %d\n%s", code, out)
	}
	if got := dirNames(t, inbox); !slices.Equal(got, names) {
		t.Fatalf("inbox after failed download %v, want %v", got, names)
	}
	code, out, errOut = batchtool(t, "files", "fetch", "--no-generate", "--dir", inbox)
	if code != 0 || !strings.Contains(out, "  again  "+inbox+"/sdd_twikey_") || strings.Contains(out, "FAILED") || strings.Contains(out, "file(s) owed") {
		t.Fatalf("fetch after the failure: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := batchtool(t, "files", "fetch", "--format", "pdf", "--dir", inbox); code != 2 || !strings.Contains(errOut, `--format "pdf": want camt or coda`) {
		t.Fatalf("bad format: exit %d %q", code, errOut)
	}
}

// TestFilesFetchLostListing: the platform lists a file once. A listing
// whose answer is lost (the platform answered, the answer never arrived)
// is listed again with X-RESET, at once for the first listing and by the
// next fetch after that, and the file is downloaded. Before the ledger
// recorded listings, the file was never seen again.
func TestFilesFetchLostListing(t *testing.T) {
	srv, _ := startSandbox(t)
	inbox := t.TempDir()
	for i, batch := range []string{"LL1", "LL2"} {
		if code, _, _ := batchtool(t, "collect", "upload", "--create", writeBatch(t, batch, "10.00"), "--profile", "1234"); code != 0 {
			t.Fatal("upload failed")
		}
		srv.Inject(sandbox.Fault{Kind: sandbox.FaultLost, Method: "GET", Path: "/creditor/files", Count: 1})
		code, out, errOut := batchtool(t, "files", "fetch", "--format", "camt", "--dir", inbox)
		if i == 0 {
			// The first listing ever is plain; its answer lost, the fetch
			// lists again at once from the epoch.
			if code != 0 || !strings.Contains(out, "1 listed, 1 new to the ledger, feed reset to 1970-01-01T00:00:00Z\n  new    ") {
				t.Fatalf("first fetch: exit %d\n%s\n%s", code, out, errOut)
			}
			continue
		}
		// Later listings reset to before the last complete one, so the
		// listing is the same however often it is sent: the lost answer
		// is simply asked for again, and the file comes.
		if code != 0 || !strings.Contains(out, "; 2 listed, 1 new to the ledger, feed reset to ") || !strings.Contains(out, "  new    ") {
			t.Fatalf("fetch with the lost listing: exit %d\n%s\n%s", code, out, errOut)
		}
	}
	if got := dirNames(t, inbox); len(got) != 2 {
		t.Fatalf("inbox %v, want both files", got)
	}
}

// TestFilesFetchRefusesErrorPageAndCleansPartial: an HTML page sent with
// status 200 is not saved as a statement (the file stays owed and comes
// the next time), and partial downloads of a killed run are removed.
func TestFilesFetchRefusesErrorPageAndCleansPartial(t *testing.T) {
	srv, _ := startSandbox(t)
	inbox := t.TempDir()
	stale := filepath.Join(inbox, ".sdd_twikey_x.xml.part-123456")
	if err := os.WriteFile(stale, []byte("<?xml half a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := batchtool(t, "collect", "upload", "--create", writeBatch(t, "HTML1", "10.00"), "--profile", "1234"); code != 0 {
		t.Fatal("upload failed")
	}
	srv.Inject(sandbox.Fault{Kind: sandbox.FaultHTML, Path: "/creditor/files/", Count: 2})
	code, out, errOut := batchtool(t, "files", "fetch", "--format", "camt", "--dir", inbox, "--retries", "1")
	if code != 1 || !strings.Contains(out, `  removed ".sdd_twikey_x.xml.part-123456": a partial download of an interrupted run`) ||
		!strings.Contains(out, ": http_html: an HTML page answered, not the platform's API (a proxy or maintenance page)") || !strings.Contains(out, "1 file(s) owed") {
		t.Fatalf("fetch of an error page: exit %d\n%s\n%s", code, out, errOut)
	}
	if got := dirNames(t, inbox); len(got) != 0 {
		t.Fatalf("inbox %v, want nothing saved", got)
	}
	code, out, errOut = batchtool(t, "files", "fetch", "--format", "camt", "--dir", inbox, "--retries", "1")
	if code != 0 || !strings.Contains(out, "  again  ") {
		t.Fatalf("fetch after the error page: exit %d\n%s\n%s", code, out, errOut)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestLedgerCheck: the platform's transaction feed against the ledger.
// Collections the platform settled in an earlier check and that no
// statement booked are named as gaps, per currency, until their statement
// is booked.
func TestLedgerCheck(t *testing.T) {
	startSandbox(t)
	batch := writeBatch(t, "CHK1", "10.00", "20.01")
	if code, _, _ := batchtool(t, "ledger", "add", "--create", batch); code != 0 {
		t.Fatal("ledger add failed")
	}
	if code, _, _ := batchtool(t, "collect", "upload", batch, "--profile", "1234"); code != 0 {
		t.Fatal("upload failed")
	}
	code, out, errOut := batchtool(t, "ledger", "check")
	if code != 0 || out != "platform feed: 2 new entr(ies) read, position 1004\nno gap: every collection the platform settled or failed is booked so in the ledger\n" {
		t.Fatalf("first check: exit %d\n%q\n%s", code, out, errOut)
	}
	code, out, errOut = batchtool(t, "ledger", "check")
	if code != 1 || !strings.HasPrefix(out, "platform feed: 0 new entr(ies) read, position 1004\n2 gap(s), 30.01 EUR: the platform reports them, no booked statement line accounts for them\n") ||
		!strings.Contains(out, "  CHK1-E1                                    10.00 EUR  platform PAID, ledger open (want collected)\n") ||
		!strings.Contains(out, "  CHK1-E2                                    20.01 EUR  platform ERROR, ledger open (want returned (AM04))\n") {
		t.Fatalf("second check: exit %d\n%s\n%s", code, out, errOut)
	}
	inbox := t.TempDir()
	if code, _, _ := batchtool(t, "files", "fetch", "--dir", inbox); code != 0 {
		t.Fatal("fetch failed")
	}
	names := dirNames(t, inbox)
	if code, out, errOut := batchtool(t, "reconcile", filepath.Join(inbox, names[0])); code != 0 {
		t.Fatalf("reconcile: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = batchtool(t, "ledger", "check", "--json")
	if code != 0 || !strings.Contains(out, `"gaps": []`) || !strings.Contains(out, `"position": 1004`) {
		t.Fatalf("check after booking: exit %d\n%s\n%s", code, out, errOut)
	}
}
