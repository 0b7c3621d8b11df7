package due

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math/bits"
	"os"
	"slices"
)

// idSet remembers the end-to-end ids of a file and the line where each was
// first used, in memory that does not grow with the file.
//
// An id is kept as a 96-bit keyed hash (two maphash values of 64 and 32
// bits) and a 32-bit line: 16 bytes. Two different ids of a file of n rows
// share a hash with a probability of about n²/2^97 (6e-16 for ten
// million), and would then be reported as a duplicate naming the other
// line, where a person sees the ids differ; a real duplicate is never
// missed.
//
// The newest ids are in an open-addressing table of at most memCap
// entries (16 MiB). When it is full its entries are sorted and written to
// a run: a file of sorted entries, mapped into memory read-only (the page
// cache holds it, not the Go heap) and removed from the directory at once,
// so that nothing is left behind whatever happens to the process. A new
// run is merged with the runs before it that are not larger, so there are
// at most log2(n/memCap) runs, each found in by a 64K-bucket index and a
// binary search within a bucket. Up to memCap ids (786,432) no file is
// made at all.
type idSet struct {
	seed1, seed2 maphash.Seed
	slots        []idEntry // open addressing; h1 == 0 is an empty slot
	n            int       // entries in slots
	runs         []*idRun  // oldest (largest) first
	dir          string    // where runs are written; "" is os.TempDir()
	memCap       int       // entries in slots before they go to a run
	sink         uint64    // what prefetch loaded, kept so that the loads are not optimised away
}

// idEntry is one id: its hashes and the line of its first use.
type idEntry struct {
	h1       uint64 // never 0 (a hash of 0 is taken as 1)
	h2, line uint32
}

// memSlots is the table size at which entries go to a run (held at most 75%
// full): 2^20 slots of 16 bytes.
const memSlots = 1 << 20

// add records id, first used on line, and reports the line of its first
// use when it was seen before. An error is a run that could not be
// written (the disk is full): the file cannot be checked on.
func (s *idSet) add(id string, line int) (first int, dup bool, err error) {
	return s.insert(s.entry(id, line))
}

// entry returns the entry of id, first used on line.
func (s *idSet) entry(id string, line int) idEntry {
	if s.slots == nil {
		s.seed1, s.seed2 = maphash.MakeSeed(), maphash.MakeSeed()
		if s.memCap == 0 {
			s.memCap = memSlots / 4 * 3
		}
		s.grow()
	}
	e := idEntry{h1: maphash.String(s.seed1, id), h2: uint32(maphash.String(s.seed2, id)), line: uint32(min(line, 1<<32-1))}
	if e.h1 == 0 {
		e.h1 = 1
	}
	return e
}

// prefetch loads the table slots and run buckets where the entries es
// will be looked for, one after the other without waiting for each: the
// table and the runs are far larger than the CPU's caches, and a lookup
// that waits for its own cache miss costs more than the rest of a row's
// id check. Inserting es in order afterwards finds them in the cache.
func (s *idSet) prefetch(es []idEntry) {
	var sink uint64
	n := uint64(len(s.slots))
	for _, e := range es {
		i, _ := bits.Mul64(e.h1, n)
		sink += s.slots[i].h1
	}
	for _, r := range s.runs {
		for _, e := range es {
			b := e.h1 >> 48
			lo, hi := r.start[b], r.start[b+1]
			if lo < hi {
				sink += uint64(r.data[(lo+hi)/2*idEntrySize])
			}
		}
	}
	s.sink = sink
}

// insert records e unless an entry with its hashes is there, whose line
// it returns.
func (s *idSet) insert(e idEntry) (first int, dup bool, err error) {
	if s.n*4 >= len(s.slots)*3 {
		s.grow()
	}
	n := uint64(len(s.slots))
	i, _ := bits.Mul64(e.h1, n)
	for ; s.slots[i].h1 != 0; i = (i + 1) & (n - 1) {
		if s.slots[i].h1 == e.h1 && s.slots[i].h2 == e.h2 {
			return int(s.slots[i].line), true, nil
		}
	}
	for _, r := range s.runs {
		if l, ok := r.find(e.h1, e.h2); ok {
			return int(l), true, nil
		}
	}
	s.slots[i] = e
	s.n++
	if s.n >= s.memCap {
		return 0, false, s.spill()
	}
	return 0, false, nil
}

// grow doubles the table and puts every entry back.
func (s *idSet) grow() {
	old := s.slots
	s.slots = make([]idEntry, max(2*len(old), 1024))
	n := uint64(len(s.slots))
	for _, e := range old {
		if e.h1 == 0 {
			continue
		}
		i, _ := bits.Mul64(e.h1, n)
		for s.slots[i].h1 != 0 {
			i = (i + 1) & (n - 1)
		}
		s.slots[i] = e
	}
}

// spill moves the table's entries to a run, merged with the newest runs
// that are not larger, and empties the table.
func (s *idSet) spill() error {
	es := s.slots[:0]
	for _, e := range s.slots {
		if e.h1 != 0 {
			es = append(es, e) // in place: the write index never passes the read index
		}
	}
	slices.SortFunc(es, func(a, b idEntry) int { return cmp.Compare(a.h1, b.h1) })
	var merge []*idRun
	for total := len(es); len(s.runs) > 0 && s.runs[len(s.runs)-1].n <= total; {
		last := s.runs[len(s.runs)-1]
		merge = append(merge, last)
		total += last.n
		s.runs = s.runs[:len(s.runs)-1]
	}
	r, err := writeRun(s.dir, es, merge)
	for _, m := range merge {
		m.close()
	}
	if err != nil {
		return err
	}
	s.runs = append(s.runs, r)
	clear(s.slots)
	s.n = 0
	return nil
}

// close releases the runs.
func (s *idSet) close() {
	for _, r := range s.runs {
		r.close()
	}
	s.runs, s.slots, s.n = nil, nil, 0
}

// idRun is a run: n entries sorted by h1, 16 bytes each (h1, h2, line,
// little-endian), in data; start[b] is the index of the first entry whose
// h1 has b as its top 16 bits.
type idRun struct {
	data  []byte
	n     int
	start []uint32 // 1<<16 + 1 bucket starts
	unmap func()
}

const idEntrySize = 16

func (r *idRun) at(i int) idEntry {
	b := r.data[i*idEntrySize : i*idEntrySize+idEntrySize]
	return idEntry{h1: binary.LittleEndian.Uint64(b), h2: binary.LittleEndian.Uint32(b[8:]), line: binary.LittleEndian.Uint32(b[12:])}
}

// find returns the line of the entry with hashes h1, h2.
func (r *idRun) find(h1 uint64, h2 uint32) (uint32, bool) {
	b := h1 >> 48
	lo, hi := int(r.start[b]), int(r.start[b+1])
	for lo < hi { // the first entry with h1 not below the one sought
		m := int(uint(lo+hi) >> 1)
		if binary.LittleEndian.Uint64(r.data[m*idEntrySize:]) < h1 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for ; lo < r.n; lo++ {
		e := r.at(lo)
		if e.h1 != h1 {
			break
		}
		if e.h2 == h2 {
			return e.line, true
		}
	}
	return 0, false
}

func (r *idRun) close() {
	if r.unmap != nil {
		r.unmap()
	}
	r.data, r.unmap = nil, nil
}

// writeRun writes the sorted entries es merged with the runs rs into a new
// run file and maps it.
func writeRun(dir string, es []idEntry, rs []*idRun) (*idRun, error) {
	f, err := os.CreateTemp(dir, "batchtool-ids-*")
	if err != nil {
		return nil, fmt.Errorf("end-to-end id set: %w", err)
	}
	name := f.Name()
	defer os.Remove(name) // after Close, where an open file cannot be removed
	defer f.Close()
	os.Remove(name) // where it can: the mapping outlives the name, nothing is left behind
	w := bufio.NewWriterSize(f, 256<<10)
	r := &idRun{start: make([]uint32, 1<<16+1)}
	pos := make([]int, len(rs)) // next entry of each run
	var buf [idEntrySize]byte
	for {
		// The smallest head of es and the runs (a handful of them).
		best, from := idEntry{}, -2
		if len(es) > 0 {
			best, from = es[0], -1
		}
		for j, m := range rs {
			if pos[j] < m.n {
				if e := m.at(pos[j]); from == -2 || e.h1 < best.h1 {
					best, from = e, j
				}
			}
		}
		if from == -2 {
			break
		}
		if from == -1 {
			es = es[1:]
		} else {
			pos[from]++
		}
		binary.LittleEndian.PutUint64(buf[:], best.h1)
		binary.LittleEndian.PutUint32(buf[8:], best.h2)
		binary.LittleEndian.PutUint32(buf[12:], best.line)
		w.Write(buf[:])
		r.start[best.h1>>48+1]++
		r.n++
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("end-to-end id set: %w", err)
	}
	for b := 1; b < len(r.start); b++ {
		r.start[b] += r.start[b-1]
	}
	if r.data, r.unmap, err = mapFile(f, r.n*idEntrySize); err != nil {
		return nil, fmt.Errorf("end-to-end id set: %w", err)
	}
	return r, nil
}
