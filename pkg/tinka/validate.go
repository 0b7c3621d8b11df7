package tinka

import (
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/batchtool/batchtool/pkg/finding"
)

// ValidationError lists every rule a payment request violates. It is
// returned by [Client.Create] before anything is sent.
type ValidationError struct {
	Findings finding.List
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	n, _ := e.Findings.Count()
	fmt.Fprintf(&b, "tinka: payment request invalid (%d errors)", n)
	for _, f := range e.Findings {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	return b.String()
}

// field is one attribute instance found in a request.
type field struct {
	rule    string // "Applicant.initials"
	path    string // "applicant.initials", "lines[1].description"
	present bool
	value   string // the value as text ("" for objects and lists)
	isInt   bool
	intVal  int64
}

// tableName maps a Go type to the reference table it stands for.
func tableName(t reflect.Type) string {
	if t == reflect.TypeOf(PaymentRequest{}) {
		return "Request"
	}
	return t.Name()
}

// walk lists every attribute of a struct value, recursing into present
// objects and list elements.
func walk(v reflect.Value, path string, emit func(field)) {
	t := v.Type()
	table := tableName(t)
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		p := name
		if path != "" {
			p = path + "." + name
		}
		f := field{rule: table + "." + name, path: p}
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.Pointer:
			f.present = !fv.IsNil()
			emit(f)
			if f.present {
				walk(fv.Elem(), p, emit)
			}
		case reflect.Slice:
			f.present = fv.Len() > 0
			emit(f)
			for j := 0; j < fv.Len(); j++ {
				walk(fv.Index(j), fmt.Sprintf("%s[%d]", p, j), emit)
			}
		case reflect.String:
			f.value = fv.String()
			f.present = f.value != ""
			emit(f)
		case reflect.Int64:
			f.isInt, f.intVal, f.present = true, fv.Int(), true
			f.value = strconv.FormatInt(f.intVal, 10)
			emit(f)
		}
	}
}

// Validate checks a payment request against every rule of the reference:
// the attribute tables ([Rules]) for its payment method and the cross-field
// rules. Missing recommended attributes are warnings; everything else is an
// error. The findings are in the order of the request's attributes.
func Validate(req *PaymentRequest) finding.List {
	var out finding.List
	add := func(sev finding.Severity, f field, rule, msg string) {
		out.Add(finding.Finding{Severity: sev, Path: f.path, Value: f.value, Rule: rule, Message: msg})
	}
	if req == nil {
		out.Add(finding.Finding{Severity: finding.Error, Rule: "Request", Message: "no payment request"})
		return out
	}
	m := req.PaymentMethod
	known := m == Invoice || m == Credit
	skip := "" // path prefix of an attribute that is not allowed at all
	walk(reflect.ValueOf(*req), "", func(f field) {
		if skip != "" && strings.HasPrefix(f.path, skip) {
			return
		}
		r := ruleFor(f.rule)
		if r == nil {
			return
		}
		need := r.need(m)
		if !known && r.Invoice != r.Credit {
			need = Optional // cannot tell without a valid paymentMethod
		}
		if !f.present {
			forMethod := ""
			if known {
				forMethod = " for paymentMethod " + string(m)
			}
			switch need {
			case Required:
				add(finding.Error, f, r.ID, "required"+forMethod)
			case Recommended:
				add(finding.Warning, f, r.ID, "recommended"+forMethod)
			}
			return
		}
		if need == NotAllowed {
			other := Invoice
			if m == Invoice {
				other = Credit
			}
			add(finding.Error, f, r.ID, fmt.Sprintf("not allowed for paymentMethod %s (available only for %s)", m, other))
			skip = f.path + "."
			return
		}
		if f.isInt {
			if r.Positive && f.intVal <= 0 {
				add(finding.Error, f, r.ID, "must be greater than 0")
			}
			return
		}
		if r.MaxLen > 0 {
			if n := utf8.RuneCountInString(f.value); n > r.MaxLen {
				add(finding.Error, f, r.ID, fmt.Sprintf("is %d characters, longer than the maximum %d", n, r.MaxLen))
				return
			}
		}
		if r.Kind == Enum && !contains(r.Enum, f.value) {
			add(finding.Error, f, r.ID, "must be one of "+enumList(r.Enum))
			return
		}
		if r.Format != nil {
			if msg := r.Format(f.value); msg != "" {
				add(finding.Error, f, r.ID, msg)
			}
		}
	})
	crossChecks(req, &out)
	return out
}

func crossChecks(req *PaymentRequest, out *finding.List) {
	// The sum of order lines must be the requested payment amount.
	if len(req.Lines) > 0 {
		sum := new(big.Int)
		for _, l := range req.Lines {
			sum.Add(sum, new(big.Int).Mul(big.NewInt(l.ItemPrice), big.NewInt(l.NumberOfItems)))
		}
		if sum.Cmp(big.NewInt(req.RequestedPaymentAmount)) != 0 {
			out.Add(finding.Finding{Severity: finding.Error, Path: "lines", Value: sum.String(), Rule: RuleLinesSum,
				Message: fmt.Sprintf("order lines add up to %s cents, not the requestedPaymentAmount %d", sum, req.RequestedPaymentAmount)})
		}
	}
	// merchantLineReference unique across the lines.
	seen := make(map[string]int, len(req.Lines))
	for i, l := range req.Lines {
		if l.MerchantLineReference == "" {
			continue
		}
		if j, dup := seen[l.MerchantLineReference]; dup {
			out.Add(finding.Finding{Severity: finding.Error, Path: fmt.Sprintf("lines[%d].merchantLineReference", i),
				Value: l.MerchantLineReference, Rule: RuleLineRefUnique,
				Message: fmt.Sprintf("duplicates lines[%d].merchantLineReference; must be unique in the request", j)})
			continue
		}
		seen[l.MerchantLineReference] = i
	}
	// Invoice: tag PromotionCodeApplied with value true or false.
	if req.PaymentMethod == Invoice && len(req.RequestTags) > 0 {
		found := false
		for i, t := range req.RequestTags {
			if t.TagName != "PromotionCodeApplied" {
				continue
			}
			found = true
			if t.TagValue != "true" && t.TagValue != "false" {
				out.Add(finding.Finding{Severity: finding.Error, Path: fmt.Sprintf("requestTags[%d].tagValue", i),
					Value: t.TagValue, Rule: RulePromotionCodeTag, Message: "PromotionCodeApplied must be true or false"})
			}
		}
		if !found {
			out.Add(finding.Finding{Severity: finding.Error, Path: "requestTags", Rule: RulePromotionCodeTag,
				Message: "a tag PromotionCodeApplied (true or false) is required for paymentMethod Invoice"})
		}
	}
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// walkValue calls fn with the rule id of every attribute of req (for tests).
func walkValue(req *PaymentRequest, fn func(id string)) {
	walk(reflect.ValueOf(*req), "", func(f field) { fn(f.rule) })
}
