package ledger

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/batchtool/batchtool/internal/testutil"
)

// TestKeyColumnsCompareBytes checks that the columns an import looks items
// up by compare byte by byte on PostgreSQL (COLLATE "C", migration 10):
// under the database's locale every probe of their indexes went through
// strcoll.
func TestKeyColumnsCompareBytes(t *testing.T) {
	loc := testutil.PostgresLedger(t)
	if loc == "" {
		t.Skipf("%s is not set", testutil.PostgresEnv)
	}
	l, err := Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rows, err := l.db.QueryContext(context.Background(), `SELECT c.relname || '.' || a.attname, coalesce(k.collname, '')
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_collation k ON k.oid = a.attcollation
		WHERE c.relnamespace = current_schema()::regnamespace AND a.attnum > 0 AND (c.relname, a.attname) IN (('invoices', 'number'),
			('invoices', 'number_key'), ('invoices', 'reference'), ('invoice_ibans', 'iban'), ('collections', 'end_to_end_id'),
			('collections', 'pmtinf_id'), ('batches', 'pmtinf_id'), ('payment_requests', 'item_key'), ('payment_requests', 'item_key_norm'),
			('platform_transactions', 'ref'))
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := scanEach(rows, func() error {
		var col, coll string
		if err := rows.Scan(&col, &coll); err != nil {
			return err
		}
		got = append(got, col+" "+coll)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := "batches.pmtinf_id C, collections.end_to_end_id C, collections.pmtinf_id C, invoice_ibans.iban C, " +
		"invoices.number C, invoices.number_key C, invoices.reference C, payment_requests.item_key C, " +
		"payment_requests.item_key_norm C, platform_transactions.ref C"
	if s := strings.Join(got, ", "); s != want {
		t.Errorf("collations\n got %s\nwant %s", s, want)
	}
	// The ids of lines and matches come from a cache of 1,000 a connection.
	rows, err = l.db.QueryContext(context.Background(), `SELECT sequencename || ' ' || cache_size FROM pg_sequences
		WHERE schemaname = current_schema() AND sequencename IN ('statement_lines_id_seq', 'matches_id_seq') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	if err := scanEach(rows, func() error {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		got = append(got, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if s, want := strings.Join(got, ", "), "matches_id_seq 1000, statement_lines_id_seq 1000"; s != want {
		t.Errorf("sequence caches\n got %s\nwant %s", s, want)
	}
}

// TestImportAnalyzesLookedUpColumns checks that the ANALYZE after an
// import (PostgreSQL) counts the rows of the tables it filled and gathers
// the statistics of the columns looked up, and only those.
func TestImportAnalyzesLookedUpColumns(t *testing.T) {
	loc := testutil.PostgresLedger(t)
	if loc == "" {
		t.Skipf("%s is not set", testutil.PostgresEnv)
	}
	l, err := Open(loc)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	seed(t, l, 2000)
	if _, err := l.Import(ctx, File{Name: "gen", SHA256: "gen"}, &genReader{k: 0, to: 2000}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, table := range []string{"statement_lines", "matches"} {
		var tuples float64
		var cols string
		if err := l.db.QueryRowContext(ctx, `SELECT c.reltuples, coalesce((SELECT string_agg(s.attname, ' ' ORDER BY s.attname) FROM pg_stats s
			WHERE s.schemaname = current_schema() AND s.tablename = c.relname), '')
			FROM pg_class c WHERE c.oid = to_regclass(?)`, table).Scan(&tuples, &cols); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %.0f rows: %s", table, tuples, cols))
	}
	want := "statement_lines 2000 rows: currency id identity; matches 2000 rows: line_id"
	if s := strings.Join(got, "; "); s != want {
		t.Errorf("statistics after the import\n got %s\nwant %s", s, want)
	}
}
