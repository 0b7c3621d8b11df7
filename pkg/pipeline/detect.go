package pipeline

import "github.com/batchtool/batchtool/pkg/inspect"

// Format is a file format: one inspect.Detect recognises from the first
// bytes of a file, or FormatOpenItems.
type Format = inspect.Format

const (
	FormatPain008 = inspect.FormatPain008
	FormatCamt    = inspect.FormatCamt
	FormatCODA    = inspect.FormatCODA
	FormatUBL     = inspect.FormatUBL
	FormatZip     = inspect.FormatZip
	// FormatOpenItems is an ERP's open-receivables export (package
	// openitems), known by its name (.csv, .tsv, .txt, .xlsx).
	FormatOpenItems Format = "open items"
	FormatUnknown          = inspect.FormatUnknown
)
