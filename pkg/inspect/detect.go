package inspect

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/batchtool/batchtool/pkg/camt"
	"github.com/batchtool/batchtool/pkg/coda"
	"github.com/batchtool/batchtool/pkg/statement"
)

// Format is a file format recognised from the first bytes of a file.
type Format string

const (
	FormatPain008 Format = "pain.008"
	FormatCamt    Format = "camt"
	FormatCODA    Format = "coda"
	FormatUBL     Format = "ubl"
	FormatZip     Format = "zip"
	FormatUnknown Format = ""
)

// SniffLen is how much of a file Detect needs to see.
const SniffLen = 8192

// Detect recognises a file by its first bytes: the root element and
// namespace of XML, a CODA record 0, or a zip header.
func Detect(head []byte) Format {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return FormatZip
	}
	if isCODAHead(head) {
		return FormatCODA
	}
	d := xml.NewDecoder(bytes.NewReader(head))
	d.Strict = false
	for {
		tok, err := d.RawToken()
		if err != nil {
			return FormatUnknown
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		ns := ""
		for _, a := range se.Attr {
			if a.Name.Local == "xmlns" && a.Name.Space == "" || a.Name.Space == "xmlns" && a.Name.Local == se.Name.Space {
				ns = a.Value
			}
		}
		switch {
		case strings.Contains(ns, "pain.008"):
			return FormatPain008
		case strings.Contains(ns, "camt.05"):
			return FormatCamt
		case se.Name.Local == "Invoice" || se.Name.Local == "CreditNote":
			return FormatUBL
		case se.Name.Local == "Document":
			// A Document without a known namespace: look at its first child.
			for {
				tok, err := d.RawToken()
				if err != nil {
					return FormatUnknown
				}
				if c, ok := tok.(xml.StartElement); ok {
					switch c.Name.Local {
					case "CstmrDrctDbtInitn":
						return FormatPain008
					case "BkToCstmrStmt", "BkToCstmrAcctRpt", "BkToCstmrDbtCdtNtfctn":
						return FormatCamt
					}
					return FormatUnknown
				}
			}
		}
		return FormatUnknown
	}
}

// isCODAHead reports whether head starts with a CODA record 0: "0000" then
// a creation date, the first line 128 characters (give or take a CR).
func isCODAHead(head []byte) bool {
	if len(head) < 5 || !bytes.HasPrefix(head, []byte("0000")) {
		return false
	}
	line := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		line = head[:i]
	}
	line = bytes.TrimRight(line, "\r")
	return len(line) >= 120
}

// OpenStatements returns the statement reader for a camt or CODA stream.
func OpenStatements(name string, format Format, r io.Reader) (statement.Reader, error) {
	switch format {
	case FormatCamt:
		return camt.NewReader(r, name), nil
	case FormatCODA:
		return coda.NewReader(r, name), nil
	}
	return nil, fmt.Errorf("%s: not a camt.052/.053/.054 or CODA file", name)
}
