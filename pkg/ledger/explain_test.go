package ledger

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/pkg/sepa"
)

// TestHotQueriesUseIndexes loads 100,000 open items and imports 100,000
// statement lines, then asks the database for the plan of every statement
// an import runs, with a chunk's worth of keys: none may read invoices,
// statement_lines or collections whole. (Before the loads refreshed the
// statistics, PostgreSQL scanned invoices for the IBAN lookup and
// statement_lines for the foreign-key check of matches, which schema 9
// dropped: see TestImportHasNoRowTriggers.)
// BATCHTOOL_TEST_EXPLAIN_N changes the size.
func TestHotQueriesUseIndexes(t *testing.T) {
	n := 100000
	if v := os.Getenv("BATCHTOOL_TEST_EXPLAIN_N"); v != "" {
		fmt.Sscan(v, &n)
	}
	l, _ := openTemp(t)
	ctx := context.Background()
	seed(t, l, n)
	if _, err := l.Import(ctx, File{Name: "gen", SHA256: "gen"}, &genReader{k: 0, to: n}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	// The keys of the lines of one chunk.
	var e2e, refs, nkeys, ibans, pmts, status, open []string
	var ids []int64
	var dids [][]byte
	for k := 0; k < bulkChunk && k < n; k++ {
		ids = append(ids, int64(k/2+1))
		status, open = append(status, "paid"), append(open, "0")
		e := genEntry(k)
		dids = append(dids, DetailIdentity(e, &e.Details[0]))
		if k%2 == 0 {
			e2e = append(e2e, fmt.Sprintf("E2E-%08d", k))
			if k%1000 == 0 {
				pmts = append(pmts, fmt.Sprintf("PMT-%05d", k/1000))
			}
			continue
		}
		o, _ := sepa.NewOGM(uint64(k))
		refs, nkeys, ibans = append(refs, string(o)), append(nkeys, fmt.Sprintf("INV%08d", k)), append(ibans, fmt.Sprintf("CUST%07d", k/10))
	}
	cents := []int64{1001, 2002, 4711}
	forbidden := []string{"invoices", "statement_lines", "collections"}
	if !l.d.postgres {
		// SQLite: the line-by-line import's lookups, one key each.
		for _, q := range []struct{ name, sql string }{
			{"collections by end-to-end id", `SELECT ` + collCols + ` FROM collections WHERE end_to_end_id = 'E2E-00000002' ORDER BY id`},
			{"invoices by reference", `SELECT ` + invCols + ` FROM invoices i WHERE i.reference = 'x' ORDER BY i.id`},
			{"invoices by IBAN", `SELECT ` + invCols + ` FROM invoice_ibans x JOIN invoices i ON i.id = x.invoice_id WHERE x.iban = 'CUST0000001' ORDER BY i.id`},
			{"invoices by number", `SELECT ` + invCols + ` FROM invoices i WHERE i.number_key IN ('INV00000001', 'INV00000003') ORDER BY i.id`},
			{"line identity", `SELECT id FROM statement_lines WHERE identity = x'00'`},
			{"matches of a line", `SELECT id FROM matches WHERE line_id = 7`},
			{"collect a batch", `UPDATE collections SET status = 'collected' WHERE pmtinf_id = 'PMT-00001' AND status = 'open'`},
		} {
			plan := sqlitePlan(t, l, q.sql)
			for _, tbl := range forbidden {
				if strings.Contains(plan, "SCAN "+tbl) {
					t.Errorf("%s reads %s whole:\n%s", q.name, tbl, plan)
				}
			}
		}
		// The chunk import's look-ups, a chunk's keys in one JSON array
		// each (liteKeys).
		set := func(ks []string) map[string]bool {
			m := map[string]bool{}
			for _, k := range ks {
				m[k] = true
			}
			return m
		}
		cm := map[int64]bool{}
		for _, c := range cents {
			cm[c] = true
		}
		keys := [6]string{jsonStrings(set(e2e)), jsonStrings(set(pmts)), jsonInts(cm), jsonStrings(set(refs)), jsonStrings(set(nkeys)), jsonStrings(set(ibans))}
		for i, q := range liteLookups {
			plan := sqlitePlan(t, l, strings.Replace(q, "json_each(?)", "json_each('"+keys[i]+"')", 1))
			if !strings.HasPrefix(plan, "SCAN json_each VIRTUAL TABLE") {
				t.Errorf("chunk look-up %d does not start from the keys:\n%s", i, plan)
			}
			for _, tbl := range forbidden {
				if strings.Contains(plan, "SCAN "+tbl) {
					t.Errorf("chunk look-up %d reads %s whole:\n%s", i, tbl, plan)
				}
			}
		}
		return
	}
	// As the import runs them: in a transaction with its plan settings.
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, sqlIndexPlans); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		name, sql string
		args      []any
	}{
		{"details known", sqlDetailsKnown, []any{dids}},
		{"this file's details", sqlMyDetails, []any{dids, int64(1)}},
		{"lines known", sqlLinesKnown, []any{dids}},
		{"insert details", sqlInsertDetails, []any{int64(2), dids, ids, int64(2)}},
		{"collections by end-to-end id", sqlCollectionsByE2E, []any{e2e}},
		{"batches by id or total", sqlBatchesByKeys, []any{pmts, cents}},
		{"invoices by reference or number", sqlInvoicesByKeys, []any{refs, nkeys}},
		{"invoices by IBAN", sqlInvoicesByIBANs, []any{ibans}},
		{"update invoices", sqlUpdateInvoices, []any{ids, status, open, status, open}},
		{"update collections", sqlUpdateCollections, []any{ids, status, status, status, status}},
		{"update batches", sqlUpdateBatches, []any{ids[:10], status[:10], status[:10]}},
		{"collect batches", sqlCollectBatches, []any{"collected", pmts, "open"}},
		{"foreign key of invoice_ibans", `SELECT 1 FROM ONLY invoices x WHERE id = ? FOR KEY SHARE OF x`, []any{int64(5)}},
	} {
		rows, err := tx.QueryContext(ctx, `EXPLAIN `+q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		// The plan's nodes, without their conditions (which list the keys).
		var plan strings.Builder
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(s, ":") {
				plan.WriteString(s + "\n")
			}
		}
		rows.Close()
		for _, tbl := range forbidden {
			if strings.Contains(plan.String(), "Seq Scan on "+tbl+" ") {
				t.Errorf("%s reads %s whole:\n%s", q.name, tbl, plan.String())
			}
		}
	}
}

func sqlitePlan(t *testing.T, l *DB, q string) string {
	t.Helper()
	rows, err := l.db.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	return b.String()
}

// TestImportHasNoRowTriggers: on PostgreSQL the tables an import fills in
// bulk (statement_lines, matches, statement_details) have no foreign key,
// whose trigger would look up the parent row once per row inserted (70% of
// those INSERTs' time before schema 9).
func TestImportHasNoRowTriggers(t *testing.T) {
	l, _ := openTemp(t)
	if !l.d.postgres {
		t.Skip("PostgreSQL only: SQLite does not enforce foreign keys (foreign_keys is off)")
	}
	var got string
	if err := l.db.QueryRow(`SELECT COALESCE(string_agg(conrelid::regclass::text || ' ' || conname, ', ' ORDER BY conname), '')
		FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('statement_lines'::regclass, 'matches'::regclass, 'statement_details'::regclass)`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "" {
		t.Errorf("foreign keys on the import's tables: %s", got)
	}
}
