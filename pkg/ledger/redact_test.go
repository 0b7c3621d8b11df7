package ledger

import (
	"strings"
	"testing"
)

// TestDescribe: a database URL is printed without any of its secrets, the
// rest exactly as given.
func TestDescribe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/var/lib/batchtool/ledger.db", "/var/lib/batchtool/ledger.db"},
		{"postgres://bt:s3cret@db:5432/ledger?sslmode=require", "postgres://bt:xxxxx@db:5432/ledger?sslmode=require"},
		{"postgres://bt@db/ledger?password=s3cret&sslmode=disable", "postgres://bt@db/ledger?password=xxxxx&sslmode=disable"},
		{"postgresql://db/ledger?sslmode=verify-full&user=bt&password=s3cret", "postgresql://db/ledger?sslmode=verify-full&user=bt&password=xxxxx"},
		{"postgres://db/ledger?sslpassword=keypw&sslcert=/etc/bt.crt&sslkey=/etc/bt.key", "postgres://db/ledger?sslpassword=xxxxx&sslcert=/etc/bt.crt&sslkey=xxxxx"},
		{"postgres://db/ledger?passfile=/home/bt/.pgpass", "postgres://db/ledger?passfile=xxxxx"},
		{"postgres://db/ledger?PassWord=s3cret", "postgres://db/ledger?PassWord=xxxxx"},
		{"postgres://db/ledger?pass%77ord=s%33cret&application_name=batchtool", "postgres://db/ledger?pass%77ord=xxxxx&application_name=batchtool"},
		{"postgres://u:pw@db/ledger?password=a&password=b", "postgres://u:xxxxx@db/ledger?password=xxxxx&password=xxxxx"},
		{"postgres://db/ledger?search_path=passwords", "postgres://db/ledger?search_path=passwords"},
		{"postgres://u:s3cret@db/ledger?password=%zz", "postgres://u:xxxxx@db/ledger?password=xxxxx"},
		{"postgres://u:s3cret@db:port/ledger", "(database URL)"},
	} {
		if got := Describe(tc.in); got != tc.want {
			t.Errorf("Describe(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestOpenErrorHidesPassword: the error of a ledger that cannot be opened
// names the URL without its password.
func TestOpenErrorHidesPassword(t *testing.T) {
	_, err := Open("postgres://bt@127.0.0.1:1/ledger?password=s3cret&connect_timeout=1&sslmode=disable")
	if err == nil {
		t.Fatal("opened a ledger on port 1")
	}
	const want = "ledger postgres://bt@127.0.0.1:1/ledger?password=xxxxx&connect_timeout=1&sslmode=disable: "
	if !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error %q\nwant prefix %q and no password", err, want)
	}
}
