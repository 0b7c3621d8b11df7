package sepa

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	return time.Date(atoi(s[:4]), time.Month(atoi(s[5:7])), atoi(s[8:]), 0, 0, 0, 0, time.UTC)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestEaster(t *testing.T) {
	for _, tt := range []struct {
		year int
		want string
	}{
		{2019, "2019-04-21"}, {2024, "2024-03-31"}, {2025, "2025-04-20"}, {2026, "2026-04-05"},
		{2027, "2027-03-28"}, {2038, "2038-04-25"}, {2285, "2285-03-22"}, {1818, "1818-03-22"},
	} {
		m, d := Easter(tt.year)
		if got := time.Date(tt.year, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly); got != tt.want {
			t.Errorf("Easter(%d) = %s, want %s", tt.year, got, tt.want)
		}
	}
}

func TestTARGET2Calendar(t *testing.T) {
	for _, tt := range []struct{ day, closing, next, prev string }{
		{"2026-12-03", "", "2026-12-03", "2026-12-02"},
		{"2026-12-05", "Saturday", "2026-12-07", "2026-12-04"},
		{"2026-12-06", "Sunday", "2026-12-07", "2026-12-04"},
		{"2026-12-24", "", "2026-12-24", "2026-12-23"},
		{"2026-12-25", "Christmas Day", "2026-12-28", "2026-12-24"},
		{"2026-12-26", "Saturday", "2026-12-28", "2026-12-24"},
		{"2025-12-26", "26 December", "2025-12-29", "2025-12-24"},
		{"2027-01-01", "New Year's Day", "2027-01-04", "2026-12-31"},
		{"2026-04-03", "Good Friday", "2026-04-07", "2026-04-02"},
		{"2026-04-06", "Easter Monday", "2026-04-07", "2026-04-02"},
		{"2026-04-07", "", "2026-04-07", "2026-04-02"},
		{"2026-05-01", "Labour Day (1 May)", "2026-05-04", "2026-04-30"},
		{"2024-03-29", "Good Friday", "2024-04-02", "2024-03-28"},
		{"2024-04-01", "Easter Monday", "2024-04-02", "2024-03-28"},
		{"2026-05-14", "", "2026-05-14", "2026-05-13"}, // Ascension: a holiday in many countries, not in TARGET2
	} {
		d := day(tt.day)
		if got := Closing(d); got != tt.closing {
			t.Errorf("Closing(%s) = %q, want %q", tt.day, got, tt.closing)
		}
		if got := NextBusinessDay(d).Format(time.DateOnly); got != tt.next {
			t.Errorf("NextBusinessDay(%s) = %s, want %s", tt.day, got, tt.next)
		}
		if got := PreviousBusinessDay(d).Format(time.DateOnly); got != tt.prev {
			t.Errorf("PreviousBusinessDay(%s) = %s, want %s", tt.day, got, tt.prev)
		}
	}
	// The clock and location of a time do not matter, only its date.
	late := time.Date(2026, 12, 4, 23, 30, 0, 0, time.FixedZone("CET", 3600))
	if !IsBusinessDay(late) || NextBusinessDay(late).Format(time.DateOnly) != "2026-12-04" {
		t.Errorf("Friday 23:30 CET: %v %v", IsBusinessDay(late), NextBusinessDay(late))
	}
}

func TestCheckCollectionDate(t *testing.T) {
	if err := CheckCollectionDate(day("2026-12-07")); err != nil {
		t.Fatal(err)
	}
	err := CheckCollectionDate(day("2026-04-03"))
	if want := "collection date 2026-04-03 is not a TARGET2 business day (Good Friday): the next business day is 2026-04-07"; err == nil || err.Error() != want {
		t.Fatalf("err %v\nwant %s", err, want)
	}
}

func TestLateSubmission(t *testing.T) {
	for _, tt := range []struct{ day, today, want string }{
		{"2026-12-07", "2026-12-03", ""},
		{"2026-12-07", "2026-12-04", ""}, // Friday is D-1 for Monday
		{"2026-12-07", "2026-12-05", "collection date 2026-12-07 leaves less than the D-1 business day the SDD rulebook requires: the file had to reach the debtor's bank by 2026-12-04 (today is 2026-12-05); the bank may reject it or move the date"},
		{"2026-12-03", "2026-12-03", "collection date 2026-12-03 leaves less than the D-1 business day the SDD rulebook requires: the file had to reach the debtor's bank by 2026-12-02 (today is 2026-12-03); the bank may reject it or move the date"},
		{"2026-04-07", "2026-04-02", ""}, // over Easter: Thursday is D-1 for Tuesday
		{"2026-04-07", "2026-04-03", "collection date 2026-04-07 leaves less than the D-1 business day the SDD rulebook requires: the file had to reach the debtor's bank by 2026-04-02 (today is 2026-04-03); the bank may reject it or move the date"},
	} {
		if got := LateSubmission(day(tt.day), day(tt.today)); got != tt.want {
			t.Errorf("LateSubmission(%s, %s) = %q\nwant %q", tt.day, tt.today, got, tt.want)
		}
	}
}
