package tikkie

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Cents is an amount in euro cents as the API sends it (amountInCents). It
// reads both a JSON number and a JSON string of digits.
type Cents int64

// UnmarshalJSON accepts 1250 and "1250".
func (c *Cents) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) >= 2 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("tikkie: amountInCents %s is not an integer", b)
	}
	*c = Cents(n)
	return nil
}

// Decimal returns the amount in euro (2 decimal places).
func (c Cents) Decimal() decimal.Decimal { return decimal.New(int64(c), -2) }

var hundred = decimal.NewFromInt(100)

// ToCents converts an exact decimal amount to cents; it never rounds and
// fails on a fraction of a cent or an amount that does not fit.
func ToCents(d decimal.Decimal) (Cents, error) {
	c := d.Mul(hundred)
	if !c.IsInteger() {
		return 0, fmt.Errorf("tikkie: amount %s is not a whole number of cents", d.String())
	}
	if !c.BigInt().IsInt64() {
		return 0, fmt.Errorf("tikkie: amount %s is out of range", d.String())
	}
	return Cents(c.IntPart()), nil
}

// Platform usages.
const (
	UsageForMyself = "PAYMENT_REQUEST_FOR_MYSELF"
	UsageForOthers = "PAYMENT_REQUEST_FOR_OTHERS"
)

// NewPlatform is the body of POST platform.
type NewPlatform struct {
	Name            string `json:"name"`
	PhoneNumber     string `json:"phoneNumber"`
	Email           string `json:"email,omitempty"`
	NotificationURL string `json:"notificationUrl,omitempty"`
	PlatformUsage   string `json:"platformUsage"`
}

// Platform is a created platform; PlatformToken addresses it.
type Platform struct {
	PlatformToken   string `json:"platformToken"`
	Name            string `json:"name"`
	PhoneNumber     string `json:"phoneNumber"`
	Email           string `json:"email,omitempty"`
	NotificationURL string `json:"notificationUrl,omitempty"`
	PlatformUsage   string `json:"platformUsage"`
	Status          string `json:"status"`
}

// NewUser is the body of POST user (sandbox only; production users are
// created by Tikkie Business Support).
type NewUser struct {
	Name             string `json:"name"`
	PhoneNumber      string `json:"phoneNumber"`
	IBAN             string `json:"iban"`
	BankAccountLabel string `json:"bankAccountLabel"`
}

// User is a user of a platform.
type User struct {
	UserToken    string        `json:"userToken"`
	Name         string        `json:"name"`
	Status       string        `json:"status"`
	BankAccounts []BankAccount `json:"bankAccounts"`
}

// BankAccount is a user's bank account; BankAccountToken addresses it.
type BankAccount struct {
	BankAccountToken string `json:"bankAccountToken"`
	BankAccountLabel string `json:"bankAccountLabel"`
	IBAN             string `json:"iban"`
}

// NewPaymentRequest is what to ask for. Amount is exact (sent as cents).
type NewPaymentRequest struct {
	Amount      decimal.Decimal
	Currency    string // "EUR" when empty
	Description string // required, at most 35 characters
	ExternalID  string // your reference, at most 35 characters; the idempotency key of EnsurePaymentRequest
}

type newPaymentRequestWire struct {
	AmountInCents Cents  `json:"amountInCents"`
	Currency      string `json:"currency"`
	Description   string `json:"description"`
	ExternalID    string `json:"externalId,omitempty"`
}

// Created is the answer to a created payment request.
type Created struct {
	PaymentRequestToken string `json:"paymentRequestToken"`
	PaymentRequestURL   string `json:"paymentRequestUrl"`
	ExternalID          string `json:"externalId"`
}

// Payment request statuses (the public clients' status types).
const (
	StatusOpen                         = "OPEN"
	StatusClosed                       = "CLOSED"
	StatusExpired                      = "EXPIRED"
	StatusMaxYieldReached              = "MAX_YIELD_REACHED"
	StatusMaxSuccessfulPaymentsReached = "MAX_SUCCESSFUL_PAYMENTS_REACHED"
)

// Online payment statuses of a Payment.
const (
	PaymentPaid = "PAID"
)

// PaymentRequest is a payment request as GET answers it. The GET and list
// answers carry no paymentRequestUrl (see the package comment).
type PaymentRequest struct {
	PaymentRequestToken       string     `json:"paymentRequestToken"`
	PaymentRequestURL         string     `json:"paymentRequestUrl,omitempty"` // when the API gives it
	AmountInCents             Cents      `json:"amountInCents"`
	Currency                  string     `json:"currency"`
	Description               string     `json:"description"`
	ExternalID                string     `json:"externalId,omitempty"`
	Created                   time.Time  `json:"created"`
	Expired                   *time.Time `json:"expired"` // when it expired; null (nil) while it is live
	Status                    string     `json:"status"`
	BankAccountYieldedTooFast bool       `json:"bankAccountYieldedTooFast"`
	Payments                  []Payment  `json:"payments"`
}

// Payment is one payment made on a request.
type Payment struct {
	PaymentToken              string    `json:"paymentToken"`
	TikkieID                  string    `json:"tikkieId"` // in no v1 fixture: empty when absent
	CounterPartyName          string    `json:"counterPartyName"`
	CounterPartyAccountNumber string    `json:"counterPartyAccountNumber"` // in no v1 fixture: empty when absent
	AmountInCents             Cents     `json:"amountInCents"`
	AmountCurrency            string    `json:"amountCurrency"`
	Description               string    `json:"description"`
	Created                   time.Time `json:"created"`
	OnlinePaymentStatus       string    `json:"onlinePaymentStatus"` // NEW, PENDING, PAID, NOT_PAID
}

// Amount is the requested amount in euro.
func (p *PaymentRequest) Amount() decimal.Decimal { return p.AmountInCents.Decimal() }

// PaidAmount is the sum of the payments with status PAID.
func (p *PaymentRequest) PaidAmount() decimal.Decimal {
	var c Cents
	for _, pm := range p.Payments {
		if pm.OnlinePaymentStatus == PaymentPaid {
			c += pm.AmountInCents
		}
	}
	return c.Decimal()
}

// Paid reports whether the PAID payments cover the requested amount.
func (p *PaymentRequest) Paid() bool {
	return p.AmountInCents > 0 && !p.PaidAmount().LessThan(p.Amount())
}

// ListOptions filter and page a user's payment requests.
type ListOptions struct {
	From     time.Time // fromDate: created at or after (zero: no bound)
	To       time.Time // toDate: created before (zero: no bound)
	PageSize int       // limit per page; 50 when 0
}

// Page is one page of a listing.
type Page struct {
	Offset          int
	TotalElements   int
	PaymentRequests []PaymentRequest
}
