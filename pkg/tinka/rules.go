package tinka

import (
	"regexp"
	"strings"
	"time"
)

// Need says whether an attribute must be present for a payment method, as
// the reference's tables state it.
type Need int

const (
	// Optional ("-" in the table, or no mark): may be given.
	Optional Need = iota
	// Required ("required"): must be given.
	Required
	// Recommended ("recommended"): a warning when missing.
	Recommended
	// NotAllowed: "available only for" the other method.
	NotAllowed
)

func (n Need) String() string {
	switch n {
	case Required:
		return "required"
	case Recommended:
		return "recommended"
	case NotAllowed:
		return "not allowed"
	}
	return "optional"
}

// Kind is the attribute type of the reference's "Type" column.
type Kind int

// Attribute kinds.
const (
	String Kind = iota
	Integer
	Enum
	Object
	List
)

// Rule is one attribute row of the reference's tables. ID is
// "<Type>.<attribute>" with Type the table it stands in ("Request" for the
// top-level table), e.g. "Applicant.initials"; it is the finding's rule id.
type Rule struct {
	ID      string
	Invoice Need // column "Pay in 14 days (Invoice)"
	Credit  Need // column "Credit"
	Kind    Kind
	MaxLen  int      // column "Length", in characters; 0 when the table gives none
	Enum    []string // allowed values for Enum attributes
	// Positive: the description demands a value > 0.
	Positive bool
	// Format, when set, checks the form of a present string value and
	// returns what is wrong, or "".
	Format func(string) string
}

func (r Rule) need(m Method) Need {
	if m == Credit {
		return r.Credit
	}
	return r.Invoice
}

var (
	postalCodeRE = regexp.MustCompile(`^[0-9]{4} ?[A-Z]{2}$`)
	initialsRE   = regexp.MustCompile(`^\p{Latin}[\p{Latin}. ]*$`)
)

func dateFormat(s string) string {
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return "must be a date yyyy-mm-dd"
	}
	return ""
}

func orderDateFormat(s string) string {
	if len(s) != 24 {
		return "must be a UTC date time yyyy-MM-ddTHH:mm:ss.SSSZ"
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", s); err != nil {
		return "must be a UTC date time yyyy-MM-ddTHH:mm:ss.SSSZ"
	}
	return ""
}

func postalCodeFormat(s string) string {
	if !postalCodeRE.MatchString(s) {
		return "must be a Dutch postal code NNNNAA or NNNN AA"
	}
	return ""
}

func initialsFormat(s string) string {
	if !initialsRE.MatchString(s) {
		return `must match ^[\p{IsLatin}][\p{IsLatin}. ]*$`
	}
	return ""
}

// Rules is the reference's attribute tables as data: one rule per
// attribute, in the order of the tables.
var Rules = []Rule{
	// Request
	{ID: "Request.transactionId", Invoice: Required, Credit: Required, Kind: String, MaxLen: 100},
	{ID: "Request.merchantRequestReference", Invoice: Required, Credit: Required, Kind: String, MaxLen: 100},
	{ID: "Request.paymentMethod", Invoice: Required, Credit: Required, Kind: Enum, Enum: []string{"Invoice", "Credit"}},
	{ID: "Request.requestedPaymentAmount", Invoice: Required, Credit: Required, Kind: Integer, Positive: true},
	{ID: "Request.invoiceAddress", Invoice: Required, Credit: Recommended, Kind: Object},
	{ID: "Request.delivery", Invoice: Required, Credit: Recommended, Kind: Object},
	{ID: "Request.payments", Invoice: Optional, Credit: Optional, Kind: List},
	{ID: "Request.requestTags", Invoice: Required, Credit: Optional, Kind: List},
	{ID: "Request.merchant", Invoice: Required, Credit: Required, Kind: Object},
	{ID: "Request.lines", Invoice: Required, Credit: Required, Kind: List},
	{ID: "Request.applicant", Invoice: Required, Credit: Required, Kind: Object},
	{ID: "Request.routing", Invoice: NotAllowed, Credit: Required, Kind: Object},
	{ID: "Request.session", Invoice: Required, Credit: NotAllowed, Kind: Object},
	{ID: "Request.orderCreationDate", Invoice: Required, Credit: NotAllowed, Kind: String, MaxLen: 24, Format: orderDateFormat},

	// Address
	{ID: "Address.countryCode", Invoice: Required, Credit: Required, Kind: Enum, MaxLen: 10, Enum: []string{"NL"}},
	{ID: "Address.houseNumber", Invoice: Required, Credit: Required, Kind: String, MaxLen: 10},
	{ID: "Address.houseNumberAddition", Kind: String, MaxLen: 10},
	{ID: "Address.postalCode", Invoice: Required, Credit: Required, Kind: String, MaxLen: 10, Format: postalCodeFormat},
	{ID: "Address.street", Invoice: Required, Credit: Required, Kind: String, MaxLen: 50},
	{ID: "Address.city", Invoice: Required, Credit: Required, Kind: String, MaxLen: 50},

	// Applicant
	{ID: "Applicant.dateOfBirth", Invoice: Required, Kind: String, MaxLen: 10, Format: dateFormat},
	{ID: "Applicant.emailAddress", Invoice: Required, Kind: String, MaxLen: 320},
	{ID: "Applicant.externalCustomerNumber", Kind: String, MaxLen: 100},
	{ID: "Applicant.gender", Invoice: Required, Kind: Enum, MaxLen: 10, Enum: []string{"Male", "Female", "Unknown"}},
	{ID: "Applicant.initials", Invoice: Required, Kind: String, MaxLen: 20, Format: initialsFormat},
	{ID: "Applicant.firstName", Kind: String, MaxLen: 100},
	{ID: "Applicant.prefixLastName", Kind: String, MaxLen: 10},
	{ID: "Applicant.lastName", Invoice: Required, Credit: Required, Kind: String, MaxLen: 200},
	{ID: "Applicant.telephoneNumber", Invoice: Required, Kind: String, MaxLen: 17},

	// Delivery characteristics
	{ID: "Delivery.deliveryDate", Kind: String, MaxLen: 10, Format: dateFormat},
	{ID: "Delivery.deliveryMethod", Invoice: Required, Kind: Enum, Enum: []string{"CompanyDelivery", "Locker", "ParcelStation", "ParcelShop", "CompanyStore", "ShippingPartner"}},
	{ID: "Delivery.deliveryAddress", Invoice: Required, Kind: Object},
	{ID: "Delivery.notificationEmailAddress", Kind: String, MaxLen: 320},
	{ID: "Delivery.notificationTelephoneNumber", Kind: String, MaxLen: 18},
	{ID: "Delivery.shippingPartner", Kind: String, MaxLen: 100},

	// Line
	{ID: "Line.itemPrice", Invoice: Required, Credit: Required, Kind: Integer},
	{ID: "Line.merchantLineReference", Invoice: Required, Credit: Required, Kind: String, MaxLen: 100},
	{ID: "Line.productClassification", Invoice: Required, Kind: String, MaxLen: 100},
	{ID: "Line.numberOfItems", Invoice: Required, Credit: Required, Kind: Integer, Positive: true},
	{ID: "Line.description", Invoice: Required, Credit: Required, Kind: String, MaxLen: 255},
	{ID: "Line.brand", Kind: String, MaxLen: 100},
	{ID: "Line.manufacturer", Kind: String, MaxLen: 100},
	{ID: "Line.color", Kind: String, MaxLen: 100},
	{ID: "Line.size", Kind: String, MaxLen: 100},

	// Payment
	{ID: "Payment.amount", Invoice: Required, Credit: Required, Kind: Integer, Positive: true},
	{ID: "Payment.paymentType", Invoice: Required, Credit: Required, Kind: String, MaxLen: 100},

	// Request tag
	{ID: "RequestTag.tagName", Invoice: Required, Credit: Required, Kind: String, MaxLen: 50},
	{ID: "RequestTag.tagValue", Invoice: Required, Credit: Required, Kind: String, MaxLen: 100},

	// Merchant
	{ID: "Merchant.merchantId", Invoice: Required, Credit: Required, Kind: String, MaxLen: 100},

	// Routing (the table has no required column)
	{ID: "Routing.callbackUrl", Kind: String, MaxLen: 2000},
	{ID: "Routing.cancelUrl", Kind: String, MaxLen: 2000},

	// Session (the table has no required column)
	{ID: "Session.ipAddress", Kind: String, MaxLen: 50},
	{ID: "Session.userAgent", Kind: String, MaxLen: 512},
	{ID: "Session.acceptLanguage", Kind: String, MaxLen: 256},
	{ID: "Session.sessionAge", Kind: Integer, Positive: true},
	{ID: "Session.sessionId", Kind: String, MaxLen: 100},
}

// Cross-field rule ids (stated in the reference's prose, not its tables).
const (
	RuleLinesSum         = "Line.sum"                          // sum of order lines equals requestedPaymentAmount
	RuleLineRefUnique    = "Line.merchantLineReference.unique" // unique across the request's lines
	RulePromotionCodeTag = "RequestTag.PromotionCodeApplied"   // Invoice: tag PromotionCodeApplied true|false
	RuleMerchantIsSigner = "Merchant.merchantId.signer"        // equals the merchant id that signs
)

// ruleFor returns the table rule with the given id, or nil.
func ruleFor(id string) *Rule {
	for i := range Rules {
		if Rules[i].ID == id {
			return &Rules[i]
		}
	}
	return nil
}

func enumList(vs []string) string { return strings.Join(vs, ", ") }
