package ledger

import "context"

// createMigrationsTable creates the table of applied migrations when it is
// missing. On PostgreSQL, CREATE TABLE IF NOT EXISTS is not safe when two
// runs start at once on a new database (both create the row type: a
// duplicate key in pg_type), so it is done under the migrations' advisory
// lock.
func (l *DB) createMigrationsTable(ctx context.Context) error {
	const q = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`
	if !l.d.postgres {
		// In a write transaction from its start (BEGIN IMMEDIATE, which
		// waits out another process's lock): run alone, CREATE TABLE IF NOT
		// EXISTS reads the schema and then writes, and SQLite refuses that
		// upgrade at once, busy timeout or not, when another process
		// created the ledger in between (two runs starting together).
		tx, err := l.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
		return tx.Commit()
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(20261130)`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return err
	}
	return tx.Commit()
}
