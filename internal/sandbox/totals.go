package sandbox

import "github.com/shopspring/decimal"

// Movements returns how many account movements the platform has made
// (each one statement entry once it is in a file) and their signed sum in
// euro: what a ledger that booked every statement must hold.
func (s *Server) Movements() (int, decimal.Decimal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := decimal.Zero
	for _, m := range s.st.Movements {
		sum = sum.Add(m.Amount)
	}
	return len(s.st.Movements), sum
}
