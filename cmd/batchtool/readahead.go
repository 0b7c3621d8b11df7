package main

import (
	"runtime"
	"slices"
	"sync"

	"github.com/batchtool/batchtool/pkg/finding"
	"github.com/batchtool/batchtool/pkg/statement"
)

// aheadReader reads a statement.Reader on a goroutine of its own, a few
// batches of entries ahead of its caller, so that reading a file and what
// the caller does with its entries (flattening, booking in the ledger) run
// on two cores. Memory stays bounded: the goroutine waits when it is
// aheadBatches batches ahead.
//
// Readers fill in a statement's closing balance and totals while later
// entries are read; the caller gets each entry with a copy of its statement
// as it stood at the statement's first entry, so it never reads what the
// goroutine writes. Statements returns the readers' own, complete once Next
// returned io.EOF.
type aheadReader struct {
	src     statement.Reader
	mu      sync.Mutex // held around src.Next, so Findings and Statements see a settled reader
	batches chan aheadBatch
	stop    chan struct{}
	done    chan struct{}
	cur     []*statement.Entry
	err     error
}

type aheadBatch struct {
	entries []*statement.Entry
	err     error // after the entries: io.EOF at the end
}

const (
	aheadEntries = 256
	aheadBatches = 4
)

// readAhead starts reading src. Close stops it.
func readAhead(src statement.Reader) *aheadReader {
	a := &aheadReader{src: src, batches: make(chan aheadBatch, aheadBatches), stop: make(chan struct{}), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *aheadReader) run() {
	defer close(a.done)
	defer close(a.batches)
	var last, copied *statement.Statement
	for {
		b := aheadBatch{entries: make([]*statement.Entry, 0, aheadEntries)}
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
func (a *aheadReader) Next() (*statement.Entry, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return nil, a.err
		}
		b, ok := <-a.batches
		if !ok {
			a.err = errClosed
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
func (a *aheadReader) Findings() []finding.Finding {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.src.Findings())
}

// Statements returns the reader's statements.
func (a *aheadReader) Statements() []*statement.Statement {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.src.Statements())
}

// Close stops the goroutine and waits for it.
func (a *aheadReader) Close() {
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
	<-a.done
}

type closedError struct{}

func (closedError) Error() string { return "statement reader closed" }

var errClosed error = closedError{}

// inParallel calls do(i) for i in [0, n) on up to GOMAXPROCS goroutines and
// returns when all are done: the callers keep results by index, so they
// come out in the order of the arguments.
func inParallel(n int, do func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				do(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
