package coda

import (
	"io"
	"os"
	"runtime/debug"
	"testing"
)

func TestZZProf(t *testing.T) {
	p := os.Getenv("ZZFILE")
	if p == "" {
		t.Skip()
	}
	debug.SetGCPercent(400)
	data, _ := os.ReadFile(p)
	_ = data
	for i := 0; i < 4; i++ {
		f, _ := os.Open(p)
		r := NewReader(f, "x")
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
		}
		f.Close()
	}
}
