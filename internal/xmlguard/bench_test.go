package xmlguard

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"testing"
)

// invoiceLike is XML shaped like a UBL invoice line: short elements with
// prefixes and attributes, indented.
func invoiceLike(lines int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:a" xmlns:cbc="urn:b">` + "\n")
	for i := 1; i <= lines; i++ {
		fmt.Fprintf(&b, "  <cac:InvoiceLine>\n    <cbc:ID>%d</cbc:ID>\n    <cbc:InvoicedQuantity unitCode=\"EA\">2</cbc:InvoicedQuantity>\n    <cbc:LineExtensionAmount currencyID=\"EUR\">2.50</cbc:LineExtensionAmount>\n    <cac:Item><cbc:Name>Item %d</cbc:Name></cac:Item>\n  </cac:InvoiceLine>\n", i, i)
	}
	b.WriteString("</Invoice>\n")
	return b.Bytes()
}

// BenchmarkGuard is the guard alone; BenchmarkDecoder the encoding/xml
// token loop it sits in front of, with and without it.
func BenchmarkGuard(b *testing.B) {
	doc := invoiceLike(1000)
	b.SetBytes(int64(len(doc)))
	for i := 0; i < b.N; i++ {
		if _, err := io.Copy(io.Discard, NewReader(bytes.NewReader(doc), Limits{})); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecoder(b *testing.B) {
	doc := invoiceLike(1000)
	for _, guarded := range []bool{false, true} {
		b.Run(fmt.Sprintf("guarded=%v", guarded), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var r io.Reader = bytes.NewReader(doc)
				if guarded {
					r = NewReader(r, Limits{})
				} else {
					r = struct{ io.Reader }{r} // no ByteReader: the decoder buffers either way
				}
				d := xml.NewDecoder(r)
				for {
					if _, err := d.Token(); err != nil {
						if err != io.EOF {
							b.Fatal(err)
						}
						break
					}
				}
			}
		})
	}
}
