package ledger

import (
	"errors"
	"os"
)

// createPrivate creates a new SQLite ledger file with mode 0600: the ledger
// holds personal data (names, IBANs, what each debtor paid), which no other
// user of the machine may read, whatever the umask. SQLite gives the -wal
// and -shm files it makes beside it the mode of the database file, so they
// are 0600 too. An existing file is left as it is.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}
