// Package testutil finds the shared corpus and schemas for tests and checks
// XML against the official XSDs with xmllint.
package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// SharedDir returns the shared/ folder that lies beside the repository
// (../shared from the repository root), or $BATCHTOOL_SHARED when set. The
// test is skipped with a message when it is absent, so a fresh clone passes.
func SharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("BATCHTOOL_SHARED"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	d := filepath.Join(root, "..", "shared")
	if _, err := os.Stat(filepath.Join(d, "corpus")); err != nil {
		t.Skipf("skipping: shared corpus not found at %s (set BATCHTOOL_SHARED)", d)
	}
	return d
}

// Corpus returns the files of one corpus format folder (camt053, coda, ...).
func Corpus(t testing.TB, format string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(SharedDir(t), "corpus", format, "*"))
	if err != nil || len(files) == 0 {
		t.Skipf("skipping: no %s files in the shared corpus", format)
	}
	return files
}

// XSD returns the path of a schema in shared/xsd, e.g. XSD(t, "pain.008", "pain.008.001.02.xsd").
func XSD(t testing.TB, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{SharedDir(t), "xsd"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: schema %s not found", p)
	}
	return p
}

// Xmllint validates file against schema with `xmllint --schema`. It fails
// the test with xmllint's output when the file is not valid, and skips when
// xmllint is not installed (make test installs it through .ci/run).
func Xmllint(t testing.TB, schema, file string) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("xmllint is required in CI (apt-get install libxml2-utils)")
		}
		t.Skip("skipping: xmllint not installed (apt-get install libxml2-utils)")
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", schema, file).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint --schema %s %s: %v\n%s", filepath.Base(schema), file, err, strings.TrimSpace(string(out)))
	}
}
