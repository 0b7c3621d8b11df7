package statement

import (
	"runtime"
	"slices"
	"sync"

	"github.com/batchtool/batchtool/pkg/finding"
)

// InOrder calls work(i) for every i in [0, n) on up to GOMAXPROCS
// goroutines, and use(i, v) with each result on the caller's goroutine in
// the order of i — so several files are read on all cores while what is
// written of them (a report, a ledger transaction per file) keeps the order
// of the arguments. At most GOMAXPROCS results wait for use: a slow use
// holds the workers back rather than letting results pile up in memory.
func InOrder[T any](n int, work func(i int) T, use func(i int, v T)) {
	InOrderN(n, runtime.GOMAXPROCS(0), work, use)
}

// InOrderN is InOrder on up to workers goroutines.
func InOrderN[T any](n, workers int, work func(i int) T, use func(i int, v T)) {
	workers = min(workers, n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			use(i, work(i))
		}
		return
	}
	// slot i%workers carries result i; i is handed out only when use has
	// taken i-workers, so no more than workers results are in flight and
	// next never holds more than workers indices.
	slots := make([]chan T, workers)
	for k := range slots {
		slots[k] = make(chan T, 1)
	}
	next := make(chan int, workers)
	for i := 0; i < workers; i++ {
		next <- i
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				slots[i%workers] <- work(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		v := <-slots[i%workers]
		if j := i + workers; j < n {
			next <- j
		}
		use(i, v)
	}
	close(next)
	wg.Wait()
}

// AheadReader reads a Reader on a goroutine of its own, a few batches of
// entries ahead of its caller, so that reading a file and what the caller
// does with its entries (flattening, booking in a ledger) run on two cores.
// Memory stays bounded: the goroutine waits when it is aheadBatches batches
// ahead.
//
// Readers fill in a statement's closing balance and totals while later
// entries are read; the caller gets each entry with a copy of its statement
// as it stood at the statement's first entry, so it never reads what the
// goroutine writes. Statements returns the reader's own, complete once Next
// returned io.EOF.
type AheadReader struct {
	src     Reader
	mu      sync.Mutex // held around src.Next, so Findings and Statements see a settled reader
	batches chan aheadBatch
	stop    chan struct{}
	done    chan struct{}
	cur     []*Entry
	err     error
}

type aheadBatch struct {
	entries []*Entry
	err     error // after the entries: io.EOF at the end
}

const (
	aheadEntries = 256
	aheadBatches = 4
)

// ReadAhead starts reading src. Close stops it.
func ReadAhead(src Reader) *AheadReader {
	a := &AheadReader{src: src, batches: make(chan aheadBatch, aheadBatches), stop: make(chan struct{}), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *AheadReader) run() {
	defer close(a.done)
	defer close(a.batches)
	var last, copied *Statement
	for {
		b := aheadBatch{entries: make([]*Entry, 0, aheadEntries)}
		for len(b.entries) < aheadEntries {
			a.mu.Lock()
			e, err := a.src.Next()
			a.mu.Unlock()
			if err != nil {
				b.err = err
				break
			}
			if e.Statement != nil {
				if e.Statement != last {
					last = e.Statement
					c := *last
					copied = &c
				}
				e.Statement = copied
			}
			b.entries = append(b.entries, e)
		}
		select {
		case a.batches <- b:
		case <-a.stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

// Next returns the next entry, or the reader's error (io.EOF at the end).
func (a *AheadReader) Next() (*Entry, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return nil, a.err
		}
		b, ok := <-a.batches
		if !ok {
			a.err = ErrClosed
			return nil, a.err
		}
		a.cur, a.err = b.entries, b.err
	}
	e := a.cur[0]
	a.cur = a.cur[1:]
	return e, nil
}

// Findings returns what the reader found so far (it may be a few batches
// further than the caller).
func (a *AheadReader) Findings() []finding.Finding {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.src.Findings())
}

// Statements returns the reader's statements.
func (a *AheadReader) Statements() []*Statement {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.src.Statements())
}

// Close stops the goroutine and waits for it. It may be called more than
// once.
func (a *AheadReader) Close() {
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
	<-a.done
}

type closedError struct{}

func (closedError) Error() string { return "statement reader closed" }

// ErrClosed is what Next of an AheadReader returns after Close.
var ErrClosed error = closedError{}

// Split cuts a file of size bytes into parts of about target bytes for a
// reader that reads it in parts (coda.ReadParallel, camt.ReadParallel):
// the first part begins at 0, each next one where nextCut, asked from
// target bytes past the last cut, says a part may begin (-1: nowhere
// further). part makes the reader's own type of part from an offset and
// a length.
func Split[P any](size, target int64, nextCut func(from int64) (int64, error), part func(off, n int64) P) ([]P, error) {
	cuts := []int64{0}
	for t := target; t < size; {
		c, err := nextCut(t)
		if err != nil {
			return nil, err
		}
		if c < 0 {
			break
		}
		cuts = append(cuts, c)
		t = c + target
	}
	parts := make([]P, len(cuts))
	for i, c := range cuts {
		end := size
		if i+1 < len(cuts) {
			end = cuts[i+1]
		}
		parts[i] = part(c, end-c)
	}
	return parts, nil
}
