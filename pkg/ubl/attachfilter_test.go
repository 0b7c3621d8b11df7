package ubl

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestAttachFilter(t *testing.T) {
	pad := strings.Repeat(" ", 16<<10-3) // puts the next tag across the buffer boundary
	in := "<a>" + pad + `<cbc:EmbeddedDocumentBinaryObject mimeCode="a>b" filename='x'>QUJD
REVG==
</cbc:EmbeddedDocumentBinaryObject>` +
		`<!-- <cbc:EmbeddedDocumentBinaryObject>keep</cbc:EmbeddedDocumentBinaryObject> -->` +
		`<![CDATA[<EmbeddedDocumentBinaryObject>keep]]>` +
		`<EmbeddedDocumentBinaryObject/>` +
		`<EmbeddedDocumentBinaryObjectX>keep</EmbeddedDocumentBinaryObjectX>` +
		`<?pi <EmbeddedDocumentBinaryObject> ?>` +
		`<x:EmbeddedDocumentBinaryObject>AA==</x:EmbeddedDocumentBinaryObject></a>`
	want := "<a>" + pad + `<cbc:EmbeddedDocumentBinaryObject mimeCode="a>b" filename='x'></cbc:EmbeddedDocumentBinaryObject>` +
		`<!-- <cbc:EmbeddedDocumentBinaryObject>keep</cbc:EmbeddedDocumentBinaryObject> -->` +
		`<![CDATA[<EmbeddedDocumentBinaryObject>keep]]>` +
		`<EmbeddedDocumentBinaryObject/>` +
		`<EmbeddedDocumentBinaryObjectX>keep</EmbeddedDocumentBinaryObjectX>` +
		`<?pi <EmbeddedDocumentBinaryObject> ?>` +
		`<x:EmbeddedDocumentBinaryObject></x:EmbeddedDocumentBinaryObject></a>`
	f := newAttachFilter(iotest.OneByteReader(strings.NewReader(in)))
	out, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != want {
		t.Fatalf("filtered\n%q\nwant\n%q", out, want)
	}
	if len(f.drops) != 2 {
		t.Fatalf("drops %+v", f.drops)
	}
	if d := f.drops[0]; d.newlines != 2 || d.chars != 10 || d.pad != 2 || d.size() != 5 || d.at != int64(strings.Index(want, "</cbc:Embedded")) {
		t.Errorf("drop %+v", d)
	}
	if d := f.drops[1]; d.size() != 1 || f.newlinesBefore(d.at+1) != 2 || f.newlinesBefore(f.drops[0].at) != 0 {
		t.Errorf("drop %+v", d)
	}
}
