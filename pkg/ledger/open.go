package ledger

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrNoLedger is returned by OpenExisting for a location that holds no
// ledger.
var ErrNoLedger = errors.New("no ledger there")

// OpenExisting opens the ledger at location only when it exists, for
// commands that only read: a mistyped path must say so, not leave an empty
// ledger behind. A SQLite file must exist; a PostgreSQL database must hold
// the ledger's tables.
func OpenExisting(location string) (*DB, error) {
	if IsPostgres(location) {
		db, err := sql.Open("pgx", location)
		if err != nil {
			return nil, fmt.Errorf("ledger %s: %w", Describe(location), err)
		}
		var n int
		err = db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
		db.Close()
		if err != nil {
			return nil, fmt.Errorf("ledger %s: %w (no schema_migrations table: %v)", Describe(location), ErrNoLedger, err)
		}
		return Open(location)
	}
	st, err := os.Stat(location)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("ledger %s: %w: the file does not exist (give --ledger or $BATCHTOOL_LEDGER the ledger the nightly job writes)", location, ErrNoLedger)
	case err != nil:
		return nil, fmt.Errorf("ledger %s: %w", location, err)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("ledger %s: %w: not a regular file", location, ErrNoLedger)
	}
	return Open(location)
}
