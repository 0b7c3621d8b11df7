package testutil

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// PostgresEnv names the PostgreSQL server the ledger tests also run against:
// postgres://user:password@host:port/db. make test sets nothing itself;
// .ci/run starts a server and sets it.
const PostgresEnv = "BATCHTOOL_TEST_POSTGRES"

var schemaSeq atomic.Int64

// PostgresLedger returns the URL of a new, empty schema of its own in the
// test PostgreSQL database (dropped when the test ends), or "" when
// PostgresEnv is not set.
func PostgresLedger(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		return ""
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	schema := fmt.Sprintf("batchtool_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
