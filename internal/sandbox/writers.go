package sandbox

import (
	"fmt"
	"io"
	"time"

	"github.com/batchtool/batchtool/pkg/camt"
)

// newStatementWriter returns the camt.053.001.02 or CODA writer.
func newStatementWriter(format string, w io.Writer, msgID string, created time.Time) (stmtWriter, error) {
	switch format {
	case "camt":
		return camt.NewWriter(w, camt.WriterOptions{MessageID: msgID, CreatedAt: created}), nil
	}
	return nil, fmt.Errorf("format %s: no writer available", format)
}
