package pain008

import "math/bits"

// hashSet remembers 64-bit hashes of identifiers (EndToEndId, PmtInfId,
// mandate + sequence type) to detect duplicates in files of millions of
// transactions: 8 bytes a slot in an open-addressing table at most 80% full
// (10 to 15 bytes an identifier) instead of ~100 bytes per string in a
// map[string]bool. Two different identifiers
// collide with probability about n²/2^65 (3e-8 for a million), which we
// accept: a reported duplicate is then a false alarm the user can see is
// wrong, never a missed one.
type hashSet struct {
	slots []uint64 // 0 = empty; a hash of 0 is stored as 1
	n     int
}

// add inserts h and reports whether it was new.
func (s *hashSet) add(h uint64) bool {
	if h == 0 {
		h = 1
	}
	if s.n*5 >= len(s.slots)*4 {
		s.grow()
	}
	n := uint64(len(s.slots))
	for i, _ := bits.Mul64(h, n); ; {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			s.n++
			return true
		case h:
			return false
		}
		if i++; i == n {
			i = 0
		}
	}
}

// has reports whether h is in the set.
func (s *hashSet) has(h uint64) bool {
	if h == 0 {
		h = 1
	}
	if len(s.slots) == 0 {
		return false
	}
	n := uint64(len(s.slots))
	for i, _ := bits.Mul64(h, n); ; {
		switch s.slots[i] {
		case 0:
			return false
		case h:
			return true
		}
		if i++; i == n {
			i = 0
		}
	}
}

func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(len(old)+len(old)/2, 1024))
	s.n = 0
	for _, h := range old {
		if h != 0 {
			s.add(h)
		}
	}
}

// hashString is 64-bit FNV-1a followed by a murmur3 finaliser, so that the
// high bits that choose a slot are well mixed.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
