package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/internal/sandbox"
	"github.com/batchtool/batchtool/internal/testutil"
	"github.com/batchtool/batchtool/pkg/ledger"
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/reconcile"
	"github.com/batchtool/batchtool/pkg/twikey"
)

// countingProvider is a payment request provider that counts what it is
// sent, per external id, and answers States: the requests whose number is
// odd paid, the others expired.
type countingProvider struct {
	mu    sync.Mutex
	sent  map[string]int
	asked map[string]int // States, per external id
	delay time.Duration  // of each send: workers meet in it
}

func (p *countingProvider) Name() string { return "fake" }
func (p *countingProvider) IDLimit() int { return 35 }

func (p *countingProvider) Prepare(pr *ledger.PaymentRequest) (func(context.Context) (string, string, error), error) {
	return func(context.Context) (string, string, error) {
		time.Sleep(p.delay)
		p.mu.Lock()
		defer p.mu.Unlock()
		p.sent[pr.ExternalID]++
		return "ref-" + pr.ExternalID, "https://pay.example/" + pr.ExternalID, nil
	}, nil
}

func (p *countingProvider) Find(context.Context, []ledger.PaymentRequest) (map[string]pipeline.Sent, error) {
	return nil, nil
}

func (p *countingProvider) States(_ context.Context, open []ledger.PaymentRequest) ([]pipeline.RequestState, error) {
	var out []pipeline.RequestState
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range open {
		p.asked[pr.ExternalID]++
		var n int
		fmt.Sscanf(pr.ExternalID, "INV-%d", &n)
		if n%2 == 1 {
			out = append(out, pipeline.RequestState{Request: pr, Paid: &ledger.Payment{Amount: pr.Amount, Payer: "payer"}})
		} else {
			out = append(out, pipeline.RequestState{Request: pr, Closed: ledger.RequestExpired, Note: "expired"})
		}
	}
	return out, nil
}

// TestRequestsAmongWorkers: four workers, each with a ledger handle of its
// own on one PostgreSQL ledger, send the payment requests for 60 overdue
// invoices — one started first, the others while it is sending — and then
// sync them all at once. Each request is sent once and synced (booked or
// closed) once; none is skipped or recovered from a live worker, and no
// worker fails on a request another closed. Before the claims, a late
// worker adopted the first one's pending requests and sent them again, and
// a second sync failed closing a request the first had closed.
func TestRequestsAmongWorkers(t *testing.T) {
	url := testutil.PostgresLedger(t)
	if url == "" {
		t.Skip("skipping: " + testutil.PostgresEnv + " is not set")
	}
	const items, workers = 60, 4
	ctx := context.Background()
	setup, err := ledger.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	k := 0
	if _, err := setup.AddInvoices(ctx, "erp", func() (*reconcile.Invoice, error) {
		if k == items {
			return nil, io.EOF
		}
		k++
		return &reconcile.Invoice{Number: fmt.Sprintf("INV-%d", k), CustomerName: "Customer", Amount: decimal.New(int64(1000+k), -2), Currency: "EUR",
			DueDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
	}); err != nil {
		t.Fatal(err)
	}
	setup.Close()
	p := &countingProvider{sent: map[string]int{}, asked: map[string]int{}, delay: 10 * time.Millisecond}
	sel := ledger.UnpaidSelection{Invoices: true, DueBefore: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}

	handles := make([]*ledger.DB, workers)
	for i := range handles {
		if handles[i], err = ledger.Open(url); err != nil {
			t.Fatal(err)
		}
		defer handles[i].Close()
	}
	created := make([]*pipeline.CreateResult, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i, l := range handles {
		if i == 1 { // the others start while the first is sending
			for sent := 0; sent < 3; time.Sleep(time.Millisecond) {
				p.mu.Lock()
				sent = len(p.sent)
				p.mu.Unlock()
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			run, err := l.BeginRun(ctx, "payreq create")
			if err == nil {
				created[i], err = pipeline.CreateRequests(ctx, l, p, sel, run)
				l.FinishRun(ctx, run, "{}")
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	var total, elsewhere int
	for i, r := range created {
		if errs[i] != nil || r.Skipped != 0 || r.Recovered != 0 || r.Refused+r.Failed != 0 {
			t.Errorf("worker %d: %+v %v", i+1, r, errs[i])
		}
		total, elsewhere = total+r.Created, elsewhere+r.Elsewhere
	}
	if total != items || len(p.sent) != items {
		t.Errorf("created %d, %d external ids sent; want %d", total, len(p.sent), items)
	}
	for id, n := range p.sent {
		if n != 1 {
			t.Errorf("%s sent %d times", id, n)
		}
	}
	t.Logf("created per worker: %d %d %d %d; left to another %d", created[0].Created, created[1].Created, created[2].Created, created[3].Created, elsewhere)

	var paid, closed int
	for i, l := range handles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, _, err := pipeline.Sync(ctx, l, []string{"fake"}, func(string) (pipeline.Requester, error) { return p, nil }, nil)
			p.mu.Lock()
			defer p.mu.Unlock()
			for _, r := range res {
				paid, closed = paid+r.Paid, closed+r.Closed
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("sync, worker %d: %v", i+1, err)
		}
	}
	if paid != items/2 || closed != items/2 {
		t.Errorf("synced: %d paid, %d closed; want %d and %d", paid, closed, items/2, items/2)
	}
	for id, n := range p.asked {
		if n != 1 {
			t.Errorf("%s: the provider was asked %d times", id, n)
		}
	}
	c, err := handles[0].Counts(ctx)
	if err != nil || c.Requests["paid"] != items/2 || c.Requests["expired"] != items/2 {
		t.Errorf("requests in the ledger: %v %v", c.Requests, err)
	}
}

// TestFetchAmongWorkers: four workers, each with a ledger handle, a
// platform session and a download folder of its own, fetch at once from
// one platform holding 12 statement files: the feed is listed by whichever
// holds it (the others leave it, ListedBy), and each file is downloaded by
// exactly one worker; none is owed or failed. Without the claims every
// worker downloaded every file it found listed.
func TestFetchAmongWorkers(t *testing.T) {
	url := testutil.PostgresLedger(t)
	if url == "" {
		t.Skip("skipping: " + testutil.PostgresEnv + " is not set")
	}
	const files, workers = 12, 4
	ctx := context.Background()
	platform := sandbox.New(t.TempDir(), sandbox.Options{})
	if err := platform.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer platform.Close()
	client := func() *twikey.Client {
		c, err := twikey.New(twikey.Options{BaseURL: platform.URL(), APIToken: sandbox.DefaultToken, MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	setup := client()
	for i := range files { // one file each: a credit, then a generation
		platform.Credit(decimal.New(int64(100+i), 0), "Payer", "BE71096123456769", fmt.Sprintf("transfer %d", i))
		if n, err := setup.GenerateFiles(ctx, twikey.GenerateFilesRequest{SDD: true, Format: twikey.FormatCAMT}); n != 1 || err != nil {
			t.Fatalf("generate: %d %v", n, err)
		}
	}
	results := make([]*pipeline.FetchResult, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		l, err := ledger.Open(url)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		c, dir := client(), t.TempDir()
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = pipeline.Fetch(ctx, c, l, pipeline.FetchOptions{Format: twikey.FormatCAMT, Dir: dir, Generate: true})
		}()
	}
	wg.Wait()
	got := map[string]int{}
	listedBy := 0
	for i, r := range results {
		if errs[i] != nil || r.Failed() || len(r.Owed) != 0 {
			t.Fatalf("worker %d: %+v %v", i+1, r, errs[i])
		}
		for _, f := range r.Files {
			got[f.Name]++
		}
		if r.ListedBy != "" {
			listedBy++
		}
		t.Logf("worker %d: listed %d, downloaded %d, left %d to others, listing left to another: %t", i+1, r.Listed, len(r.Files), len(r.Elsewhere), r.ListedBy != "")
	}
	if len(got) != files {
		t.Errorf("%d files downloaded, want %d", len(got), files)
	}
	for name, n := range got {
		if n != 1 {
			t.Errorf("%s downloaded %d times", name, n)
		}
	}
	if n := platform.Stats()["GET /creditor/files/{name}"]; n != files {
		t.Errorf("%d downloads from the platform, want %d", n, files)
	}
}

// BenchmarkRequestsAmongWorkers sends payment requests for 200 overdue
// invoices with 1, 2 and 4 workers on one PostgreSQL ledger (each with a
// handle of its own), the provider answering each call in 20 ms (a
// network round trip), and reports requests/s: what the claims let
// workers add when the provider's latency, not the ledger, bounds a
// night. BATCHTOOL_TEST_POSTGRES names the server; run with -benchtime 1x.
func BenchmarkRequestsAmongWorkers(b *testing.B) {
	if testutil.PostgresLedger(b) == "" {
		b.Skip("skipping: " + testutil.PostgresEnv + " is not set")
	}
	const items = 200
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				url := testutil.PostgresLedger(b)
				setup, err := ledger.Open(url)
				if err != nil {
					b.Fatal(err)
				}
				k := 0
				if _, err := setup.AddInvoices(context.Background(), "erp", func() (*reconcile.Invoice, error) {
					if k == items {
						return nil, io.EOF
					}
					k++
					return &reconcile.Invoice{Number: fmt.Sprintf("INV-%d", k), Amount: decimal.New(int64(1000+k), -2), Currency: "EUR",
						DueDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, nil
				}); err != nil {
					b.Fatal(err)
				}
				setup.Close()
				p := &countingProvider{sent: map[string]int{}, asked: map[string]int{}, delay: 20 * time.Millisecond}
				sel := ledger.UnpaidSelection{Invoices: true, DueBefore: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
				handles := make([]*ledger.DB, workers)
				for i := range handles {
					if handles[i], err = ledger.Open(url); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for _, l := range handles {
					wg.Add(1)
					go func() {
						defer wg.Done()
						run, _ := l.BeginRun(context.Background(), "payreq create")
						if _, err := pipeline.CreateRequests(context.Background(), l, p, sel, run); err != nil {
							b.Error(err)
						}
					}()
				}
				wg.Wait()
				took := time.Since(start)
				b.StopTimer()
				for _, l := range handles {
					l.Close()
				}
				if len(p.sent) != items {
					b.Fatalf("%d sent, want %d", len(p.sent), items)
				}
				b.ReportMetric(float64(items)/took.Seconds(), "requests/s")
				b.StartTimer()
			}
		})
	}
}
