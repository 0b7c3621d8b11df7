package tinka

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Method is the paymentMethod of a request.
type Method string

// Payment methods (reference: "Payment methods").
const (
	Invoice Method = "Invoice" // Pay in 14 days
	Credit  Method = "Credit"  // instalment credit
)

// Decision is the outcome of a payment request.
type Decision string

// Decisions. The answers name Accepted, Rejected and Cancelled; callback
// URLs may also carry Pending; the portal's decision table adds InProgress
// (received, not processed yet) and marks Accepted, Rejected and Cancelled
// as end states.
const (
	InProgress Decision = "InProgress"
	Accepted   Decision = "Accepted"
	Rejected   Decision = "Rejected"
	Cancelled  Decision = "Cancelled"
	Pending    Decision = "Pending"
)

// Final reports whether the decision is an end state.
func (d Decision) Final() bool { return d == Accepted || d == Rejected || d == Cancelled }

// PaymentRequest is the body of POST /merchant-api/v2/online/payment-requests.
// Integer amounts are euro cents. An empty string or nil pointer means the
// attribute is absent (it is left out of the JSON).
type PaymentRequest struct {
	TransactionID            string       `json:"transactionId,omitempty"`
	MerchantRequestReference string       `json:"merchantRequestReference,omitempty"`
	PaymentMethod            Method       `json:"paymentMethod,omitempty"`
	RequestedPaymentAmount   int64        `json:"requestedPaymentAmount"` // euro cents, > 0
	InvoiceAddress           *Address     `json:"invoiceAddress,omitempty"`
	Delivery                 *Delivery    `json:"delivery,omitempty"`
	Payments                 []Payment    `json:"payments,omitempty"`
	RequestTags              []RequestTag `json:"requestTags,omitempty"`
	Merchant                 *Merchant    `json:"merchant,omitempty"`
	Lines                    []Line       `json:"lines,omitempty"`
	Applicant                *Applicant   `json:"applicant,omitempty"`
	Routing                  *Routing     `json:"routing,omitempty"`           // Credit only
	Session                  *Session     `json:"session,omitempty"`           // Invoice only
	OrderCreationDate        string       `json:"orderCreationDate,omitempty"` // Invoice only; yyyy-MM-ddTHH:mm:ss.SSSZ
}

// Address is the reference's type Address.
type Address struct {
	CountryCode         string `json:"countryCode,omitempty"` // always NL for now
	HouseNumber         string `json:"houseNumber,omitempty"`
	HouseNumberAddition string `json:"houseNumberAddition,omitempty"`
	PostalCode          string `json:"postalCode,omitempty"` // NNNNAA or NNNN AA
	Street              string `json:"street,omitempty"`
	City                string `json:"city,omitempty"`
}

// Applicant is the reference's type Applicant (the customer).
type Applicant struct {
	DateOfBirth            string `json:"dateOfBirth,omitempty"` // yyyy-mm-dd
	EmailAddress           string `json:"emailAddress,omitempty"`
	ExternalCustomerNumber string `json:"externalCustomerNumber,omitempty"`
	Gender                 string `json:"gender,omitempty"` // Male, Female, Unknown
	Initials               string `json:"initials,omitempty"`
	FirstName              string `json:"firstName,omitempty"`
	PrefixLastName         string `json:"prefixLastName,omitempty"`
	LastName               string `json:"lastName,omitempty"`
	TelephoneNumber        string `json:"telephoneNumber,omitempty"`
}

// Delivery is the reference's type Delivery characteristics.
type Delivery struct {
	DeliveryDate                string   `json:"deliveryDate,omitempty"` // yyyy-mm-dd
	DeliveryMethod              string   `json:"deliveryMethod,omitempty"`
	DeliveryAddress             *Address `json:"deliveryAddress,omitempty"`
	NotificationEmailAddress    string   `json:"notificationEmailAddress,omitempty"`
	NotificationTelephoneNumber string   `json:"notificationTelephoneNumber,omitempty"`
	ShippingPartner             string   `json:"shippingPartner,omitempty"`
}

// Line is one order line (type Line). ItemPrice is in euro cents, VAT
// included.
type Line struct {
	ItemPrice             int64  `json:"itemPrice"`
	MerchantLineReference string `json:"merchantLineReference,omitempty"`
	ProductClassification string `json:"productClassification,omitempty"`
	NumberOfItems         int64  `json:"numberOfItems"`
	Description           string `json:"description,omitempty"`
	Brand                 string `json:"brand,omitempty"`
	Manufacturer          string `json:"manufacturer,omitempty"`
	Color                 string `json:"color,omitempty"`
	Size                  string `json:"size,omitempty"`
}

// Payment is a payment already carried out for the request (e.g. a gift
// card), in euro cents.
type Payment struct {
	Amount      int64  `json:"amount"`
	PaymentType string `json:"paymentType,omitempty"`
}

// RequestTag is a merchant key/value pair.
type RequestTag struct {
	TagName  string `json:"tagName,omitempty"`
	TagValue string `json:"tagValue,omitempty"`
}

// Merchant identifies the merchant; MerchantID must be the one that signs.
type Merchant struct {
	MerchantID string `json:"merchantId,omitempty"`
}

// Routing holds the URLs the customer returns to (Credit only).
type Routing struct {
	CallbackURL string `json:"callbackUrl,omitempty"`
	CancelURL   string `json:"cancelUrl,omitempty"`
}

// Session describes the customer's checkout session (Invoice only).
type Session struct {
	IPAddress      string `json:"ipAddress,omitempty"`
	UserAgent      string `json:"userAgent,omitempty"`
	AcceptLanguage string `json:"acceptLanguage,omitempty"`
	SessionAge     int64  `json:"sessionAge,omitempty"` // seconds, > 0
	SessionID      string `json:"sessionId,omitempty"`
}

// Response is the answer to a payment request: PaymentRequestID always,
// Decision for a synchronous Invoice call, RedirectURL for Credit.
type Response struct {
	PaymentRequestID string   `json:"paymentRequestId"`
	Decision         Decision `json:"decision,omitempty"`
	RedirectURL      string   `json:"redirectUrl,omitempty"`
}

// Status is the current state of a payment request: the answer of GET
// /merchant-api/v2/status/{id}, and the body of a callback POST (the
// portal's "Status Payment Request" and "Callback Payment Request").
type Status struct {
	PaymentRequestID         string   `json:"paymentRequestId"`
	PaymentMethod            Method   `json:"paymentMethod"`
	RequestedPaymentAmount   int64    `json:"requestedPaymentAmount"` // euro cents
	Decision                 Decision `json:"decision"`
	DecisionDateTime         string   `json:"decisionDateTime"` // yyyy-mm-ddThh:mi:ss.SSSZ, UTC
	TransactionID            string   `json:"transactionId"`
	MerchantRequestReference string   `json:"merchantRequestReference"`
	ErrorCode                string   `json:"errorCode,omitempty"`
	AdditionalData           string   `json:"additionalData,omitempty"` // e.g. a reject reason
}

var hundred = decimal.NewFromInt(100)

// Cents converts an exact decimal euro amount to euro cents. It fails when
// the amount has a fraction of a cent or does not fit in an int64; it never
// rounds.
func Cents(d decimal.Decimal) (int64, error) {
	c := d.Mul(hundred)
	if !c.IsInteger() {
		return 0, fmt.Errorf("tinka: amount %s is not a whole number of cents", d.String())
	}
	if !c.BigInt().IsInt64() {
		return 0, fmt.Errorf("tinka: amount %s is out of range", d.String())
	}
	return c.IntPart(), nil
}

// Euro converts euro cents back to a decimal amount (2 decimal places).
func Euro(cents int64) decimal.Decimal { return decimal.New(cents, -2) }

// NewLine builds an order line from an exact decimal unit price.
func NewLine(ref, description string, unitPrice decimal.Decimal, n int64) (Line, error) {
	c, err := Cents(unitPrice)
	if err != nil {
		return Line{}, err
	}
	return Line{ItemPrice: c, MerchantLineReference: ref, Description: description, NumberOfItems: n}, nil
}
