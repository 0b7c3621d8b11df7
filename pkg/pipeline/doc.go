// Package pipeline is the night's work of a finance team collecting by SEPA
// Direct Debit, as typed steps over batchtool's packages. Every step takes a
// context and typed input and returns a typed result — what it built, sent,
// booked and skipped, and what needs a person — so a service can run the
// night, or one step of it, without the command line, and the command line
// only renders the results and decides its exit code.
//
// The night (Run, configured by Config: batchtool.toml) is:
//
//   - Build: due collections (CSV or JSON Lines, package due) or UBL
//     invoices paid by direct debit become one pain.008 batch (package
//     pain008), every bad row in a rejects file. The night builds each due
//     file once per content.
//   - Register: the batch's collections, and the invoices, become open
//     items in the ledger (package ledger).
//   - Upload: the batch goes to the collection platform (package twikey)
//     once: the ledger refuses what it knows as uploaded, and records what
//     the platform took or already holds in full. UploadInvoices does the
//     same for UBL invoices after their EN 16931 checks (CheckInvoice).
//   - Fetch: the platform's reconciliation files (camt, CODA) are
//     generated, listed and downloaded without ever losing one: every
//     listing and every listed file is recorded before it is downloaded,
//     owed files are fetched again, and an interrupted download leaves
//     nothing behind. Owed names what is still not booked.
//   - Reconcile: every statement line is booked once and matched against
//     the open items (package reconcile); a file seen before, or a line
//     already booked from another file, changes nothing. The result is one
//     Summary with totals per currency, handed to the reports as it goes.
//   - CheckFeed: the platform's own account of the collections (its
//     transaction feed) is checked against what the statements booked.
//   - Sync and CreateRequests: payment requests (Tikkie, Tinka; Requester)
//     paid since the last run are booked, and one is sent for each
//     collection returned for good and each invoice overdue, once per item,
//     recorded before it is sent so a killed run never sends twice;
//     WriteLinks lists the links for finance to send.
//
// On SQLite, Run holds the ledger's run lock for the whole night (the
// standalone steps leave the lock to their caller). On PostgreSQL it holds
// none: several workers run the night against one ledger, and each unit of
// work is claimed by the one that does it (Shared, Unit). Run reports each
// step to a Progress as it starts and ends, and returns a Result: the steps
// with their values, the reconciliation, what needs attention, what is
// routine work for a person, and the units it did or left to other
// workers. A step that fails does not stop the night; Run returns an error
// only when the night cannot go on.
package pipeline
