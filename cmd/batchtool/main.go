// Command batchtool builds SEPA Direct Debit batches, uploads them and UBL
// invoices to the collection platform, fetches bank statements and
// reconciles them against what was collected and invoiced.
//
// Exit codes, one rule for every command: 0 done and nothing needs a
// person; 1 done, but something needs a person (an error finding, a
// rejected row, unmatched or ambiguous statement lines, a failed step); 2 a
// usage error or an input that cannot be read or is none of ours.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/batchtool/batchtool/internal/safename"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the CLI and returns its exit code; tests call it directly.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runApp(&app{stdin: stdin, stdout: stdout, stderr: stderr, isTerminal: isTerminal}, args)
}

// runApp executes the CLI for a, whose streams and terminal test tests may
// set, and returns its exit code.
func runApp(a *app, args []string) int {
	stderr := a.stderr
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ex *exitError
	if errors.As(err, &ex) {
		if ex.msg != "" {
			fmt.Fprintln(stderr, "batchtool:", safename.EscapeLines(ex.msg))
		}
		return ex.code
	}
	fmt.Fprintln(stderr, "batchtool:", safename.EscapeLines(err.Error()))
	if isUsageError(err) {
		return 2
	}
	return 1
}

// exitError carries an exit code out of a command. An empty msg means the
// command has already told the user what went wrong.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageError marks an error in the command line itself (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func isUsageError(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	// cobra's own flag and argument errors
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "required flag"} {
		if len(msg) >= len(p) && containsFold(msg, p) {
			return true
		}
	}
	return false
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
