// Command cli times batchtool's real commands on large generated files and
// prints MB/s (of input, wall clock and per CPU-second of the child) and the
// child's peak RSS. The files are written by batchtool's own writers
// (pkg/coda, pkg/camt; the due CSV with encoding/csv) into a temporary
// folder that is removed afterwards.
//
//	go run ./cli -bin ../bin/batchtool -size 100MB
//	go run ./cli -bin old=/tmp/bt-old -bin new=../bin/batchtool   # before/after, interleaved
//
// `make bench-cli` (BENCH_SIZE=1GB for the large run) builds batchtool and
// runs it.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/sepa"
	"github.com/batchtool/batchtool/pkg/statement"
)

type binFlag []string

func (b *binFlag) String() string     { return strings.Join(*b, ",") }
func (b *binFlag) Set(s string) error { *b = append(*b, s); return nil }

func main() {
	var bins binFlag
	flag.Var(&bins, "bin", "batchtool binary, or name=path; repeat to compare binaries in one interleaved run")
	size := flag.String("size", "100MB", "size of each generated statement file (e.g. 100MB, 1GB)")
	rows := flag.Int("rows", 1000000, "rows of the generated due file for collect build")
	runs := flag.Int("runs", 1, "times each command is run per binary (the best run is shown)")
	only := flag.String("only", "", "run only the benchmarks whose name contains this")
	keep := flag.String("dir", "", "generate into this folder and keep it (default: a temporary folder, removed)")
	flag.Parse()
	if len(bins) == 0 {
		bins = binFlag{"../bin/batchtool"}
	}
	n, err := parseSize(*size)
	if err != nil {
		fatal(err)
	}
	dir := *keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "batchtool-bench-cli-"); err != nil {
			fatal(err)
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		fatal(err)
	}
	if err := run(dir, bins, n, *rows, *runs, *only); err != nil {
		os.RemoveAll(dir)
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench-cli:", err)
	os.Exit(1)
}

func parseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, x := range []struct {
		suffix string
		m      int64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}} {
		if strings.HasSuffix(u, x.suffix) {
			u, mult = strings.TrimSuffix(u, x.suffix), x.m
			break
		}
	}
	v, err := strconv.ParseFloat(u, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("-size %q: want a size such as 100MB or 1GB", s)
	}
	return int64(v * float64(mult)), nil
}

// bench is one command to time.
type bench struct {
	name  string
	args  []string // after the binary; "{out}" is replaced by a fresh output path
	bytes int64    // input size, for MB/s
	items int64    // rows or transactions, for items/s (0: none)
	unit  string
	check func(out string) error
	exit1 bool // the command exits 1 (error findings) by design
}

func run(dir string, bins []string, size int64, rows, runs int, only string) error {
	t0 := time.Now()
	cod := filepath.Join(dir, "statement.cod")
	xml := filepath.Join(dir, "statement.xml")
	due := filepath.Join(dir, "due.csv")
	cred := filepath.Join(dir, "creditor.json")
	inbox := filepath.Join(dir, "inbox")
	want := func(name string) bool { return only == "" || strings.Contains(name, only) }

	var benches []bench
	if want("coda") || want("convert") || want("inbox") {
		if err := writeCODA(cod, size, 1); err != nil {
			return err
		}
		st, _ := os.Stat(cod)
		benches = append(benches,
			bench{name: "inspect coda", args: []string{"inspect", cod}, bytes: st.Size()},
			bench{name: "convert coda csv", args: []string{"statement", "convert", cod, "--out", "{out}.csv"}, bytes: st.Size()},
			bench{name: "convert coda jsonl", args: []string{"statement", "convert", cod, "--out", "{out}.jsonl"}, bytes: st.Size()},
			// the same to standard output (here /dev/null): the work of
			// converting, without the disk's pace at writing the file
			bench{name: "convert coda csv -", args: []string{"statement", "convert", cod, "--to", "csv", "--out", "-"}, bytes: st.Size()},
			bench{name: "convert coda jsonl -", args: []string{"statement", "convert", cod, "--to", "jsonl", "--out", "-"}, bytes: st.Size()},
		)
		// a night's inbox: the same volume in 8 files
		if err := os.MkdirAll(inbox, 0o755); err != nil {
			return err
		}
		args := []string{"inspect"}
		var total int64
		for i := 0; i < 8; i++ {
			p := filepath.Join(inbox, fmt.Sprintf("%02d.cod", i+1))
			if err := writeCODA(p, size/8, uint64(i+2)); err != nil {
				return err
			}
			st, _ := os.Stat(p)
			total += st.Size()
			args = append(args, p)
		}
		benches = append(benches, bench{name: "inspect inbox 8 coda", args: args, bytes: total})
	}
	if want("coda bad") || only == "" {
		// the same statements, every movement with a finding: a wrong
		// check digit in its structured communication
		bad := filepath.Join(dir, "bad.cod")
		if err := writeBadCODA(cod, bad); err != nil {
			return err
		}
		st, _ := os.Stat(bad)
		benches = append(benches, bench{name: "inspect coda bad", args: []string{"inspect", bad}, bytes: st.Size(), exit1: true})
	}
	if want("camt") || want("convert") {
		if err := writeCamt(xml, size); err != nil {
			return err
		}
		st, _ := os.Stat(xml)
		benches = append(benches,
			bench{name: "inspect camt", args: []string{"inspect", xml}, bytes: st.Size()},
			bench{name: "convert camt csv", args: []string{"statement", "convert", xml, "--out", "{out}.csv"}, bytes: st.Size()},
			bench{name: "convert camt jsonl", args: []string{"statement", "convert", xml, "--out", "{out}.jsonl"}, bytes: st.Size()},
			// the same to standard output (here /dev/null): the work of
			// converting, without the disk's pace at writing the file
			bench{name: "convert camt csv -", args: []string{"statement", "convert", xml, "--to", "csv", "--out", "-"}, bytes: st.Size()},
			bench{name: "convert camt jsonl -", args: []string{"statement", "convert", xml, "--to", "jsonl", "--out", "-"}, bytes: st.Size()},
		)
	}
	if want("collect") {
		if err := writeDue(due, cred, rows); err != nil {
			return err
		}
		st, _ := os.Stat(due)
		benches = append(benches, bench{name: fmt.Sprintf("collect build %d rows", rows),
			args:  []string{"collect", "build", "--in", due, "--creditor", cred, "--out", "{out}.xml", "--collection-date", "2026-12-10", "--message-id", "BENCH"},
			bytes: st.Size(), items: int64(rows), unit: "tx/s"})
	}
	fmt.Printf("generated in %v under %s (machine: %d CPUs; other work on it skews wall clock, MB/cpu-s less so)\n\n",
		time.Since(t0).Round(time.Millisecond), dir, numCPU())
	fmt.Printf("%-26s %-8s %9s %8s %9s %10s %12s %9s\n", "command", "binary", "input MB", "wall s", "MB/s", "MB/cpu-s", "items/s", "peak RSS")
	for _, b := range benches {
		for _, bin := range bins {
			label, path := "", bin
			if i := strings.IndexByte(bin, '='); i >= 0 {
				label, path = bin[:i], bin[i+1:]
			}
			if label == "" {
				label = filepath.Base(path)
			}
			var best result
			for r := 0; r < runs; r++ {
				res, err := timeRun(dir, path, b)
				if err != nil {
					return fmt.Errorf("%s with %s: %w", b.name, label, err)
				}
				if r == 0 || res.wall < best.wall {
					best = res
				}
			}
			mb := float64(b.bytes) / 1e6
			items := ""
			if b.items > 0 {
				items = fmt.Sprintf("%.0f %s", float64(b.items)/best.wall.Seconds(), b.unit)
			}
			fmt.Printf("%-26s %-8s %9.1f %8.2f %9.1f %10.1f %12s %6d MB\n", b.name, label, mb, best.wall.Seconds(),
				mb/best.wall.Seconds(), mb/best.cpu.Seconds(), items, best.maxRSS>>20)
		}
	}
	return nil
}

type result struct {
	wall, cpu time.Duration
	maxRSS    int64 // bytes
}

// timeRun runs one command and returns its wall time, the CPU time and
// peak resident set of the child (getrusage of the waited process).
func timeRun(dir, bin string, b bench) (result, error) {
	out := filepath.Join(dir, "out")
	args := make([]string, len(b.args))
	for i, a := range b.args {
		args[i] = strings.ReplaceAll(a, "{out}", out)
	}
	cmd := exec.Command(bin, args...)
	var stderr strings.Builder
	cmd.Stdout = nil
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if ee, ok := err.(*exec.ExitError); ok && b.exit1 && ee.ExitCode() == 1 {
		err = nil
	}
	if err != nil {
		msg := stderr.String()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		return result{}, fmt.Errorf("%v: %s", err, msg)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	res := result{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if ru != nil {
		res.maxRSS = int64(ru.Maxrss) << 10 // kilobytes on Linux
	}
	for _, ext := range []string{"", ".csv", ".jsonl", ".xml"} {
		os.Remove(out + ext)
	}
	return res, nil
}

// entries returns a varied mix of statement entries: single SEPA direct
// debit credits with mandate and end-to-end id, credit transfers with a
// Belgian structured communication, debits with free text, and now and then
// a batch booking of 10 collections.
type entryGen struct {
	rng *rand.Rand
	i   int
}

func (g *entryGen) next(book time.Time) *statement.Entry {
	g.i++
	cents := 100 + g.rng.Int64N(100000)
	amt := decimal.New(cents, -2)
	id := fmt.Sprintf("%09d", g.i)
	e := &statement.Entry{Amount: amt, Currency: "EUR", BookingDate: book, ValueDate: book, AccountSvcrRef: "BANK" + id}
	switch k := g.i % 20; {
	case k < 12: // SEPA direct debit credit
		e.BankTxCode = statement.BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "ESDD", Proprietary: "05/01/000"}
		e.Details = []statement.Transaction{{Amount: amt, Currency: "EUR", EndToEndID: "E2E-" + id, MandateID: "MNDT-" + id,
			CreditorID: "BE69ZZZ050D000000008", Remittance: "Invoice " + id + " monthly subscription",
			Counterparty: statement.Party{Name: "Debtor " + id, IBAN: "BE71096123456769", BIC: "GKCCBEBB"}}}
	case k < 16: // credit transfer with a structured communication
		o, _ := sepa.NewOGM(uint64(g.i))
		e.BankTxCode = statement.BankTxCode{Domain: "PMNT", Family: "RCDT", SubFamily: "ESCT", Proprietary: "01/50/000"}
		e.Details = []statement.Transaction{{Amount: amt, Currency: "EUR", Reference: statement.Reference{Scheme: sepa.SchemeOGM, Value: o.Digits()},
			Counterparty: statement.Party{Name: "Customer " + id, IBAN: "BE62510007547061"}}}
	case k < 19: // debit with free text
		amt = amt.Neg()
		e.Amount = amt
		e.BankTxCode = statement.BankTxCode{Domain: "PMNT", Family: "ICDT", SubFamily: "ESCT", Proprietary: "01/01/000"}
		e.Details = []statement.Transaction{{Amount: amt, Currency: "EUR", Remittance: "Supplier invoice " + id,
			Counterparty: statement.Party{Name: "Supplier " + id, IBAN: "NL91ABNA0417164300"}}}
	default: // a batch booking of 10 collections
		e.BankTxCode = statement.BankTxCode{Domain: "PMNT", Family: "RDDT", SubFamily: "ESDD", Proprietary: "05/50/000"}
		e.BatchID = "PMTINF-" + id
		sum := decimal.Zero
		for j := 0; j < 10; j++ {
			a := decimal.New(100+g.rng.Int64N(10000), -2)
			sum = sum.Add(a)
			jd := fmt.Sprintf("%s-%02d", id, j)
			e.Details = append(e.Details, statement.Transaction{Amount: a, Currency: "EUR", EndToEndID: "E2E-" + jd, MandateID: "MNDT-" + jd,
				CreditorID: "BE69ZZZ050D000000008", Remittance: "Invoice " + jd,
				Counterparty: statement.Party{Name: "Debtor " + jd, IBAN: "BE71096123456769", BIC: "GKCCBEBB"}})
		}
		e.Amount = sum
		e.BatchCount = 10
	}
	return e
}

// countingFile counts what is written through it.
type countingFile struct {
	*os.File
	n int64
}

func (c *countingFile) Write(p []byte) (int, error) {
	n, err := c.File.Write(p)
	c.n += int64(n)
	return n, err
}

// writeCODA writes statements of 5,000 entries each (CODA numbers movements with 4 digits) until the file holds
// about size bytes.
func writeCODA(path string, size int64, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cf := &countingFile{File: f}
	w := coda.NewWriter(cf, coda.WriterOptions{CreatedAt: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), BankID: "539"})
	g := &entryGen{rng: rand.New(rand.NewPCG(seed, 7))}
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for s := 1; ; s++ {
		st := &statement.Statement{MessageID: fmt.Sprintf("GEN%07d", s), LegalSequence: strconv.Itoa(s % 1000),
			Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR", Owner: "ACME SERVICES NV", BIC: "GKCCBEBB"},
			Opening: &statement.Balance{Amount: decimal.Zero, Currency: "EUR", Date: day}}
		if err := w.BeginStatement(st); err != nil {
			return err
		}
		for i := 0; i < 5000; i++ {
			if err := w.WriteEntry(g.next(day)); err != nil {
				return err
			}
		}
		if err := w.EndStatement(); err != nil {
			return err
		}
		if cf.n+65536 >= size { // the writer's buffer is not yet counted
			break
		}
		day = day.AddDate(0, 0, 1)
	}
	return w.Close()
}

// writeBadCODA copies the CODA file from to to with a value date that is
// no date in every movement, and a structured communication whose check
// digits are wrong in every movement that has one: a finding (or two) for
// every movement.
func writeBadCODA(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	defer out.Close()
	// line by line: what this process holds counts in the peak RSS of the
	// commands it starts
	br, bw := bufio.NewReaderSize(in, 64<<10), bufio.NewWriterSize(out, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) >= 128 && line[0] == '2' && line[1] == '1' {
			copy(line[47:], "320126") // value date: 32 January
			if string(line[61:65]) == "1101" {
				copy(line[65:], "090933755494") // check digits 94 where 93 is right
			}
		}
		bw.Write(line)
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return out.Close()
}

// writeCamt writes one camt.053 message of statements of 20,000 entries
// until it holds about size bytes.
func writeCamt(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cf := &countingFile{File: f}
	w := camt.NewWriter(cf, camt.WriterOptions{MessageID: "GEN-CAMT", CreatedAt: time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)})
	g := &entryGen{rng: rand.New(rand.NewPCG(1, 7))}
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for s := 1; ; s++ {
		st := &statement.Statement{MessageID: "GEN-CAMT", ID: fmt.Sprintf("GEN-%07d", s), LegalSequence: strconv.Itoa(s),
			CreatedAt: day, Account: statement.Account{IBAN: "BE68539007547034", Currency: "EUR", Owner: "ACME SERVICES NV", BIC: "GKCCBEBB"},
			Opening: &statement.Balance{Amount: decimal.Zero, Currency: "EUR", Date: day, Type: "OPBD"}}
		if err := w.BeginStatement(st); err != nil {
			return err
		}
		for i := 0; i < 20000; i++ {
			if err := w.WriteEntry(g.next(day)); err != nil {
				return err
			}
		}
		if err := w.EndStatement(); err != nil {
			return err
		}
		if cf.n+65536 >= size {
			break
		}
		day = day.AddDate(0, 0, 1)
	}
	return w.Close()
}

// writeDue writes n due collections (CSV, the columns of pkg/due) and the
// creditor they are collected for.
func writeDue(path, creditor string, n int) error {
	if err := os.WriteFile(creditor, []byte(`{"name": "Acme Utilities NV", "iban": "BE68 5390 0754 7034", "bic": "GEBABEBB", "creditor_id": "BE69ZZZ050D000000008"}`), 0o644); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := csv.NewWriter(f)
	w.Write([]string{"end_to_end_id", "mandate_id", "mandate_signed_on", "sequence_type", "amount", "debtor_name", "debtor_iban", "debtor_bic", "remittance"})
	rng := rand.New(rand.NewPCG(3, 7))
	ibans := []string{"BE71096123456769", "BE62510007547061", "NL91ABNA0417164300", "DE89370400440532013000", "FR1420041010050500013M02606"}
	seqs := []string{"RCUR", "RCUR", "RCUR", "FRST", "OOFF"}
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("%09d", i)
		cents := 100 + rng.Int64N(100000)
		w.Write([]string{"E2E-" + id, "MNDT-" + id, "2024-03-14", seqs[i%len(seqs)], fmt.Sprintf("%d.%02d", cents/100, cents%100),
			"Debtor " + id, ibans[i%len(ibans)], "", "Invoice " + id + " monthly subscription"})
	}
	w.Flush()
	return w.Error()
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\nprocessor") + 1
}
