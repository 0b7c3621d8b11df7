// Package bench compares batchtool's camt reader with the generated ISO
// 20022 types of github.com/moov-io/iso20022 on the same camt.053.001.08
// input. It is a separate module so that moov-io/iso20022 and its
// dependencies stay out of batchtool's go.mod.
//
//	cd bench && go test -bench . -benchmem
package bench
