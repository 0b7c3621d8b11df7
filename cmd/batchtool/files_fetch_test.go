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
	if code, out, errOut := batchtool(t, "collect", "upload", writeBatch(t, "FF1", "10.00", "20.01"), "--profile", "1234"); code != 0 {
		t.Fatalf("upload: exit %d\n%s\n%s", code, out, errOut)
	}
	inbox := t.TempDir()
	code, out, errOut := batchtool(t, "files", "fetch", "--format", "coda", "--out", inbox)
	if code != 0 || !strings.HasPrefix(out, "generated 1 file(s); 1 listed\n  new    "+inbox+"/sdd_twikey_"+sandbox.SampleCreditorID+"-") ||
		!strings.HasSuffix(out, " bytes)\n1 new file(s) in "+inbox+"\n") {
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
	// Nothing new the second time.
	code, out, _ = batchtool(t, "files", "fetch", "--format", "coda", "--out", inbox)
	if code != 0 || out != "generated 0 file(s); 0 listed\n0 new file(s) in "+inbox+"\n" {
		t.Fatalf("second fetch: exit %d\n%q", code, out)
	}

	// A connection that keeps dropping: the file is reported, nothing half
	// written stays behind, and the --reset hint lists it again.
	if code, _, _ := batchtool(t, "collect", "upload", writeBatch(t, "FF2", "30.00"), "--profile", "1234"); code != 0 {
		t.Fatal("second upload failed")
	}
	// --retries 1: two attempts, both dropped.
	srv.Inject(sandbox.Fault{Kind: sandbox.FaultDrop, Path: "/creditor/files/", Count: 2})
	code, out, _ = batchtool(t, "files", "fetch", "--format", "camt", "--out", inbox, "--retries", "1")
	if code != 1 || !strings.Contains(out, "  FAILED sdd_twikey_") || !strings.Contains(out, "connection broke off after") ||
		!strings.Contains(out, "to list the failed files again: batchtool files fetch --no-generate --reset ") {
		t.Fatalf("dropping fetch: exit %d\n%s", code, out)
	}
	if got := dirNames(t, inbox); !slices.Equal(got, names) {
		t.Fatalf("inbox after failed download %v, want %v", got, names)
	}
	i := strings.Index(out, "--reset ")
	reset := strings.Fields(out[i+len("--reset "):])[0]
	code, out, errOut = batchtool(t, "files", "fetch", "--no-generate", "--reset", reset, "--out", inbox)
	if code != 0 || !strings.Contains(out, ".xml (") || strings.Contains(out, "FAILED") {
		t.Fatalf("fetch with reset: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := batchtool(t, "files", "fetch", "--format", "pdf", "--out", inbox); code != 2 || !strings.Contains(errOut, `--format "pdf": want camt or coda`) {
		t.Fatalf("bad format: exit %d %q", code, errOut)
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
