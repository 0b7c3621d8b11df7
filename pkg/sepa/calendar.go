package sepa

import (
	"fmt"
	"time"
)

// TARGET2 business days. SEPA Direct Debit collections settle between
// banks on TARGET2 business days only (the rulebooks' "Inter-Bank Business
// Day"), so a requested collection date (ReqdColltnDt, EPC AT-11) must be
// one. TARGET2 is closed on Saturdays, Sundays and six days a year fixed
// by the ECB's long-term calendar (press release of 14 December 2000, in
// force since 2002 and unchanged in the TARGET2 calendar published at
// https://www.ecb.europa.eu/paym/target/target2/profuse/calendar/html/index.en.html):
// New Year's Day, Good Friday, Easter Monday, 1 May (Labour Day),
// Christmas Day and 26 December. Easter is the Western (Gregorian) one.
//
// The dates are calendar dates: only the year, month and day of a
// time.Time count, whatever its clock and location.

// Closing names why day is not a TARGET2 business day ("Saturday", "Good
// Friday", ...), "" when it is one.
func Closing(day time.Time) string {
	y, m, d := day.Date()
	switch wd := day.Weekday(); wd {
	case time.Saturday, time.Sunday:
		return wd.String()
	}
	switch {
	case m == time.January && d == 1:
		return "New Year's Day"
	case m == time.May && d == 1:
		return "Labour Day (1 May)"
	case m == time.December && d == 25:
		return "Christmas Day"
	case m == time.December && d == 26:
		return "26 December"
	}
	em, ed := Easter(y)
	easter := time.Date(y, em, ed, 0, 0, 0, 0, time.UTC)
	switch date(day) {
	case easter.AddDate(0, 0, -2):
		return "Good Friday"
	case easter.AddDate(0, 0, 1):
		return "Easter Monday"
	}
	return ""
}

// IsBusinessDay reports whether day is a TARGET2 business day.
func IsBusinessDay(day time.Time) bool { return Closing(day) == "" }

// NextBusinessDay returns day itself when it is a TARGET2 business day,
// else the first business day after it (as a date in UTC).
func NextBusinessDay(day time.Time) time.Time {
	d := date(day)
	for !IsBusinessDay(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// PreviousBusinessDay returns the last TARGET2 business day before day.
func PreviousBusinessDay(day time.Time) time.Time {
	d := date(day).AddDate(0, 0, -1)
	for !IsBusinessDay(d) {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// Easter returns the month and day of Western Easter Sunday in year (the
// Gregorian computus, valid from 1583 on).
func Easter(year int) (time.Month, int) {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Month(month), day
}

// ClosedDayError refuses a collection date on which TARGET2 is closed; it
// names the next business day.
type ClosedDayError struct {
	Date, Next time.Time
	Why        string // Closing(Date)
}

func (e *ClosedDayError) Error() string {
	return fmt.Sprintf("collection date %s is not a TARGET2 business day (%s): the next business day is %s",
		e.Date.Format(time.DateOnly), e.Why, e.Next.Format(time.DateOnly))
}

// CheckCollectionDate refuses a requested collection date that is not a
// TARGET2 business day, with a *ClosedDayError naming the next one.
func CheckCollectionDate(day time.Time) error {
	if why := Closing(day); why != "" {
		return &ClosedDayError{Date: date(day), Next: NextBusinessDay(day), Why: why}
	}
	return nil
}

// SubmissionDeadline is the last day a collection due on day may reach the
// debtor's bank: one TARGET2 business day before it (D-1). Since the SDD
// Core rulebook 9.0 (in force 20 November 2016) D-1 holds for first,
// recurrent and one-off Core collections alike, as it always did for B2B
// (EPC, "Explanatory note on use of COR1 and SMNDA"; EPC, "SEPA Direct
// Debit for Billers: the SDD B2B Scheme Timelines"). The creditor's own
// bank wants the file earlier still, by a cut-off of its own.
func SubmissionDeadline(day time.Time) time.Time { return PreviousBusinessDay(day) }

// LateSubmission describes, when a file sent on today cannot meet the D-1
// deadline of a collection on day, why ("" when it can).
func LateSubmission(day, today time.Time) string {
	dl := SubmissionDeadline(day)
	if !date(today).After(dl) {
		return ""
	}
	return fmt.Sprintf("collection date %s leaves less than the D-1 business day the SDD rulebook requires: the file had to reach the debtor's bank by %s (today is %s); the bank may reject it or move the date",
		date(day).Format(time.DateOnly), dl.Format(time.DateOnly), date(today).Format(time.DateOnly))
}

// date returns the calendar date of t as midnight UTC.
func date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CollectionDay applies the calendar to a requested collection date: a
// TARGET2 business day is kept; a closing day is moved to the next
// business day when rollForward is set, else refused with a
// *ClosedDayError naming that day. It is the one rule of every command
// that builds a batch (collect build, nightly).
func CollectionDay(day time.Time, rollForward bool) (time.Time, error) {
	if err := CheckCollectionDate(day); err != nil {
		if rollForward {
			return NextBusinessDay(day), nil
		}
		return time.Time{}, err
	}
	return date(day), nil
}
