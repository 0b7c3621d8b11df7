package ledger

// Name names the ledger for messages: its file path, or its database URL
// without the password (Describe of the location it was opened at).
func (l *DB) Name() string { return l.path }
