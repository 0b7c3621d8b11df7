package due

import (
	"hash/maphash"
	"math/bits"
)

// idSet remembers the end-to-end ids of a file and the line where each was
// first used, as a 64-bit hash and a 32-bit line, in a table held at most
// 80% full: 12 to 18 bytes an id (12 to 18 MiB for a million), where a
// map of strings took ~100 bytes an id and pinned every CSV record the ids
// were cut from. Two different ids share a hash with probability about
// n²/2^65 over a file (3e-8 for a million); such a pair would be reported as
// a duplicate naming the other line, where a person sees the ids differ. A
// real duplicate is never missed.
type idSet struct {
	seed  maphash.Seed
	slots []uint64 // 0 = empty; a hash of 0 is stored as 1
	lines []uint32
	n     int
}

// add records id, first used on line, and reports the line of its first
// use when it was seen before.
func (s *idSet) add(id string, line int) (first int, dup bool) {
	if s.slots == nil {
		s.seed = maphash.MakeSeed()
	}
	if s.n*5 >= len(s.slots)*4 {
		s.grow()
	}
	h := maphash.String(s.seed, id)
	if h == 0 {
		h = 1
	}
	n := uint64(len(s.slots))
	for i, _ := bits.Mul64(h, n); ; {
		switch s.slots[i] {
		case 0:
			s.slots[i], s.lines[i] = h, uint32(min(line, 1<<32-1))
			s.n++
			return 0, false
		case h:
			return int(s.lines[i]), true
		}
		if i++; i == n {
			i = 0
		}
	}
}

// grow makes the table half as large again and puts every hash back.
func (s *idSet) grow() {
	oldSlots, oldLines := s.slots, s.lines
	size := max(len(oldSlots)+len(oldSlots)/2, 1024)
	s.slots, s.lines = make([]uint64, size), make([]uint32, size)
	n := uint64(size)
	for j, h := range oldSlots {
		if h == 0 {
			continue
		}
		i, _ := bits.Mul64(h, n)
		for s.slots[i] != 0 {
			if i++; i == n {
				i = 0
			}
		}
		s.slots[i], s.lines[i] = h, oldLines[j]
	}
}
