package ledger

// migrations are applied in order, each in its own transaction, and
// recorded in schema_migrations. Never edit one that has shipped: append.
var migrations = []string{
	// 1: the whole ledger.
	`CREATE TABLE runs (
		id          INTEGER PRIMARY KEY,
		command     TEXT NOT NULL,
		started_at  TEXT NOT NULL,
		finished_at TEXT,
		summary     TEXT
	);
	CREATE TABLE batches (
		id              INTEGER PRIMARY KEY,
		pmtinf_id       TEXT NOT NULL UNIQUE,
		nb_of_txs       INTEGER NOT NULL,
		total           TEXT NOT NULL,
		total_cents     INTEGER NOT NULL,
		currency        TEXT NOT NULL,
		collection_date TEXT,
		status          TEXT NOT NULL,
		source          TEXT,
		run_id          INTEGER
	);
	CREATE INDEX batches_total ON batches (total_cents, nb_of_txs);
	CREATE TABLE collections (
		id              INTEGER PRIMARY KEY,
		end_to_end_id   TEXT NOT NULL,
		mandate_id      TEXT NOT NULL,
		pmtinf_id       TEXT NOT NULL,
		amount          TEXT NOT NULL,
		currency        TEXT NOT NULL,
		collection_date TEXT,
		debtor_name     TEXT,
		debtor_iban     TEXT,
		creditor_id     TEXT,
		remittance      TEXT,
		status          TEXT NOT NULL,
		return_reason   TEXT,
		return_text     TEXT,
		UNIQUE (pmtinf_id, end_to_end_id)
	);
	CREATE INDEX collections_e2e ON collections (end_to_end_id);
	CREATE TABLE invoices (
		id              INTEGER PRIMARY KEY,
		number          TEXT NOT NULL UNIQUE,
		number_key      TEXT NOT NULL,
		customer_number TEXT,
		customer_name   TEXT,
		reference       TEXT NOT NULL,
		amount          TEXT NOT NULL,
		open_amount     TEXT NOT NULL,
		currency        TEXT NOT NULL,
		issue_date      TEXT,
		due_date        TEXT,
		status          TEXT NOT NULL,
		source          TEXT
	);
	CREATE INDEX invoices_number_key ON invoices (number_key);
	CREATE INDEX invoices_reference ON invoices (reference);
	CREATE TABLE invoice_ibans (
		iban       TEXT NOT NULL,
		invoice_id INTEGER NOT NULL REFERENCES invoices (id),
		PRIMARY KEY (iban, invoice_id)
	);
	CREATE TABLE statement_files (
		id          INTEGER PRIMARY KEY,
		sha256      TEXT NOT NULL UNIQUE,
		name        TEXT NOT NULL,
		format      TEXT,
		imported_at TEXT NOT NULL,
		run_id      INTEGER,
		entries     INTEGER NOT NULL,
		duplicates  INTEGER NOT NULL
	);
	CREATE TABLE statement_lines (
		id           INTEGER PRIMARY KEY,
		identity     BLOB NOT NULL UNIQUE, -- LineIdentity: 16 bytes
		file_id      INTEGER NOT NULL REFERENCES statement_files (id),
		account      TEXT NOT NULL,
		statement_id TEXT,
		entry_ref    TEXT,
		entry_seq    INTEGER NOT NULL,
		occurrence   INTEGER NOT NULL,
		booking_date TEXT,
		amount       TEXT NOT NULL,
		currency     TEXT NOT NULL,
		reversal     INTEGER NOT NULL,
		info         TEXT
	);
	CREATE TABLE matches (
		id            INTEGER PRIMARY KEY,
		line_id       INTEGER NOT NULL REFERENCES statement_lines (id),
		detail        INTEGER NOT NULL,
		outcome       TEXT NOT NULL,
		rule          TEXT,
		item_kind     TEXT,
		item_id       INTEGER,
		item_key      TEXT,
		amount        TEXT NOT NULL,
		applied       TEXT,
		candidates    TEXT,
		return_reason TEXT,
		evidence      TEXT NOT NULL
	);
	CREATE INDEX matches_line ON matches (line_id);`,
	// 2: what was sent to the platform, so nothing is sent twice.
	`CREATE TABLE uploads (
		kind         TEXT NOT NULL, -- batch (PmtInfId), collection (EndToEndId), invoice (invoice number)
		key          TEXT NOT NULL,
		digest       TEXT NOT NULL DEFAULT '', -- SHA-256 of the file sent
		platform_ref TEXT NOT NULL DEFAULT '', -- the platform's id, when it gave one
		uploaded_at  TEXT NOT NULL,
		PRIMARY KEY (kind, key)
	);`,
	// 3: payment requests (Tikkie, Tinka) for what direct debit did not
	// collect: at most one open per item, recorded before it is sent.
	`CREATE TABLE payment_requests (
		id           INTEGER PRIMARY KEY,
		provider     TEXT NOT NULL,  -- tikkie, tinka
		item_kind    TEXT NOT NULL,  -- collection, invoice
		item_id      INTEGER NOT NULL,
		item_key     TEXT NOT NULL,  -- end-to-end id or invoice number
		item_key_norm TEXT NOT NULL, -- reconcile.NumberKey(item_key): how a payout's remittance names it
		external_id  TEXT NOT NULL,  -- Tikkie externalId, Tinka transactionId
		amount       TEXT NOT NULL,
		currency     TEXT NOT NULL,
		reason       TEXT NOT NULL,  -- return reason, or "overdue"
		name         TEXT,           -- debtor or customer
		status       TEXT NOT NULL,  -- pending, open, paid, expired, rejected, cancelled, failed
		provider_ref TEXT,           -- paymentRequestToken, paymentRequestId
		url          TEXT,           -- the link for the customer
		created_at   TEXT NOT NULL,
		updated_at   TEXT NOT NULL,
		paid_amount  TEXT,
		paid_at      TEXT,
		note         TEXT,           -- payer, or why it failed
		settled      INTEGER NOT NULL DEFAULT 0, -- its payout was matched to a statement line
		run_id       INTEGER,
		UNIQUE (provider, external_id)
	);
	CREATE UNIQUE INDEX payment_requests_one_open ON payment_requests (item_kind, item_id) WHERE status IN ('pending', 'open');
	CREATE INDEX payment_requests_status ON payment_requests (provider, status);
	CREATE INDEX payment_requests_key ON payment_requests (item_key_norm);
	CREATE INDEX payment_requests_item ON payment_requests (item_kind, item_id);
	CREATE INDEX payment_requests_item_key ON payment_requests (item_key);`,
	// 4: batch bookings named detail by detail, so that one batch booked
	// as one camt entry and as several CODA movements (a bank splits
	// batches of more than 9,998 details) is recognised across files.
	`CREATE TABLE statement_details (
		identity BLOB PRIMARY KEY, -- DetailIdentity: 16 bytes
		file_id  INTEGER NOT NULL,
		line_id  INTEGER NOT NULL
	) WITHOUT ROWID;`,
	// 5: never lose a statement. Every file the platform lists is recorded
	// before it is downloaded (listed → downloaded → booked), every listing
	// before it is sent (a listing whose answer never arrived is listed
	// again with X-RESET), the platform's transaction feed is kept to
	// cross-check what was booked, and one run at a time holds the lock.
	`CREATE TABLE platform_listings (
		id           INTEGER PRIMARY KEY,
		format       TEXT NOT NULL,
		reset_from   TEXT,           -- X-RESET sent (RFC 3339), or NULL
		started_at   TEXT NOT NULL,
		completed_at TEXT,           -- NULL: the answer never reached the ledger
		files        INTEGER
	);
	CREATE TABLE platform_files (
		id            INTEGER PRIMARY KEY,
		name          TEXT NOT NULL UNIQUE,
		format        TEXT NOT NULL,  -- camt, coda (from the name)
		created       TEXT,           -- the platform's creation time
		state         TEXT NOT NULL,  -- listed, downloaded, booked
		listing_id    INTEGER,
		listed_at     TEXT NOT NULL,
		downloaded_at TEXT,
		path          TEXT,
		bytes         INTEGER,
		sha256        TEXT,
		booked_at     TEXT,
		attempts      INTEGER NOT NULL DEFAULT 0,
		last_error    TEXT
	);
	CREATE INDEX platform_files_state ON platform_files (state);
	CREATE TABLE platform_transactions (
		seq         INTEGER PRIMARY KEY, -- the feed's sequence number
		id          INTEGER NOT NULL,    -- the platform's transaction id
		ref         TEXT NOT NULL,       -- end-to-end id
		state       TEXT NOT NULL,       -- PAID, ERROR
		amount      TEXT NOT NULL,
		currency    TEXT NOT NULL,
		bank_error  TEXT,
		booked_date TEXT,
		seen_at     TEXT NOT NULL,
		run_id      INTEGER
	);
	CREATE INDEX platform_transactions_ref ON platform_transactions (ref);
	CREATE TABLE run_lock (
		name       TEXT PRIMARY KEY, -- what is locked: "run"
		holder     TEXT NOT NULL,    -- host:pid:nonce of the process holding it
		command    TEXT NOT NULL,
		since      TEXT NOT NULL,
		expires_at TEXT NOT NULL     -- renewed while the run lives
	);`,
	// 6: money as numbers beside their currencies (see money.go); matches
	// get a currency column. Written for both databases (postgresPart).
	moneyMigration(),
	// 7: PostgreSQL leaves half of each page of open items free. An import
	// rewrites every item it pays (status, open remainder) while the old
	// row must stay until it commits; with room on the same page the new
	// row is a heap-only update and no index is touched — on 50,000 lines
	// the updates took a fifth of the time. SQLite updates in place.
	`SELECT 1;
` + postgresPart + `
	ALTER TABLE invoices SET (fillfactor = 50);
	ALTER TABLE collections SET (fillfactor = 50);`,
	// 8: claims, so that workers sharing one ledger split the night's work
	// (see claims.go): a unit is held by one worker under a lease it renews,
	// taken over when the lease runs out, never again once done.
	`CREATE TABLE claims (
		kind       TEXT NOT NULL,    -- due, upload, statement, payreq
		key        TEXT NOT NULL,    -- the unit: a digest, a PmtInfId, an item
		owner      TEXT NOT NULL,    -- host:pid:nonce of the worker holding it (that did it, once done)
		expires_ms INTEGER NOT NULL, -- end of the lease: ms since 1970 on the database's clock
		attempts   INTEGER NOT NULL, -- workers that claimed it: more than 1 when a lease ran out
		claimed_at TEXT NOT NULL,
		done_at    TEXT,             -- finished: never claimed again
		PRIMARY KEY (kind, key)
	);`,
	// 9: no per-row foreign-key checks in the import on PostgreSQL. Each
	// statement line and each match row fired a trigger that looked up its
	// parent (statement_files, statement_lines) row by row: 70% of the time
	// of those two INSERTs (100,000 rows: 3.8 s against 1.2 s, and 2.4 s
	// against 0.7 s). The import writes a line's file id and a match's line
	// id as the rows it inserted in the same transaction returned them, and
	// nothing deletes lines or files; SQLite never enforced these references
	// (foreign_keys is off), so both databases now keep them the same way.
	`SELECT 1;
` + postgresPart + `
	ALTER TABLE matches DROP CONSTRAINT IF EXISTS matches_line_id_fkey;
	ALTER TABLE statement_lines DROP CONSTRAINT IF EXISTS statement_lines_file_id_fkey;`,
	// 10: the keys an import looks items up by compare byte by byte on
	// PostgreSQL (COLLATE "C"), as SQLite's do (BINARY). Under the
	// database's locale (C.UTF-8, en_US.UTF-8: what initdb gives) every
	// probe of their indexes compared through strcoll: a fifth of the
	// look-ups' server time on 100,000 lines. The columns compared with
	// them (a payment request's item key, a platform transaction's
	// end-to-end id) compare the same way, or their indexes could not serve
	// those comparisons. Lists ordered by these columns (invoices by
	// number, collections by batch and end-to-end id) now come in byte
	// order, as SQLite's do. The indexes are rebuilt.
	// And the ids of statement lines and matches (a nextval each, 2 a
	// line) come from a cache of 1,000 a connection rather than the
	// shared sequence each time: ids are still unique and rising within an
	// import, with gaps where a connection ended before using its block.
	`SELECT 1;
` + postgresPart + `
	ALTER TABLE invoices ALTER COLUMN number TYPE TEXT COLLATE "C",
		ALTER COLUMN number_key TYPE TEXT COLLATE "C", ALTER COLUMN reference TYPE TEXT COLLATE "C";
	ALTER TABLE invoice_ibans ALTER COLUMN iban TYPE TEXT COLLATE "C";
	ALTER TABLE collections ALTER COLUMN end_to_end_id TYPE TEXT COLLATE "C", ALTER COLUMN pmtinf_id TYPE TEXT COLLATE "C";
	ALTER TABLE batches ALTER COLUMN pmtinf_id TYPE TEXT COLLATE "C";
	ALTER TABLE payment_requests ALTER COLUMN item_key TYPE TEXT COLLATE "C", ALTER COLUMN item_key_norm TYPE TEXT COLLATE "C";
	ALTER TABLE platform_transactions ALTER COLUMN ref TYPE TEXT COLLATE "C";
	ALTER TABLE statement_lines ALTER COLUMN id SET CACHE 1000;
	ALTER TABLE matches ALTER COLUMN id SET CACHE 1000;`,
}

// LatestSchema is the schema version this batchtool migrates a ledger to.
func LatestSchema() int { return len(migrations) }

// postgresPart separates, in a migration, the SQL for SQLite (before) from
// the SQL for PostgreSQL (after), where they cannot be one text.
const postgresPart = "-- postgres:"
