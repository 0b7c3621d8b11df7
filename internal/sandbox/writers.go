package sandbox

import (
	"fmt"
	"io"
	"time"

	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/coda"
)

// newStatementWriter returns the camt.053.001.02 or CODA v2 writer.
func newStatementWriter(format string, w io.Writer, msgID string, created time.Time) (stmtWriter, error) {
	switch format {
	case "camt":
		return camt.NewWriter(w, camt.WriterOptions{MessageID: msgID, CreatedAt: created}), nil
	case "coda":
		// CODA's file reference is 10 characters: the tail of the message id.
		ref := msgID
		if len(ref) > 10 {
			ref = ref[len(ref)-10:]
		}
		return coda.NewWriter(w, coda.WriterOptions{CreatedAt: created, FileReference: ref}), nil
	}
	return nil, fmt.Errorf("format %s: no writer available", format)
}
