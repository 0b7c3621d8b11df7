package sandbox

import (
	"testing"
	"time"
)

// TestSaveDue: the state is written at most every saveEvery, and no more
// often than every four times what its last write took, so a slow write of
// a large state does not keep the lock most of the time.
func TestSaveDue(t *testing.T) {
	tests := []struct {
		name      string
		sinceLast time.Duration
		cost      time.Duration
		want      bool
	}{
		{"just written", 10 * time.Millisecond, time.Millisecond, false},
		{"cheap write, saveEvery passed", 300 * time.Millisecond, time.Millisecond, true},
		{"slow write, saveEvery passed", 300 * time.Millisecond, 200 * time.Millisecond, false},
		{"slow write, four times its cost passed", 900 * time.Millisecond, 200 * time.Millisecond, true},
	}
	for _, tt := range tests {
		s := &Server{lastSave: time.Now().Add(-tt.sinceLast), saveCost: tt.cost}
		if got := s.saveDueLocked(); got != tt.want {
			t.Errorf("%s: saveDueLocked() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
