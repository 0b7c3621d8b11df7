package ledger

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"
)

// An import on SQLite runs a few statements per line, a million times for
// a million lines. Through database/sql each statement also converted its
// arguments, locked the connection, and each query started a goroutine
// that watches the transaction's context (about a third of a lookup's
// time, more than SQLite's own work). So on SQLite the import's
// transaction holds its connection (sql.Conn) and its prepared statements
// talk to the driver directly (sql.Conn.Raw): stmt runs them there, or
// through database/sql on PostgreSQL, with the same methods.

// stmt is a statement prepared in a transaction (tx.PrepareContext).
type stmt struct {
	st   *sql.Stmt   // through database/sql
	raw  driver.Stmt // on the transaction's own connection
	conn *sql.Conn
	nv   []driver.NamedValue
}

// PrepareContext prepares q in the transaction: on the driver directly when
// the transaction holds its connection (SQLite imports, see beginConn).
func (t *tx) PrepareContext(ctx context.Context, q string) (*stmt, error) {
	q = t.d.bind(q)
	if t.conn == nil {
		st, err := t.tx.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		return &stmt{st: st}, nil
	}
	s := &stmt{conn: t.conn}
	err := t.conn.Raw(func(dc any) error {
		p, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("ledger: driver %T cannot prepare", dc)
		}
		var err error
		s.raw, err = p.PrepareContext(ctx, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *stmt) Close() error {
	if s.st != nil {
		return s.st.Close()
	}
	return s.conn.Raw(func(any) error { return s.raw.Close() })
}

// args converts the arguments for the driver (int to int64, named string
// types to string, as database/sql does).
func (s *stmt) args(args []any) error {
	s.nv = s.nv[:0]
	for i, a := range args {
		var v driver.Value
		switch x := a.(type) {
		case nil, int64, string, []byte, float64, bool, time.Time:
			v = x
		case int:
			v = int64(x)
		default:
			var err error
			if v, err = driver.DefaultParameterConverter.ConvertValue(a); err != nil {
				return fmt.Errorf("ledger: argument %d: %w", i+1, err)
			}
		}
		s.nv = append(s.nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	return nil
}

// quiet is the context of the driver's calls: without cancellation, so that
// the driver starts no goroutine to watch it. An import checks its own
// context before every line; a statement takes microseconds.
func quiet(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

func (s *stmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	if s.st != nil {
		return s.st.ExecContext(ctx, args...)
	}
	var res driver.Result
	err := s.conn.Raw(func(any) error {
		if err := s.args(args); err != nil {
			return err
		}
		var err error
		res, err = s.raw.(driver.StmtExecContext).ExecContext(quiet(ctx), s.nv)
		return err
	})
	return res, err
}

// QueryContext runs a query; on the driver directly, its rows are read at
// once (the import's lookups return a row or a few).
func (s *stmt) QueryContext(ctx context.Context, args ...any) (*rows, error) {
	if s.st != nil {
		r, err := s.st.QueryContext(ctx, args...)
		if err != nil {
			return nil, err
		}
		return &rows{r: r}, nil
	}
	out := &rows{}
	err := s.conn.Raw(func(any) error {
		if err := s.args(args); err != nil {
			return err
		}
		dr, err := s.raw.(driver.StmtQueryContext).QueryContext(quiet(ctx), s.nv)
		if err != nil {
			return err
		}
		defer dr.Close()
		n := len(dr.Columns())
		for {
			v := make([]driver.Value, n)
			switch err := dr.Next(v); {
			case err == io.EOF:
				return nil
			case err != nil:
				return err
			}
			out.vals = append(out.vals, v)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// QueryRowContext runs a query for its first row.
func (s *stmt) QueryRowContext(ctx context.Context, args ...any) *row {
	r, err := s.QueryContext(ctx, args...)
	return &row{r: r, err: err}
}

// rows are the rows of a query: database/sql's, or read from the driver.
type rows struct {
	r    *sql.Rows
	vals [][]driver.Value
	i    int
}

func (r *rows) Next() bool {
	if r.r != nil {
		return r.r.Next()
	}
	if r.i >= len(r.vals) {
		return false
	}
	r.i++
	return true
}

func (r *rows) Scan(dest ...any) error {
	if r.r != nil {
		return r.r.Scan(dest...)
	}
	if r.i == 0 {
		return errors.New("ledger: Scan before Next")
	}
	return scanValues(r.vals[r.i-1], dest)
}

func (r *rows) Err() error {
	if r.r != nil {
		return r.r.Err()
	}
	return nil
}

func (r *rows) Close() error {
	if r.r != nil {
		return r.r.Close()
	}
	return nil
}

// row is the first row of a query (sql.ErrNoRows when there is none).
type row struct {
	r   *rows
	err error
}

func (r *row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.r.Close()
	if !r.r.Next() {
		if err := r.r.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	return r.r.Scan(dest...)
}

// scanValues stores a row's driver values in dest: the kinds of
// destination the ledger's queries use.
func scanValues(vals []driver.Value, dest []any) error {
	if len(vals) != len(dest) {
		return fmt.Errorf("ledger: %d columns, %d destinations", len(vals), len(dest))
	}
	for i, v := range vals {
		var err error
		switch d := dest[i].(type) {
		case sql.Scanner:
			err = d.Scan(v)
		case *int64:
			x, ok := v.(int64)
			if !ok {
				err = fmt.Errorf("%T, not an integer", v)
			}
			*d = x
		case *int:
			x, ok := v.(int64)
			if !ok {
				err = fmt.Errorf("%T, not an integer", v)
			}
			*d = int(x)
		case *bool:
			switch x := v.(type) {
			case int64:
				*d = x != 0
			case bool:
				*d = x
			default:
				err = fmt.Errorf("%T, not a boolean", v)
			}
		case *string:
			switch x := v.(type) {
			case string:
				*d = x
			case []byte:
				*d = string(x)
			default:
				err = fmt.Errorf("%T, not text", v)
			}
		case *[]byte:
			switch x := v.(type) {
			case []byte:
				*d = append([]byte(nil), x...)
			case string:
				*d = []byte(x)
			case nil:
				*d = nil
			default:
				err = fmt.Errorf("%T, not bytes", v)
			}
		case *any:
			*d = v
		default:
			err = fmt.Errorf("destination %T not supported", dest[i])
		}
		if err != nil {
			return fmt.Errorf("ledger: column %d: %w", i+1, err)
		}
	}
	return nil
}
