package ubl

import (
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMutatedInputs reads 1000 randomly damaged copies of the test invoice
// (bytes changed, cut short, dropped): every read ends within 2 s, without
// panic, and an error names the file.
func TestMutatedInputs(t *testing.T) {
	seed, _ := os.ReadFile("testdata/invoice-sdd.xml")
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 1000; i++ {
		b := append([]byte(nil), seed...)
		for k := 0; k < 1+r.Intn(4) && len(b) > 1; k++ {
			switch r.Intn(3) {
			case 0:
				b[r.Intn(len(b))] = byte(r.Intn(256))
			case 1:
				j := r.Intn(len(b))
				b = b[:j]
			case 2:
				j := r.Intn(len(b))
				b = append(b[:j], b[j+1:]...)
			}
		}
		done := make(chan bool)
		go func() {
			defer close(done)
			inv, _, err := Read(strings.NewReader(string(b)), "f.xml")
			if err != nil && !strings.HasPrefix(err.Error(), "f.xml:") {
				t.Errorf("error without position: %v", err)
			}
			if err == nil {
				inv.Validate()
				inv.DirectDebit()
			}
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatalf("input %d does not finish: %q", i, b)
		}
	}
}
