package ledger

import (
	"context"
	"testing"
)

func TestUploads(t *testing.T) {
	ctx := context.Background()
	path := tempLocation(t)
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := l.SchemaVersion(ctx); v < 2 {
		t.Fatalf("schema version %d, want 2 (uploads) or later", v)
	}
	if u, err := l.Uploaded(ctx, UploadBatch, "BT1-1"); u != nil || err != nil {
		t.Fatalf("before: %+v %v", u, err)
	}
	if err := l.RecordUploads(ctx, []Upload{{Kind: UploadBatch, Key: "BT1-1", Digest: "aa", PlatformRef: "1006"}, {Kind: UploadCollection, Key: "E2E-1"}}); err != nil {
		t.Fatal(err)
	}
	// A second record of the same key keeps the first.
	if err := l.RecordUploads(ctx, []Upload{{Kind: UploadBatch, Key: "BT1-1", Digest: "bb"}}); err != nil {
		t.Fatal(err)
	}
	l.Close()

	l, err = Open(path) // survives reopening
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	u, err := l.Uploaded(ctx, UploadBatch, "BT1-1")
	if err != nil || u == nil || u.Digest != "aa" || u.PlatformRef != "1006" || u.At.IsZero() {
		t.Fatalf("after: %+v %v", u, err)
	}
	if u, _ := l.Uploaded(ctx, UploadInvoice, "BT1-1"); u != nil {
		t.Fatal("kinds are separate")
	}
}
