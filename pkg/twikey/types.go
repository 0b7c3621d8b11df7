package twikey

import (
	"bytes"
	"fmt"
	"time"
)

// Date is a civil date the platform sends as "2006-01-02" (or as a full
// timestamp, whose UTC date is kept), held at 00:00 UTC. JSON null and ""
// leave it zero.
type Date struct{ time.Time }

// NewDate returns the date of t (in t's location) at 00:00 UTC.
func NewDate(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// UnmarshalJSON reads "2006-01-02", an RFC 3339 timestamp, "" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" || string(b) == `""` {
		d.Time = time.Time{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("twikey: date %s: not a string", b)
	}
	s := string(b[1 : len(b)-1])
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		d.Time = t
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("twikey: date %q: want YYYY-MM-DD or RFC 3339", s)
	}
	*d = NewDate(t.UTC())
	return nil
}

// MarshalJSON writes "2006-01-02", or null for the zero date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.Format(time.DateOnly) + `"`), nil
}

// String returns "2006-01-02", or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}
