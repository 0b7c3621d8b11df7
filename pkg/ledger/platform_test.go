package ledger

import (
	"context"
	"testing"
	"time"
)

// TestPlatformListings: the listing protocol's bookkeeping. The first
// listing is plain; a lost first answer makes the next reset to the epoch;
// once one completed, every listing resets to an hour before the last
// complete one; files are recorded once and keep their state.
func TestPlatformListings(t *testing.T) {
	l, _ := openTemp(t)
	ctx := context.Background()
	clock := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return clock }

	first, err := l.BeginListing(ctx, "camt")
	if err != nil || !first.Reset.IsZero() {
		t.Fatalf("first listing %+v %v: want a plain one", first, err)
	}
	// Its answer never arrives.
	clock = clock.Add(time.Minute)
	again, err := l.BeginListing(ctx, "camt")
	if err != nil || !again.Reset.Equal(time.Unix(0, 0)) {
		t.Fatalf("listing after a lost first answer %+v %v: want a reset to the epoch", again, err)
	}
	added, err := l.CompleteListing(ctx, again, []ListedFile{
		{Name: "a.xml", Format: "camt", Created: clock.Add(-time.Hour)},
		{Name: "b.cod", Format: "coda", Created: clock.Add(-time.Hour)},
	})
	if err != nil || added != 2 {
		t.Fatalf("complete: %d %v", added, err)
	}
	clock = clock.Add(24 * time.Hour)
	next, err := l.BeginListing(ctx, "coda")
	if want := time.Date(2026, 12, 1, 21, 1, 0, 0, time.UTC); err != nil || !next.Reset.Equal(want) {
		t.Fatalf("next listing %+v %v: want a reset to %s (the last complete listing less an hour)", next, err, want)
	}
	// The same file listed again is not new; a new one is.
	files, _ := l.PlatformFiles(ctx, FileListed)
	if err := l.FileDownloaded(ctx, files[0].ID, "/inbox/a.xml", 10, "abc"); err != nil {
		t.Fatal(err)
	}
	if added, err := l.CompleteListing(ctx, next, []ListedFile{{Name: "a.xml", Format: "camt"}, {Name: "c.cod", Format: "coda"}}); err != nil || added != 1 {
		t.Fatalf("second complete: %d %v", added, err)
	}
	all, err := l.PlatformFiles(ctx)
	if err != nil || len(all) != 3 || all[0].State != FileDownloaded || all[0].Path != "/inbox/a.xml" || all[0].Attempts != 1 ||
		all[1].State != FileListed || all[1].Format != "coda" || all[2].Name != "c.cod" {
		t.Fatalf("files %+v %v", all, err)
	}
	if err := l.FileFailed(ctx, all[1].ID, "connection broke off"); err != nil {
		t.Fatal(err)
	}
	owed, _ := l.PlatformFiles(ctx, FileListed)
	if len(owed) != 2 || owed[0].Name != "b.cod" || owed[0].Attempts != 1 || owed[0].LastError != "connection broke off" {
		t.Fatalf("owed %+v", owed)
	}
	// Booked once a statement file with its SHA-256 is imported.
	if _, err := l.db.Exec(`INSERT INTO statement_files (sha256, name, imported_at, entries, duplicates) VALUES ('abc', 'a.xml', 'x', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	if n, err := l.MarkBooked(ctx); err != nil || n != 1 {
		t.Fatalf("booked %d %v", n, err)
	}
	if n, err := l.MarkBooked(ctx); err != nil || n != 0 {
		t.Fatalf("booked again %d %v", n, err)
	}
	// A downloaded file gone from disk goes back to listed.
	if err := l.FileDownloaded(ctx, owed[0].ID, "/inbox/b.cod", 5, "def"); err != nil {
		t.Fatal(err)
	}
	if err := l.FileMissing(ctx, owed[0].ID); err != nil {
		t.Fatal(err)
	}
	if owed, _ := l.PlatformFiles(ctx, FileListed); len(owed) != 2 || owed[0].Path != "" || owed[0].LastError != "downloaded file no longer on disk" {
		t.Fatalf("owed after a missing file %+v", owed)
	}
}
