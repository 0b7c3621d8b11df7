package main

// Shell completion of flag values: `batchtool completion bash|zsh|fish|
// powershell` completes the values a flag takes, not only its name.

import (
	"github.com/spf13/cobra"
)

// completeValues makes the shell complete flag's values from values,
// without falling back to file names.
func completeValues(cmd *cobra.Command, flag string, values ...string) {
	err := cmd.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	})
	if err != nil {
		panic(err) // a programming error: the flag does not exist
	}
}

// completeFiles makes the shell complete flag's values with file names
// ending in one of exts (without the dot).
func completeFiles(cmd *cobra.Command, flag string, exts ...string) {
	if err := cmd.MarkFlagFilename(flag, exts...); err != nil {
		panic(err)
	}
}
