package payreqsandbox

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Demo credentials, registered by AddDemoAccounts. The Tikkie demo app
// accepts a client assertion signed by any RSA key.
const (
	DemoTikkieAPIKey     = "sandbox-tikkie-api-key"
	DemoPlatformToken    = "pt_demo"
	DemoUserToken        = "ut_demo"
	DemoBankAccountToken = "bt_demo"
	DemoTinkaMerchantID  = "sandbox-merchant"
	DemoTinkaUsername    = "sandbox-merchant"
	DemoTinkaPassword    = "sandbox-password"
	DemoTinkaSecret      = "sandbox-hmac-secret"
)

// AddDemoAccounts registers the Demo* credentials: a Tikkie app with one
// platform, user and bank account (fixed tokens), and a Tinka merchant. The
// Tikkie app gets no key here: register it with [Server.AddTikkieApp]
// (before or after), or every token request is refused.
func (s *Server) AddDemoAccounts() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[DemoTikkieAPIKey]; !ok {
		s.apps[DemoTikkieAPIKey] = &tikkieApp{platforms: 1}
	}
	if _, ok := s.platforms[DemoPlatformToken]; !ok {
		s.platforms[DemoPlatformToken] = &platform{apiKey: DemoTikkieAPIKey, tkPlatform: tkPlatform{PlatformToken: DemoPlatformToken,
			Name: "batchtool demo", PhoneNumber: "0612345678", PlatformUsage: "PAYMENT_REQUEST_FOR_MYSELF", Status: "ACTIVE"}}
	}
	if _, ok := s.users[DemoUserToken]; !ok {
		s.users[DemoUserToken] = &user{platformToken: DemoPlatformToken, tkUser: tkUser{UserToken: DemoUserToken, Name: "Demo Finance",
			Status: "ACTIVE", BankAccounts: []tkBankAccount{{BankAccountToken: DemoBankAccountToken, BankAccountLabel: "Collections", IBAN: "NL02ABNA0123456789"}}}}
	}
	if _, ok := s.merchants[DemoTinkaUsername]; !ok {
		s.merchants[DemoTinkaUsername] = &merchant{merchantID: DemoTinkaMerchantID, username: DemoTinkaUsername, password: DemoTinkaPassword, secret: []byte(DemoTinkaSecret)}
	}
	return s.save()
}

// snapshot is the persisted state. Access tokens and nonces are not kept:
// after a restart clients get a 401 and renew.
type snapshot struct {
	Seq             int64          `json:"seq"`
	Apps            []snapApp      `json:"apps"`
	Platforms       []snapPlatform `json:"platforms"`
	Users           []snapUser     `json:"users"`
	PaymentRequests []snapPR       `json:"paymentRequests"`
	Merchants       []snapMerchant `json:"merchants"`
	Tinka           []snapTinka    `json:"tinka"`
}

type snapApp struct {
	APIKey    string `json:"apiKey"`
	PublicKey []byte `json:"publicKey,omitempty"` // PKIX DER
	Platforms int    `json:"platforms"`
}

type snapPlatform struct {
	APIKey   string     `json:"apiKey"`
	Platform tkPlatform `json:"platform"`
}

type snapUser struct {
	PlatformToken string `json:"platformToken"`
	User          tkUser `json:"user"`
}

type snapPR struct {
	UserToken        string           `json:"userToken"`
	BankAccountToken string           `json:"bankAccountToken"`
	Seq              int64            `json:"seq"`
	URL              string           `json:"url"`
	Request          tkPaymentRequest `json:"request"`
}

type snapMerchant struct {
	MerchantID string `json:"merchantId"`
	Username   string `json:"username"`
	Password   string `json:"password"`
	Secret     []byte `json:"secret"`
	NotifyURL  string `json:"notifyUrl,omitempty"`
}

type snapTinka struct {
	MerchantID string          `json:"merchantId"`
	ID         string          `json:"paymentRequestId"`
	Decision   string          `json:"decision"`
	DecidedAt  time.Time       `json:"decidedAt"`
	Request    json.RawMessage `json:"request"` // as received
}

const stateFile = "payreqsandbox.json"

// Persist keeps the sandbox's state in dir: it loads dir/payreqsandbox.json
// when present (replacing the current state) and from then on rewrites it
// (temp file + rename) after every change. The file holds the sandbox's
// fake credentials in clear; it is for demos, not for real secrets.
func (s *Server) Persist(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("payreqsandbox: %w", err)
	default:
		var snap snapshot
		if err := json.Unmarshal(data, &snap); err != nil {
			return fmt.Errorf("payreqsandbox: %s: %w", filepath.Join(dir, stateFile), err)
		}
		if err := s.restore(&snap); err != nil {
			return err
		}
	}
	s.dir = dir
	return s.save()
}

func (s *Server) restore(snap *snapshot) error {
	s.seq = snap.Seq
	for _, a := range snap.Apps {
		app := &tikkieApp{platforms: a.Platforms}
		if len(a.PublicKey) > 0 {
			k, err := x509.ParsePKIXPublicKey(a.PublicKey)
			rk, ok := k.(*rsa.PublicKey)
			if err != nil || !ok {
				return fmt.Errorf("payreqsandbox: app %q: public key is not an RSA PKIX key", a.APIKey)
			}
			app.key = rk
		}
		s.apps[a.APIKey] = app
	}
	for _, p := range snap.Platforms {
		s.platforms[p.Platform.PlatformToken] = &platform{apiKey: p.APIKey, tkPlatform: p.Platform}
	}
	for _, u := range snap.Users {
		s.users[u.User.UserToken] = &user{platformToken: u.PlatformToken, tkUser: u.User}
	}
	sort.Slice(snap.PaymentRequests, func(i, j int) bool { return snap.PaymentRequests[i].Seq < snap.PaymentRequests[j].Seq })
	for _, p := range snap.PaymentRequests {
		u, ok := s.users[p.UserToken]
		if !ok {
			return fmt.Errorf("payreqsandbox: payment request %q: unknown user", p.Request.PaymentRequestToken)
		}
		pr := &paymentRequest{userToken: p.UserToken, bankAccountToken: p.BankAccountToken, seq: p.Seq, url: p.URL, tkPaymentRequest: p.Request}
		s.prs[pr.PaymentRequestToken] = pr
		u.requests = append(u.requests, pr)
	}
	for _, m := range snap.Merchants {
		s.merchants[m.Username] = &merchant{merchantID: m.MerchantID, username: m.Username, password: m.Password, secret: m.Secret, notifyURL: m.NotifyURL}
	}
	for _, t := range snap.Tinka {
		tr := &tinkaRequest{merchantID: t.MerchantID, body: t.Request, id: t.ID, decision: t.Decision, decidedAt: t.DecidedAt}
		if err := json.Unmarshal(t.Request, &tr.req); err != nil {
			return fmt.Errorf("payreqsandbox: Tinka payment request %q: %w", t.ID, err)
		}
		s.tinkaReqs[t.ID] = tr
		s.byTx[t.MerchantID+"\x00"+tr.req.TransactionID] = t.ID
	}
	return nil
}

// save writes the state when persistence is on; called under s.mu.
func (s *Server) save() error {
	if s.dir == "" {
		return nil
	}
	var snap snapshot
	snap.Seq = s.seq
	for k, a := range s.apps {
		sa := snapApp{APIKey: k, Platforms: a.platforms}
		if a.key != nil {
			der, err := x509.MarshalPKIXPublicKey(a.key)
			if err != nil {
				return fmt.Errorf("payreqsandbox: %w", err)
			}
			sa.PublicKey = der
		}
		snap.Apps = append(snap.Apps, sa)
	}
	for _, p := range s.platforms {
		snap.Platforms = append(snap.Platforms, snapPlatform{APIKey: p.apiKey, Platform: p.tkPlatform})
	}
	for _, u := range s.users {
		snap.Users = append(snap.Users, snapUser{PlatformToken: u.platformToken, User: u.tkUser})
	}
	for _, p := range s.prs {
		snap.PaymentRequests = append(snap.PaymentRequests, snapPR{UserToken: p.userToken, BankAccountToken: p.bankAccountToken, Seq: p.seq, URL: p.url, Request: p.tkPaymentRequest})
	}
	for _, m := range s.merchants {
		snap.Merchants = append(snap.Merchants, snapMerchant{MerchantID: m.merchantID, Username: m.username, Password: m.password, Secret: m.secret, NotifyURL: m.notifyURL})
	}
	for _, t := range s.tinkaReqs {
		snap.Tinka = append(snap.Tinka, snapTinka{MerchantID: t.merchantID, ID: t.id, Decision: t.decision, DecidedAt: t.decidedAt, Request: t.body})
	}
	data, err := json.MarshalIndent(&snap, "", " ")
	if err != nil {
		return fmt.Errorf("payreqsandbox: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, stateFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("payreqsandbox: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("payreqsandbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("payreqsandbox: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.dir, stateFile)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("payreqsandbox: %w", err)
	}
	return nil
}
