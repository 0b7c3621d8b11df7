// Package inspect tells what is in a payment file — a pain.008 batch, a
// camt.052/.053/.054 or CODA statement, a UBL invoice — and what is wrong
// with it: its format, a summary and its findings. It is what
// `batchtool inspect` prints, usable without the CLI.
//
// Detect recognises a format from a file's first bytes; OpenStatements
// opens the statement reader for a camt or CODA stream. They are the one
// implementation the CLI and package pipeline both use.
package inspect
