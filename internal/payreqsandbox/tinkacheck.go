package payreqsandbox

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"unicode/utf8"
)

// The sandbox's own reading of the reference's attribute tables for
// POST /merchant-api/v2/online/payment-requests
// (/work/shared/reference/tinka-online-payment-request.txt), independent of
// pkg/tinka's rules: for each attribute, whether Invoice and Credit need it
// ("r" required, "-" optional, "x" only for the other method), its JSON
// kind, and its length limit.
type tnAttr struct {
	name            string
	invoice, credit byte // 'r', '-', 'x'
	kind            byte // 's' string, 'i' integer, 'o' object, 'l' list
	max             int
	enum            []string
}

var tnTables = map[string][]tnAttr{
	"": {
		{"transactionId", 'r', 'r', 's', 100, nil},
		{"merchantRequestReference", 'r', 'r', 's', 100, nil},
		{"paymentMethod", 'r', 'r', 's', 0, []string{"Invoice", "Credit"}},
		{"requestedPaymentAmount", 'r', 'r', 'i', 0, nil},
		{"invoiceAddress", 'r', '-', 'o', 0, nil},
		{"delivery", 'r', '-', 'o', 0, nil},
		{"payments", '-', '-', 'l', 0, nil},
		{"requestTags", 'r', '-', 'l', 0, nil},
		{"merchant", 'r', 'r', 'o', 0, nil},
		{"lines", 'r', 'r', 'l', 0, nil},
		{"applicant", 'r', 'r', 'o', 0, nil},
		{"routing", 'x', 'r', 'o', 0, nil},
		{"session", 'r', 'x', 'o', 0, nil},
		{"orderCreationDate", 'r', 'x', 's', 24, nil},
	},
	"invoiceAddress": tnAddress, "delivery.deliveryAddress": tnAddress,
	"applicant": {
		{"dateOfBirth", 'r', '-', 's', 10, nil}, {"emailAddress", 'r', '-', 's', 320, nil},
		{"externalCustomerNumber", '-', '-', 's', 100, nil}, {"gender", 'r', '-', 's', 10, []string{"Male", "Female", "Unknown"}},
		{"initials", 'r', '-', 's', 20, nil}, {"firstName", '-', '-', 's', 100, nil}, {"prefixLastName", '-', '-', 's', 10, nil},
		{"lastName", 'r', 'r', 's', 200, nil}, {"telephoneNumber", 'r', '-', 's', 17, nil},
	},
	"delivery": {
		{"deliveryDate", '-', '-', 's', 10, nil},
		{"deliveryMethod", 'r', '-', 's', 0, []string{"CompanyDelivery", "Locker", "ParcelStation", "ParcelShop", "CompanyStore", "ShippingPartner"}},
		{"deliveryAddress", 'r', '-', 'o', 0, nil}, {"notificationEmailAddress", '-', '-', 's', 320, nil},
		{"notificationTelephoneNumber", '-', '-', 's', 18, nil}, {"shippingPartner", '-', '-', 's', 100, nil},
	},
	"lines[]": {
		{"itemPrice", 'r', 'r', 'i', 0, nil}, {"merchantLineReference", 'r', 'r', 's', 100, nil},
		{"productClassification", 'r', '-', 's', 100, nil}, {"numberOfItems", 'r', 'r', 'i', 0, nil},
		{"description", 'r', 'r', 's', 255, nil}, {"brand", '-', '-', 's', 100, nil}, {"manufacturer", '-', '-', 's', 100, nil},
		{"color", '-', '-', 's', 100, nil}, {"size", '-', '-', 's', 100, nil},
	},
	"payments[]":    {{"amount", 'r', 'r', 'i', 0, nil}, {"paymentType", 'r', 'r', 's', 100, nil}},
	"requestTags[]": {{"tagName", 'r', 'r', 's', 50, nil}, {"tagValue", 'r', 'r', 's', 100, nil}},
	"merchant":      {{"merchantId", 'r', 'r', 's', 100, nil}},
	"routing":       {{"callbackUrl", '-', '-', 's', 2000, nil}, {"cancelUrl", '-', '-', 's', 2000, nil}},
	"session": {
		{"ipAddress", '-', '-', 's', 50, nil}, {"userAgent", '-', '-', 's', 512, nil}, {"acceptLanguage", '-', '-', 's', 256, nil},
		{"sessionAge", '-', '-', 'i', 0, nil}, {"sessionId", '-', '-', 's', 100, nil},
	},
}

var tnAddress = []tnAttr{
	{"countryCode", 'r', 'r', 's', 10, []string{"NL"}}, {"houseNumber", 'r', 'r', 's', 10, nil},
	{"houseNumberAddition", '-', '-', 's', 10, nil}, {"postalCode", 'r', 'r', 's', 10, nil},
	{"street", 'r', 'r', 's', 50, nil}, {"city", 'r', 'r', 's', 50, nil},
}

// positive are the integers the reference says must be above zero.
var tnPositive = map[string]bool{"requestedPaymentAmount": true, "numberOfItems": true, "amount": true, "sessionAge": true}

// checkTinkaRequest returns every way the body breaks the reference's
// tables and prose, sorted, or nil.
func checkTinkaRequest(body []byte) ([]string, error) {
	var root map[string]any
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	method, _ := root["paymentMethod"].(string)
	var out []string
	var walk func(table, path string, obj map[string]any)
	walk = func(table, path string, obj map[string]any) {
		for _, a := range tnTables[table] {
			p := path + a.name
			need := a.credit
			if method == "Invoice" {
				need = a.invoice
			}
			v, present := obj[a.name]
			if present && v == nil {
				present = false
			}
			switch {
			case !present && need == 'r' && (method == "Invoice" || method == "Credit"):
				out = append(out, p+": required for paymentMethod "+method)
				continue
			case !present:
				continue
			case need == 'x' && (method == "Invoice" || method == "Credit"):
				out = append(out, p+": not allowed for paymentMethod "+method)
				continue
			}
			switch a.kind {
			case 's':
				s, ok := v.(string)
				if !ok {
					out = append(out, p+": must be a string")
					continue
				}
				if a.max > 0 && utf8.RuneCountInString(s) > a.max {
					out = append(out, fmt.Sprintf("%s: longer than %d characters", p, a.max))
				}
				if a.enum != nil && !oneOf(s, a.enum) {
					out = append(out, p+": must be one of "+strings.Join(a.enum, ", "))
				}
			case 'i':
				n, ok := v.(json.Number)
				i, err := n.Int64()
				if !ok || err != nil {
					out = append(out, p+": must be an integer")
				} else if tnPositive[a.name] && i <= 0 {
					out = append(out, p+": must be greater than 0")
				}
			case 'o':
				m, ok := v.(map[string]any)
				if !ok {
					out = append(out, p+": must be an object")
					continue
				}
				sub := a.name
				if path != "" {
					sub = strings.TrimSuffix(path, ".") + "." + a.name
				}
				walk(sub, p+".", m)
			case 'l':
				l, ok := v.([]any)
				if !ok {
					out = append(out, p+": must be a list")
					continue
				}
				for i, e := range l {
					m, ok := e.(map[string]any)
					if !ok {
						out = append(out, fmt.Sprintf("%s[%d]: must be an object", p, i))
						continue
					}
					walk(a.name+"[]", fmt.Sprintf("%s[%d].", p, i), m)
				}
			}
		}
	}
	walk("", "", root)
	// Prose rules: the lines add up to the requested amount; line
	// references are unique; Invoice carries PromotionCodeApplied true|false.
	lines, _ := root["lines"].([]any)
	sum, refs := new(big.Int), map[string]bool{}
	for _, e := range lines {
		m, _ := e.(map[string]any)
		p, _ := new(big.Int).SetString(fmt.Sprint(m["itemPrice"]), 10)
		n, _ := new(big.Int).SetString(fmt.Sprint(m["numberOfItems"]), 10)
		if p != nil && n != nil {
			sum.Add(sum, p.Mul(p, n))
		}
		if r, _ := m["merchantLineReference"].(string); r != "" {
			if refs[r] {
				out = append(out, "lines: merchantLineReference "+r+" is not unique")
			}
			refs[r] = true
		}
	}
	if want, ok := new(big.Int).SetString(fmt.Sprint(root["requestedPaymentAmount"]), 10); ok && len(lines) > 0 && sum.Cmp(want) != 0 {
		out = append(out, fmt.Sprintf("lines: add up to %s, not requestedPaymentAmount %s", sum, want))
	}
	if method == "Invoice" {
		tags, _ := root["requestTags"].([]any)
		ok := false
		for _, e := range tags {
			m, _ := e.(map[string]any)
			if m["tagName"] == "PromotionCodeApplied" && (m["tagValue"] == "true" || m["tagValue"] == "false") {
				ok = true
			}
		}
		if !ok {
			out = append(out, "requestTags: PromotionCodeApplied true or false is required for paymentMethod Invoice")
		}
	}
	sort.Strings(out)
	return out, nil
}

func oneOf(s string, vs []string) bool {
	for _, v := range vs {
		if s == v {
			return true
		}
	}
	return false
}
