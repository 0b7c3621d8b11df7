package inspect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/camt"
)

// TestInspectCamtInParts: a camt file read in parts (of a few KB, so that
// the corpus's files are cut too) gives the inspection one Reader gives,
// byte for byte as JSON: statements that span parts summed up once, the
// findings, the error; and a SummaryOnly Reader the inspection of a full
// one.
func TestInspectCamtInParts(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "camt05*", "*.xml"))
	if len(files) == 0 {
		t.Skip("no corpus at ../shared/corpus")
	}
	halfyear := ""
	for _, f := range files {
		if strings.Contains(f, "halfyear") {
			halfyear = f
		}
	}
	data, err := os.ReadFile(halfyear)
	if err != nil {
		t.Fatal(err)
	}
	// the half-year file twice over as three statements, one a wrong
	// closing balance, one with a bad date in the middle, one cut short
	dir := t.TempDir()
	s := string(data)
	i, j := strings.Index(s, "<Stmt>"), strings.LastIndex(s, "</Stmt>")+len("</Stmt>")
	stmt := s[i:j]
	k := strings.Index(stmt, "<Ntry>") + len(stmt)/2
	for name, text := range map[string]string{
		"three.xml":     s[:j] + stmt + strings.Replace(stmt, "<Cd>CLBD</Cd>", "<Cd>XXXX</Cd>", 1) + s[j:],
		"baddate.xml":   s[:i] + stmt[:k] + strings.Replace(stmt[k:], "<BookgDt><Dt>2", "<BookgDt><Dt>x", 1) + s[j:],
		"truncated.xml": s[:i+k],
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	cut := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.MarshalIndent(inspectReader(path, FormatCamt, bufio.NewReader(bytes.NewReader(data))), "", " ")
		// the reader's SummaryOnly leaves out nothing the summary reads
		full, err := summarizeReader(path, FormatCamt, camt.NewReader(bytes.NewReader(data), path))
		if err != nil {
			full.Findings = append(full.Findings, ErrorFinding(path, err))
		}
		if b, _ := json.MarshalIndent(full, "", " "); !bytes.Equal(b, want) {
			t.Errorf("%s SummaryOnly:\n%.3000s\nfull read:\n%.3000s", filepath.Base(path), want, b)
		}
		for _, size := range []int64{1500, 6000} {
			got, _ := json.MarshalIndent(inspectCamtParts(path, bytes.NewReader(data), int64(len(data)), nil, camt.Parts{Workers: 2, Size: size}), "", " ")
			if !bytes.Equal(got, want) {
				t.Errorf("%s in parts of %d bytes:\n%.3000s\none Reader:\n%.3000s", filepath.Base(path), size, got, want)
			}
			if int64(len(data)) >= 2*size {
				cut++
			}
		}
	}
	if cut < 10 {
		t.Errorf("only %d files were cut", cut)
	}
}
