package tinka

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func validInvoice() *PaymentRequest {
	addr := func() *Address {
		return &Address{CountryCode: "NL", HouseNumber: "81", PostalCode: "4006EA", Street: "Dodewaardlaan", City: "Tiel"}
	}
	return &PaymentRequest{
		TransactionID: "tx-0001", MerchantRequestReference: "INV-2026-0001", PaymentMethod: Invoice,
		RequestedPaymentAmount: 90000, OrderCreationDate: "2021-03-04T18:44:55.000Z",
		InvoiceAddress: addr(),
		Delivery:       &Delivery{DeliveryDate: "2020-02-02", DeliveryMethod: "CompanyDelivery", DeliveryAddress: addr()},
		Session:        &Session{IPAddress: "127.0.0.1", UserAgent: "Mozilla/5.0", AcceptLanguage: "en-US,en;q=0.9,nl;q=0.8", SessionAge: 1, SessionID: "id1"},
		Payments:       []Payment{{Amount: 1500, PaymentType: "some special gift card"}},
		RequestTags:    []RequestTag{{TagName: "PromotionCodeApplied", TagValue: "true"}},
		Merchant:       &Merchant{MerchantID: "example"},
		Lines: []Line{
			{ItemPrice: 20000, MerchantLineReference: "L1", ProductClassification: "Fashion", NumberOfItems: 2, Description: "some description"},
			{ItemPrice: 50000, MerchantLineReference: "L2", ProductClassification: "Furniture", NumberOfItems: 1, Description: "some description"},
		},
		Applicant: &Applicant{DateOfBirth: "1971-01-01", EmailAddress: "test@example.com", ExternalCustomerNumber: "C-1",
			Gender: "Male", Initials: "S.", FirstName: "Nosmyut", LastName: "Proefpersoonlangnaamdeel", TelephoneNumber: "0131234567"},
	}
}

// validCredit is the reference's Credit example made consistent: its lines
// (2 × 44250) add up to the requested amount (the example asks 90000).
func validCredit() *PaymentRequest {
	return &PaymentRequest{
		TransactionID: "tx-0002", MerchantRequestReference: "INV-2026-0002", PaymentMethod: Credit,
		RequestedPaymentAmount: 88500,
		InvoiceAddress:         &Address{CountryCode: "NL", HouseNumber: "81", PostalCode: "4006EA", Street: "Dodewaardlaan", City: "Tiel"},
		Delivery:               &Delivery{DeliveryDate: "2020-02-02", DeliveryMethod: "CompanyDelivery"},
		Routing:                &Routing{CallbackURL: "https://www.example.com/callback", CancelURL: "https://www.example.com/cancel"},
		Payments:               []Payment{{Amount: 1500, PaymentType: "some special gift card"}},
		RequestTags:            []RequestTag{{TagName: "campaign", TagValue: "christmas event 2018"}},
		Merchant:               &Merchant{MerchantID: "example"},
		Lines:                  []Line{{ItemPrice: 44250, MerchantLineReference: "Example_1", ProductClassification: "1001", NumberOfItems: 2, Description: "some description"}},
		Applicant:              &Applicant{Gender: "Male", Initials: "S.", FirstName: "Nosmyut", LastName: "Proefpersoonlangnaamdeel"},
	}
}

func x(n int) string { return strings.Repeat("x", n) }

type vcase struct {
	rule   string // the rule this case exercises
	name   string
	base   func() *PaymentRequest
	mutate func(*PaymentRequest)
	want   []string
}

func tooLong(path string, n, max int, rule string) string {
	return fmt.Sprintf("error: %s %q: is %d characters, longer than the maximum %d [%s]", path, x(n), n, max, rule)
}

var validationCases = []vcase{
	// Request
	{"Request.transactionId", "missing", validInvoice, func(r *PaymentRequest) { r.TransactionID = "" },
		[]string{`error: transactionId "": required for paymentMethod Invoice [Request.transactionId]`}},
	{"Request.transactionId", "101 characters", validCredit, func(r *PaymentRequest) { r.TransactionID = x(101) },
		[]string{tooLong("transactionId", 101, 100, "Request.transactionId")}},
	{"Request.merchantRequestReference", "missing", validCredit, func(r *PaymentRequest) { r.MerchantRequestReference = "" },
		[]string{`error: merchantRequestReference "": required for paymentMethod Credit [Request.merchantRequestReference]`}},
	{"Request.merchantRequestReference", "101 characters", validInvoice, func(r *PaymentRequest) { r.MerchantRequestReference = x(101) },
		[]string{tooLong("merchantRequestReference", 101, 100, "Request.merchantRequestReference")}},
	{"Request.paymentMethod", "unknown", validCredit, func(r *PaymentRequest) { r.PaymentMethod = "Cash" },
		[]string{`error: paymentMethod "Cash": must be one of Invoice, Credit [Request.paymentMethod]`}},
	{"Request.paymentMethod", "missing", validCredit, func(r *PaymentRequest) { r.PaymentMethod = "" },
		[]string{`error: paymentMethod "": required [Request.paymentMethod]`}},
	{"Request.requestedPaymentAmount", "zero", validInvoice, func(r *PaymentRequest) { r.RequestedPaymentAmount = 0 },
		[]string{`error: requestedPaymentAmount "0": must be greater than 0 [Request.requestedPaymentAmount]`,
			`error: lines "90000": order lines add up to 90000 cents, not the requestedPaymentAmount 0 [Line.sum]`}},
	{"Request.invoiceAddress", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.InvoiceAddress = nil },
		[]string{`error: invoiceAddress "": required for paymentMethod Invoice [Request.invoiceAddress]`}},
	{"Request.invoiceAddress", "missing for Credit is a warning", validCredit, func(r *PaymentRequest) { r.InvoiceAddress = nil },
		[]string{`warning: invoiceAddress "": recommended for paymentMethod Credit [Request.invoiceAddress]`}},
	{"Request.delivery", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.Delivery = nil },
		[]string{`error: delivery "": required for paymentMethod Invoice [Request.delivery]`}},
	{"Request.delivery", "missing for Credit is a warning", validCredit, func(r *PaymentRequest) { r.Delivery = nil },
		[]string{`warning: delivery "": recommended for paymentMethod Credit [Request.delivery]`}},
	{"Request.payments", "optional", validInvoice, func(r *PaymentRequest) { r.Payments = nil }, nil},
	{"Request.requestTags", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.RequestTags = nil },
		[]string{`error: requestTags "": required for paymentMethod Invoice [Request.requestTags]`}},
	{"Request.requestTags", "optional for Credit", validCredit, func(r *PaymentRequest) { r.RequestTags = nil }, nil},
	{"Request.merchant", "missing", validCredit, func(r *PaymentRequest) { r.Merchant = nil },
		[]string{`error: merchant "": required for paymentMethod Credit [Request.merchant]`}},
	{"Request.lines", "missing", validInvoice, func(r *PaymentRequest) { r.Lines = nil },
		[]string{`error: lines "": required for paymentMethod Invoice [Request.lines]`}},
	{"Request.applicant", "missing", validInvoice, func(r *PaymentRequest) { r.Applicant = nil },
		[]string{`error: applicant "": required for paymentMethod Invoice [Request.applicant]`}},
	{"Request.routing", "missing for Credit", validCredit, func(r *PaymentRequest) { r.Routing = nil },
		[]string{`error: routing "": required for paymentMethod Credit [Request.routing]`}},
	{"Request.routing", "given for Invoice", validInvoice, func(r *PaymentRequest) { r.Routing = &Routing{CallbackURL: "https://e.com/cb"} },
		[]string{`error: routing "": not allowed for paymentMethod Invoice (available only for Credit) [Request.routing]`}},
	{"Request.session", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.Session = nil },
		[]string{`error: session "": required for paymentMethod Invoice [Request.session]`}},
	{"Request.session", "given for Credit", validCredit, func(r *PaymentRequest) { r.Session = &Session{SessionID: "id1"} },
		[]string{`error: session "": not allowed for paymentMethod Credit (available only for Invoice) [Request.session]`}},
	{"Request.orderCreationDate", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.OrderCreationDate = "" },
		[]string{`error: orderCreationDate "": required for paymentMethod Invoice [Request.orderCreationDate]`}},
	{"Request.orderCreationDate", "no milliseconds", validInvoice, func(r *PaymentRequest) { r.OrderCreationDate = "2021-03-04T18:44:55Z" },
		[]string{`error: orderCreationDate "2021-03-04T18:44:55Z": must be a UTC date time yyyy-MM-ddTHH:mm:ss.SSSZ [Request.orderCreationDate]`}},
	{"Request.orderCreationDate", "given for Credit", validCredit, func(r *PaymentRequest) { r.OrderCreationDate = "2021-03-04T18:44:55.000Z" },
		[]string{`error: orderCreationDate "2021-03-04T18:44:55.000Z": not allowed for paymentMethod Credit (available only for Invoice) [Request.orderCreationDate]`}},

	// Address
	{"Address.countryCode", "BE", validInvoice, func(r *PaymentRequest) { r.InvoiceAddress.CountryCode = "BE" },
		[]string{`error: invoiceAddress.countryCode "BE": must be one of NL [Address.countryCode]`}},
	{"Address.countryCode", "11 characters", validInvoice, func(r *PaymentRequest) { r.InvoiceAddress.CountryCode = x(11) },
		[]string{tooLong("invoiceAddress.countryCode", 11, 10, "Address.countryCode")}},
	{"Address.houseNumber", "missing in delivery address", validInvoice, func(r *PaymentRequest) { r.Delivery.DeliveryAddress.HouseNumber = "" },
		[]string{`error: delivery.deliveryAddress.houseNumber "": required for paymentMethod Invoice [Address.houseNumber]`}},
	{"Address.houseNumber", "11 characters", validCredit, func(r *PaymentRequest) { r.InvoiceAddress.HouseNumber = x(11) },
		[]string{tooLong("invoiceAddress.houseNumber", 11, 10, "Address.houseNumber")}},
	{"Address.houseNumberAddition", "11 characters", validInvoice, func(r *PaymentRequest) { r.InvoiceAddress.HouseNumberAddition = x(11) },
		[]string{tooLong("invoiceAddress.houseNumberAddition", 11, 10, "Address.houseNumberAddition")}},
	{"Address.postalCode", "with a space is fine", validInvoice, func(r *PaymentRequest) { r.InvoiceAddress.PostalCode = "4006 EA" }, nil},
	{"Address.postalCode", "not Dutch", validInvoice, func(r *PaymentRequest) { r.InvoiceAddress.PostalCode = "4006-EA" },
		[]string{`error: invoiceAddress.postalCode "4006-EA": must be a Dutch postal code NNNNAA or NNNN AA [Address.postalCode]`}},
	{"Address.postalCode", "missing", validCredit, func(r *PaymentRequest) { r.InvoiceAddress.PostalCode = "" },
		[]string{`error: invoiceAddress.postalCode "": required for paymentMethod Credit [Address.postalCode]`}},
	{"Address.street", "51 characters", validInvoice, func(r *PaymentRequest) { r.InvoiceAddress.Street = x(51) },
		[]string{tooLong("invoiceAddress.street", 51, 50, "Address.street")}},
	{"Address.city", "missing", validInvoice, func(r *PaymentRequest) { r.InvoiceAddress.City = "" },
		[]string{`error: invoiceAddress.city "": required for paymentMethod Invoice [Address.city]`}},
	{"Address.city", "51 characters", validInvoice, func(r *PaymentRequest) { r.InvoiceAddress.City = x(51) },
		[]string{tooLong("invoiceAddress.city", 51, 50, "Address.city")}},

	// Applicant
	{"Applicant.dateOfBirth", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.Applicant.DateOfBirth = "" },
		[]string{`error: applicant.dateOfBirth "": required for paymentMethod Invoice [Applicant.dateOfBirth]`}},
	{"Applicant.dateOfBirth", "dd-mm-yyyy", validInvoice, func(r *PaymentRequest) { r.Applicant.DateOfBirth = "01-01-1971" },
		[]string{`error: applicant.dateOfBirth "01-01-1971": must be a date yyyy-mm-dd [Applicant.dateOfBirth]`}},
	{"Applicant.emailAddress", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.Applicant.EmailAddress = "" },
		[]string{`error: applicant.emailAddress "": required for paymentMethod Invoice [Applicant.emailAddress]`}},
	{"Applicant.emailAddress", "321 characters", validCredit, func(r *PaymentRequest) { r.Applicant.EmailAddress = x(321) },
		[]string{tooLong("applicant.emailAddress", 321, 320, "Applicant.emailAddress")}},
	{"Applicant.externalCustomerNumber", "101 characters", validInvoice, func(r *PaymentRequest) { r.Applicant.ExternalCustomerNumber = x(101) },
		[]string{tooLong("applicant.externalCustomerNumber", 101, 100, "Applicant.externalCustomerNumber")}},
	{"Applicant.gender", "M", validInvoice, func(r *PaymentRequest) { r.Applicant.Gender = "M" },
		[]string{`error: applicant.gender "M": must be one of Male, Female, Unknown [Applicant.gender]`}},
	{"Applicant.gender", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.Applicant.Gender = "" },
		[]string{`error: applicant.gender "": required for paymentMethod Invoice [Applicant.gender]`}},
	{"Applicant.initials", "digit", validInvoice, func(r *PaymentRequest) { r.Applicant.Initials = "1." },
		[]string{`error: applicant.initials "1.": must match ^[\p{IsLatin}][\p{IsLatin}. ]*$ [Applicant.initials]`}},
	{"Applicant.initials", "reference forms S.T., ST, S T, Ö.", validInvoice, func(r *PaymentRequest) {
		for _, v := range []string{"S.T.", "ST", "S T", "Ö."} {
			r.Applicant.Initials = v
			if fs := Validate(r); len(fs) != 0 {
				r.Applicant.Initials = "bad: " + fs.Error()
				return
			}
		}
	}, nil},
	{"Applicant.initials", "21 characters", validInvoice, func(r *PaymentRequest) { r.Applicant.Initials = x(21) },
		[]string{tooLong("applicant.initials", 21, 20, "Applicant.initials")}},
	{"Applicant.firstName", "101 characters", validInvoice, func(r *PaymentRequest) { r.Applicant.FirstName = x(101) },
		[]string{tooLong("applicant.firstName", 101, 100, "Applicant.firstName")}},
	{"Applicant.prefixLastName", "11 characters", validInvoice, func(r *PaymentRequest) { r.Applicant.PrefixLastName = "van der den" },
		[]string{`error: applicant.prefixLastName "van der den": is 11 characters, longer than the maximum 10 [Applicant.prefixLastName]`}},
	{"Applicant.lastName", "missing for Credit", validCredit, func(r *PaymentRequest) { r.Applicant.LastName = "" },
		[]string{`error: applicant.lastName "": required for paymentMethod Credit [Applicant.lastName]`}},
	{"Applicant.lastName", "200 multi-byte characters are fine", validCredit, func(r *PaymentRequest) { r.Applicant.LastName = strings.Repeat("é", 200) }, nil},
	{"Applicant.lastName", "201 characters", validCredit, func(r *PaymentRequest) { r.Applicant.LastName = x(201) },
		[]string{tooLong("applicant.lastName", 201, 200, "Applicant.lastName")}},
	{"Applicant.telephoneNumber", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.Applicant.TelephoneNumber = "" },
		[]string{`error: applicant.telephoneNumber "": required for paymentMethod Invoice [Applicant.telephoneNumber]`}},
	{"Applicant.telephoneNumber", "18 characters", validInvoice, func(r *PaymentRequest) { r.Applicant.TelephoneNumber = x(18) },
		[]string{tooLong("applicant.telephoneNumber", 18, 17, "Applicant.telephoneNumber")}},

	// Delivery
	{"Delivery.deliveryDate", "30 February", validInvoice, func(r *PaymentRequest) { r.Delivery.DeliveryDate = "2020-02-30" },
		[]string{`error: delivery.deliveryDate "2020-02-30": must be a date yyyy-mm-dd [Delivery.deliveryDate]`}},
	{"Delivery.deliveryMethod", "Drone", validInvoice, func(r *PaymentRequest) { r.Delivery.DeliveryMethod = "Drone" },
		[]string{`error: delivery.deliveryMethod "Drone": must be one of CompanyDelivery, Locker, ParcelStation, ParcelShop, CompanyStore, ShippingPartner [Delivery.deliveryMethod]`}},
	{"Delivery.deliveryMethod", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.Delivery.DeliveryMethod = "" },
		[]string{`error: delivery.deliveryMethod "": required for paymentMethod Invoice [Delivery.deliveryMethod]`}},
	{"Delivery.deliveryAddress", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.Delivery.DeliveryAddress = nil },
		[]string{`error: delivery.deliveryAddress "": required for paymentMethod Invoice [Delivery.deliveryAddress]`}},
	{"Delivery.notificationEmailAddress", "321 characters", validInvoice, func(r *PaymentRequest) { r.Delivery.NotificationEmailAddress = x(321) },
		[]string{tooLong("delivery.notificationEmailAddress", 321, 320, "Delivery.notificationEmailAddress")}},
	{"Delivery.notificationTelephoneNumber", "19 characters", validInvoice, func(r *PaymentRequest) { r.Delivery.NotificationTelephoneNumber = x(19) },
		[]string{tooLong("delivery.notificationTelephoneNumber", 19, 18, "Delivery.notificationTelephoneNumber")}},
	{"Delivery.shippingPartner", "101 characters", validInvoice, func(r *PaymentRequest) { r.Delivery.ShippingPartner = x(101) },
		[]string{tooLong("delivery.shippingPartner", 101, 100, "Delivery.shippingPartner")}},

	// Line
	{"Line.itemPrice", "changed price breaks the sum", validInvoice, func(r *PaymentRequest) { r.Lines[1].ItemPrice = 50001 },
		[]string{`error: lines "90001": order lines add up to 90001 cents, not the requestedPaymentAmount 90000 [Line.sum]`}},
	{"Line.merchantLineReference", "missing", validInvoice, func(r *PaymentRequest) { r.Lines[1].MerchantLineReference = "" },
		[]string{`error: lines[1].merchantLineReference "": required for paymentMethod Invoice [Line.merchantLineReference]`}},
	{"Line.merchantLineReference", "101 characters", validCredit, func(r *PaymentRequest) { r.Lines[0].MerchantLineReference = x(101) },
		[]string{tooLong("lines[0].merchantLineReference", 101, 100, "Line.merchantLineReference")}},
	{"Line.productClassification", "missing for Invoice", validInvoice, func(r *PaymentRequest) { r.Lines[0].ProductClassification = "" },
		[]string{`error: lines[0].productClassification "": required for paymentMethod Invoice [Line.productClassification]`}},
	{"Line.productClassification", "optional for Credit", validCredit, func(r *PaymentRequest) { r.Lines[0].ProductClassification = "" }, nil},
	{"Line.productClassification", "101 characters", validInvoice, func(r *PaymentRequest) { r.Lines[0].ProductClassification = x(101) },
		[]string{tooLong("lines[0].productClassification", 101, 100, "Line.productClassification")}},
	{"Line.numberOfItems", "zero", validInvoice, func(r *PaymentRequest) { r.Lines[1].NumberOfItems = 0 },
		[]string{`error: lines[1].numberOfItems "0": must be greater than 0 [Line.numberOfItems]`,
			`error: lines "40000": order lines add up to 40000 cents, not the requestedPaymentAmount 90000 [Line.sum]`}},
	{"Line.description", "missing", validCredit, func(r *PaymentRequest) { r.Lines[0].Description = "" },
		[]string{`error: lines[0].description "": required for paymentMethod Credit [Line.description]`}},
	{"Line.description", "256 characters", validInvoice, func(r *PaymentRequest) { r.Lines[0].Description = x(256) },
		[]string{tooLong("lines[0].description", 256, 255, "Line.description")}},
	{"Line.brand", "101 characters", validInvoice, func(r *PaymentRequest) { r.Lines[0].Brand = x(101) },
		[]string{tooLong("lines[0].brand", 101, 100, "Line.brand")}},
	{"Line.manufacturer", "101 characters", validInvoice, func(r *PaymentRequest) { r.Lines[0].Manufacturer = x(101) },
		[]string{tooLong("lines[0].manufacturer", 101, 100, "Line.manufacturer")}},
	{"Line.color", "101 characters", validInvoice, func(r *PaymentRequest) { r.Lines[0].Color = x(101) },
		[]string{tooLong("lines[0].color", 101, 100, "Line.color")}},
	{"Line.size", "101 characters", validInvoice, func(r *PaymentRequest) { r.Lines[0].Size = x(101) },
		[]string{tooLong("lines[0].size", 101, 100, "Line.size")}},
	{RuleLinesSum, "lines short of the amount", validCredit, func(r *PaymentRequest) { r.RequestedPaymentAmount = 90000 },
		[]string{`error: lines "88500": order lines add up to 88500 cents, not the requestedPaymentAmount 90000 [Line.sum]`}},
	{RuleLineRefUnique, "duplicate reference", validInvoice, func(r *PaymentRequest) { r.Lines[1].MerchantLineReference = "L1" },
		[]string{`error: lines[1].merchantLineReference "L1": duplicates lines[0].merchantLineReference; must be unique in the request [Line.merchantLineReference.unique]`}},

	// Payment
	{"Payment.amount", "zero", validInvoice, func(r *PaymentRequest) { r.Payments[0].Amount = 0 },
		[]string{`error: payments[0].amount "0": must be greater than 0 [Payment.amount]`}},
	{"Payment.paymentType", "missing", validCredit, func(r *PaymentRequest) { r.Payments[0].PaymentType = "" },
		[]string{`error: payments[0].paymentType "": required for paymentMethod Credit [Payment.paymentType]`}},
	{"Payment.paymentType", "101 characters", validCredit, func(r *PaymentRequest) { r.Payments[0].PaymentType = x(101) },
		[]string{tooLong("payments[0].paymentType", 101, 100, "Payment.paymentType")}},

	// RequestTag
	{"RequestTag.tagName", "51 characters", validCredit, func(r *PaymentRequest) { r.RequestTags[0].TagName = x(51) },
		[]string{tooLong("requestTags[0].tagName", 51, 50, "RequestTag.tagName")}},
	{"RequestTag.tagName", "missing", validCredit, func(r *PaymentRequest) { r.RequestTags[0].TagName = "" },
		[]string{`error: requestTags[0].tagName "": required for paymentMethod Credit [RequestTag.tagName]`}},
	{"RequestTag.tagValue", "missing", validCredit, func(r *PaymentRequest) { r.RequestTags[0].TagValue = "" },
		[]string{`error: requestTags[0].tagValue "": required for paymentMethod Credit [RequestTag.tagValue]`}},
	{"RequestTag.tagValue", "101 characters", validCredit, func(r *PaymentRequest) { r.RequestTags[0].TagValue = x(101) },
		[]string{tooLong("requestTags[0].tagValue", 101, 100, "RequestTag.tagValue")}},
	{RulePromotionCodeTag, "Invoice without the tag", validInvoice, func(r *PaymentRequest) { r.RequestTags[0].TagName = "campaign" },
		[]string{`error: requestTags "": a tag PromotionCodeApplied (true or false) is required for paymentMethod Invoice [RequestTag.PromotionCodeApplied]`}},
	{RulePromotionCodeTag, "value yes", validInvoice, func(r *PaymentRequest) { r.RequestTags[0].TagValue = "yes" },
		[]string{`error: requestTags[0].tagValue "yes": PromotionCodeApplied must be true or false [RequestTag.PromotionCodeApplied]`}},

	// Merchant
	{"Merchant.merchantId", "missing", validInvoice, func(r *PaymentRequest) { r.Merchant.MerchantID = "" },
		[]string{`error: merchant.merchantId "": required for paymentMethod Invoice [Merchant.merchantId]`}},
	{"Merchant.merchantId", "101 characters", validInvoice, func(r *PaymentRequest) { r.Merchant.MerchantID = x(101) },
		[]string{tooLong("merchant.merchantId", 101, 100, "Merchant.merchantId")}},

	// Routing
	{"Routing.callbackUrl", "2001 characters", validCredit, func(r *PaymentRequest) { r.Routing.CallbackURL = x(2001) },
		[]string{tooLong("routing.callbackUrl", 2001, 2000, "Routing.callbackUrl")}},
	{"Routing.cancelUrl", "2001 characters", validCredit, func(r *PaymentRequest) { r.Routing.CancelURL = x(2001) },
		[]string{tooLong("routing.cancelUrl", 2001, 2000, "Routing.cancelUrl")}},

	// Session
	{"Session.ipAddress", "51 characters", validInvoice, func(r *PaymentRequest) { r.Session.IPAddress = x(51) },
		[]string{tooLong("session.ipAddress", 51, 50, "Session.ipAddress")}},
	{"Session.userAgent", "513 characters", validInvoice, func(r *PaymentRequest) { r.Session.UserAgent = x(513) },
		[]string{tooLong("session.userAgent", 513, 512, "Session.userAgent")}},
	{"Session.acceptLanguage", "257 characters", validInvoice, func(r *PaymentRequest) { r.Session.AcceptLanguage = x(257) },
		[]string{tooLong("session.acceptLanguage", 257, 256, "Session.acceptLanguage")}},
	{"Session.sessionAge", "zero", validInvoice, func(r *PaymentRequest) { r.Session.SessionAge = 0 },
		[]string{`error: session.sessionAge "0": must be greater than 0 [Session.sessionAge]`}},
	{"Session.sessionId", "101 characters", validInvoice, func(r *PaymentRequest) { r.Session.SessionID = x(101) },
		[]string{tooLong("session.sessionId", 101, 100, "Session.sessionId")}},
}

func TestValidateValidExamples(t *testing.T) {
	for name, r := range map[string]*PaymentRequest{"invoice": validInvoice(), "credit": validCredit()} {
		if fs := Validate(r); len(fs) != 0 {
			t.Errorf("%s: unexpected findings: %v", name, fs)
		}
	}
}

func TestValidateRules(t *testing.T) {
	for _, tc := range validationCases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			r := tc.base()
			tc.mutate(r)
			fs := Validate(r)
			var got []string
			for _, f := range fs {
				got = append(got, f.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings\n got: %q\nwant: %q", got, tc.want)
			}
		})
	}
}

// TestEveryRuleHasACase keeps the table and the tests in step: every rule of
// Rules (and every cross-field rule) is exercised by at least one case with
// a finding, except rules that cannot be violated by an int64 alone.
func TestEveryRuleHasACase(t *testing.T) {
	violated := map[string]bool{}
	exercised := map[string]bool{}
	for _, tc := range validationCases {
		exercised[tc.rule] = true
		for _, w := range tc.want {
			violated[w[strings.LastIndex(w, "[")+1:len(w)-1]] = true
		}
	}
	noViolation := map[string]bool{"Request.payments": true, "Line.itemPrice": true}
	for _, r := range Rules {
		if !exercised[r.ID] {
			t.Errorf("rule %s has no test case", r.ID)
		}
		if !violated[r.ID] && !noViolation[r.ID] {
			t.Errorf("rule %s is never violated by a test case", r.ID)
		}
	}
	for _, id := range []string{RuleLinesSum, RuleLineRefUnique, RulePromotionCodeTag} {
		if !violated[id] {
			t.Errorf("cross-field rule %s is never violated", id)
		}
	}
}

// TestRulesCoverEveryAttribute: the walker finds exactly the attributes the
// table lists, so no JSON attribute goes unchecked and no rule is dead.
func TestRulesCoverEveryAttribute(t *testing.T) {
	r := validInvoice()
	r.Routing = &Routing{}
	seen := map[string]bool{}
	walkAll := func(r *PaymentRequest) {
		walkValue(r, func(id string) { seen[id] = true })
	}
	walkAll(r)
	for _, rule := range Rules {
		if !seen[rule.ID] {
			t.Errorf("rule %s matches no attribute", rule.ID)
		}
		delete(seen, rule.ID)
	}
	for id := range seen {
		t.Errorf("attribute %s has no rule", id)
	}
}

func TestValidateAllFindingsAtOnce(t *testing.T) {
	r := validInvoice()
	r.TransactionID = ""
	r.Applicant.Gender = "X"
	r.Lines[0].NumberOfItems = -1
	fs := Validate(r)
	if n, _ := fs.Count(); n != 4 {
		t.Fatalf("want 4 errors (transactionId, gender, numberOfItems, sum), got %d: %v", n, fs)
	}
	if Validate(nil).Error() != `error: no payment request [Request]` {
		t.Errorf("nil: %s", Validate(nil).Error())
	}
}

func TestCents(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{"900", 90000, ""},
		{"442.50", 44250, ""},
		{"0.01", 1, ""},
		{"-15.00", -1500, ""},
		{"0.005", 0, "tinka: amount 0.005 is not a whole number of cents"},
		{"100000000000000000", 0, "tinka: amount 100000000000000000 is out of range"},
	} {
		got, err := Cents(decimal.RequireFromString(tc.in))
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %d, %v; want %d", tc.in, got, err, tc.want)
		}
		if Euro(got).StringFixed(2) != decimal.RequireFromString(tc.in).StringFixed(2) {
			t.Errorf("%s: Euro round trip %s", tc.in, Euro(got).StringFixed(2))
		}
	}
	l, err := NewLine("L1", "shoes", decimal.RequireFromString("442.50"), 2)
	if err != nil || l.ItemPrice != 44250 || l.NumberOfItems != 2 {
		t.Errorf("NewLine: %+v %v", l, err)
	}
}
