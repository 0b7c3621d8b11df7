package reconcile

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/statement"
)

// Rule names the rule that decided a line.
type Rule string

// Rules, in order of certainty.
const (
	RuleEndToEnd      Rule = "end-to-end-id"        // 1: direct debit end-to-end id (and mandate id)
	RuleBatch         Rule = "batch"                // 1: batch booking of a whole PmtInf
	RuleReturn        Rule = "return"               // 2: return / reject / refund of a collection
	RuleReference     Rule = "structured-reference" // 3: RF or OGM reference
	RuleInvoiceNumber Rule = "invoice-number"       // 4: invoice number in the remittance text
	RuleIBANAmount    Rule = "iban-amount"          // 5: customer IBAN + exact amount + date window
	RuleSubsetSum     Rule = "subset-sum"           // 6: several invoices of one customer, exact sum
	// RulePaymentRequest books a payment request (Tikkie, Tinka) the
	// provider reports paid against the item it was sent for.
	RulePaymentRequest Rule = "payment-request"
)

// Outcome is what became of a line.
type Outcome string

// Outcomes of a line.
const (
	Matched   Outcome = "matched"   // booked against one or more open items
	Returned  Outcome = "returned"  // a collection came back: reopened with its reason
	Ambiguous Outcome = "ambiguous" // several candidates equally good: not guessed
	Unmatched Outcome = "unmatched" // nothing fits; Candidates holds the closest
)

// Item is an open item a line was matched to, or a candidate for it.
type Item struct {
	Kind      ChangeKind      `json:"kind"` // collection, batch, invoice
	ID        int64           `json:"id"`
	Key       string          `json:"key"` // end-to-end id, PmtInfId, invoice number
	Name      string          `json:"name,omitempty"`
	Amount    decimal.Decimal `json:"amount"`
	Open      decimal.Decimal `json:"open"`    // open before this line
	Applied   decimal.Decimal `json:"applied"` // part of the line booked against it
	Remaining decimal.Decimal `json:"remaining"`
	Date      time.Time       `json:"date,omitzero"` // due date or collection date
}

// Line is one statement line as matched: a transaction detail of an entry,
// the entry itself when it has no details, or the residual when details do
// not add up to the entry.
type Line struct {
	Detail           int             `json:"detail"` // 1-based detail index; 0 the entry itself; -1 residual
	Amount           decimal.Decimal `json:"amount"` // signed
	Currency         string          `json:"currency"`
	BookingDate      time.Time       `json:"booking_date,omitzero"`
	EndToEndID       string          `json:"end_to_end_id,omitempty"`
	MandateID        string          `json:"mandate_id,omitempty"`
	Reference        string          `json:"reference,omitempty"`
	Remittance       string          `json:"remittance,omitempty"`
	CounterpartyName string          `json:"counterparty_name,omitempty"`
	CounterpartyIBAN string          `json:"counterparty_iban,omitempty"`
	Outcome          Outcome         `json:"outcome"`
	Rule             Rule            `json:"rule,omitempty"`
	Evidence         string          `json:"evidence"`
	Items            []Item          `json:"items,omitempty"`      // matched / returned items
	Candidates       []Item          `json:"candidates,omitempty"` // ambiguous: the tied ones; unmatched: the closest
	ReturnReason     string          `json:"return_reason,omitempty"`
	ReturnText       string          `json:"return_text,omitempty"`

	reversal bool
	charges  decimal.Decimal
	batchID  string
}

// Result is the outcome of one statement entry.
type Result struct {
	Entry   *statement.Entry `json:"-"`
	Lines   []Line           `json:"lines"`
	Batch   *Item            `json:"batch,omitempty"` // the PmtInf a batch booking matched
	Changes []Change         `json:"changes,omitempty"`
}

// Options tune the engine. The zero value uses the defaults.
type Options struct {
	// Rule 5: a payment may arrive DaysBefore days before the due date up
	// to DaysAfter days after it (defaults 30 and 90).
	DaysBefore, DaysAfter int
	// Rule 6: at most MaxSubsetItems open invoices of a customer are tried,
	// at most MaxSubsetSteps search steps (defaults 20 and 100000).
	MaxSubsetItems, MaxSubsetSteps int
	// Closest is how many closest candidates an unmatched line lists (3).
	Closest int
}

func (o Options) withDefaults() Options {
	if o.DaysBefore == 0 {
		o.DaysBefore = 30
	}
	if o.DaysAfter == 0 {
		o.DaysAfter = 90
	}
	if o.MaxSubsetItems == 0 {
		o.MaxSubsetItems = 20
	}
	if o.MaxSubsetSteps == 0 {
		o.MaxSubsetSteps = 100000
	}
	if o.Closest == 0 {
		o.Closest = 3
	}
	return o
}

// Engine matches statement entries against a Store.
type Engine struct {
	store Store
	opt   Options
}

// NewEngine returns an engine over store.
func NewEngine(store Store, opt Options) *Engine {
	return &Engine{store: store, opt: opt.withDefaults()}
}

// Reconcile matches one entry and applies the changes it decided to the
// store, line by line, so that later lines (and entries) see them.
func (e *Engine) Reconcile(en *statement.Entry) (*Result, error) {
	res := &Result{Entry: en}
	lines := splitEntry(en)
	if batchCredit(en) {
		done, err := e.matchBatch(en, lines, res)
		if err != nil || done {
			return res, err
		}
	}
	// The lines are decided in place and become the result's.
	for i := range lines {
		if lines[i].Detail < 0 {
			continue
		}
		if err := e.matchLine(&lines[i], res); err != nil {
			res.Lines = lines[:i]
			return res, err
		}
	}
	res.Lines = lines
	return res, nil
}

// apply records changes in the result and the store.
func (e *Engine) apply(res *Result, ch ...Change) error {
	res.Changes = append(res.Changes, ch...)
	return e.store.Apply(ch)
}

// splitEntry turns an entry into its lines: one per transaction detail (or
// the entry itself), plus a residual line when the details do not add up to
// the entry amount, so that totals always balance.
func splitEntry(en *statement.Entry) []Line { return splitEntryInto(nil, en) }

// splitEntryInto is splitEntry with the lines in buf when they fit.
func splitEntryInto(buf []Line, en *statement.Entry) []Line {
	base := Line{Currency: en.Currency, BookingDate: en.BookingDate, reversal: en.Reversal, batchID: en.BatchID}
	if base.BookingDate.IsZero() {
		base.BookingDate = en.ValueDate
	}
	if len(en.Details) == 0 {
		l := base
		l.Amount = en.Amount
		l.Remittance = en.Info
		return append(buf[:0], l)
	}
	var small [4]decimal.Decimal // most entries: no allocation
	var amounts []decimal.Decimal
	if len(en.Details) <= len(small) {
		amounts = small[:len(en.Details)]
	} else {
		amounts = make([]decimal.Decimal, len(en.Details))
	}
	sum := decimal.Zero
	allPos := true
	for i, d := range en.Details {
		amounts[i] = d.Amount
		if len(en.Details) == 1 && d.Amount.IsZero() {
			amounts[i] = en.Amount
		}
		if amounts[i].Sign() <= 0 {
			allPos = false
		}
		if i == 0 {
			sum = amounts[0] // the same value as 0 + amounts[0], without the work
		} else {
			sum = sum.Add(amounts[i])
		}
	}
	// Some banks state detail amounts unsigned under a debit entry.
	if en.Amount.Sign() < 0 && allPos && sum.Equal(en.Amount.Neg()) {
		for i := range amounts {
			amounts[i] = amounts[i].Neg()
		}
		sum = en.Amount
	}
	residual := !sum.Equal(en.Amount)
	n := len(en.Details)
	if residual {
		n++
	}
	out := buf[:0]
	if cap(out) < n {
		out = make([]Line, 0, n)
	}
	for i, d := range en.Details {
		l := base
		l.Detail = i + 1
		l.Amount = amounts[i]
		if d.Currency != "" {
			l.Currency = d.Currency
		}
		l.EndToEndID = cleanID(d.EndToEndID)
		l.MandateID = cleanID(d.MandateID)
		if d.Reference.Value != "" {
			l.Reference = NormalizeReference(d.Reference.Value)
		}
		l.Remittance = d.Remittance
		if l.Remittance == "" && len(en.Details) == 1 {
			l.Remittance = en.Info
		}
		l.CounterpartyName = d.Counterparty.Name
		l.CounterpartyIBAN = normIBAN(d.Counterparty.IBAN)
		l.ReturnReason = strings.ToUpper(strings.TrimSpace(d.ReturnReason))
		l.ReturnText = d.ReturnText
		l.charges = d.Charges
		if d.PaymentInfoID != "" {
			l.batchID = d.PaymentInfoID
		}
		out = append(out, l)
	}
	if residual {
		r := base
		r.Detail = -1
		r.Amount = en.Amount.Sub(sum)
		r.Outcome = Unmatched
		r.Evidence = fmt.Sprintf("transaction details add up to %s, the entry to %s: the difference stays unmatched", sum.StringFixed(2), en.Amount.StringFixed(2))
		out = append(out, r)
	}
	return out
}

// cleanID drops the placeholder banks put where no id was given.
func cleanID(s string) string {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "NOTPROVIDED") || strings.EqualFold(s, "NOT PROVIDED") {
		return ""
	}
	return s
}

// matchBatch handles a credit that books a whole PmtInf. It reports done
// when it has decided every line itself.
func (e *Engine) matchBatch(en *statement.Entry, lines []Line, res *Result) (bool, error) {
	count := batchCount(en)
	var b *Batch
	var evidence string
	var tied []Batch
	switch k := batchKey(en, lines); k.Kind {
	case KeyBatchID:
		id := k.Value
		got, err := e.store.BatchByID(id)
		if err != nil {
			return false, err
		}
		switch {
		case got == nil:
			evidence = fmt.Sprintf("PmtInfId %q is not in the ledger", id)
		case got.Status != StatusOpen:
			evidence = fmt.Sprintf("PmtInfId %q is already %s", id, got.Status)
		case !got.Total.Equal(en.Amount):
			evidence = fmt.Sprintf("PmtInfId %q totals %s, the entry %s", id, got.Total.StringFixed(2), en.Amount.StringFixed(2))
		case count > 0 && got.Count != count:
			evidence = fmt.Sprintf("PmtInfId %q holds %d collections, the entry %d", id, got.Count, count)
		default:
			b = got
			evidence = fmt.Sprintf("PmtInfId %q, %d collections totalling %s", id, got.Count, got.Total.StringFixed(2))
		}
	case KeyBatchTotal:
		bs, err := e.store.BatchesByTotal(k.Count, k.Total, k.Currency)
		if err != nil {
			return false, err
		}
		for _, x := range bs {
			if x.Status == StatusOpen {
				tied = append(tied, x)
			}
		}
		if len(tied) == 1 {
			b = &tied[0]
			evidence = fmt.Sprintf("%d collections totalling %s: the only open batch with that count and total (PmtInfId %q)", count, en.Amount.StringFixed(2), b.PmtInfID)
			tied = nil
		}
	}
	allE2E := len(en.Details) > 0
	for _, l := range lines {
		if l.Detail > 0 && l.EndToEndID == "" {
			allE2E = false
		}
	}
	if b != nil {
		it := batchItem(*b)
		res.Batch = &it
	}
	if allE2E {
		// Details are matched one by one by their end-to-end ids; the batch
		// is closed when all of them were.
		for i := range lines {
			l := &lines[i]
			if l.Detail < 0 {
				continue
			}
			if err := e.matchLine(l, res); err != nil {
				res.Lines = lines[:i]
				return true, err
			}
			if b != nil && l.Outcome == Matched {
				l.Evidence += "; batch: " + evidence
			}
		}
		res.Lines = lines
		if b != nil {
			all := true
			for _, l := range res.Lines {
				if l.Outcome != Matched {
					all = false
				}
			}
			if all {
				return true, e.apply(res, Change{Kind: ChangeBatch, ID: b.ID, Key: b.PmtInfID, Status: StatusCollected})
			}
		}
		return true, nil
	}
	// One line for the whole entry.
	l := Line{Detail: 0, Amount: en.Amount, Currency: en.Currency, BookingDate: en.BookingDate, Remittance: en.Info}
	switch {
	case b != nil:
		l.Outcome, l.Rule, l.Evidence = Matched, RuleBatch, evidence
		it := batchItem(*b)
		it.Applied, it.Remaining = en.Amount, decimal.Zero
		l.Items = []Item{it}
		res.Lines = append(res.Lines, l)
		return true, e.apply(res, Change{Kind: ChangeBatch, ID: b.ID, Key: b.PmtInfID, Status: StatusCollected})
	case len(tied) > 1 && len(en.Details) == 0:
		l.Outcome, l.Evidence = Ambiguous, fmt.Sprintf("%d open batches hold %d collections totalling %s", len(tied), count, en.Amount.StringFixed(2))
		for _, x := range tied {
			l.Candidates = append(l.Candidates, batchItem(x))
		}
		res.Lines = append(res.Lines, l)
		return true, nil
	case len(en.Details) == 0:
		l.Outcome, l.Evidence = Unmatched, "batch booking: "+orElse(evidence, fmt.Sprintf("no open batch of %d collections totalling %s", count, en.Amount.StringFixed(2)))
		res.Lines = append(res.Lines, l)
		return true, nil
	}
	// Details without end-to-end ids and no batch: match them one by one.
	return false, nil
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func batchItem(b Batch) Item {
	return Item{Kind: ChangeBatch, ID: b.ID, Key: b.PmtInfID, Amount: b.Total, Open: b.Total, Date: b.Date}
}

func collectionItem(c Collection) Item {
	return Item{Kind: ChangeCollection, ID: c.ID, Key: c.EndToEndID, Name: c.DebtorName, Amount: c.Amount, Open: c.Amount, Date: c.CollectionDate}
}

// matchPaymentRequest decides a credit that is the payout of a payment
// request: its remittance names the request's item and its amount is the
// requested amount. A request the provider already reported paid was booked
// then (payreq sync): the line is matched to it without booking the item
// again. One not yet booked is booked now. Each payout is taken once.
func (e *Engine) matchPaymentRequest(l *Line, res *Result, keys []string) (bool, error) {
	prs, err := e.store.PaymentRequestsByKey(keys)
	if err != nil || len(prs) == 0 {
		return false, err
	}
	var fit, paidOut []PaymentRequest
	for _, pr := range prs {
		switch {
		case !pr.Amount.Equal(l.Amount) || !sameCcy(pr.Currency, l.Currency):
		case pr.Settled:
			paidOut = append(paidOut, pr)
		default:
			fit = append(fit, pr)
		}
	}
	item := func(pr PaymentRequest) Item {
		it := Item{Kind: pr.ItemKind, ID: pr.ItemID, Key: pr.ItemKey, Amount: pr.Amount, Open: pr.ItemOpen, Applied: pr.Amount, Remaining: pr.ItemOpen.Sub(pr.Amount)}
		if pr.Booked {
			it.Open, it.Remaining = pr.ItemOpen.Add(pr.Amount), pr.ItemOpen
		}
		return it
	}
	if len(fit) == 0 && len(paidOut) > 0 {
		// The request was paid out already: this is the customer paying a
		// second time (by transfer and through the link). Not booked: a
		// person refunds it or keeps it as a credit.
		pr := paidOut[0]
		l.Outcome = Unmatched
		l.Evidence = fmt.Sprintf("paid twice: %s payment request %s for %s %s was paid out already; refund %s or keep it as a credit",
			pr.Provider, pr.ExternalID, pr.ItemKind, pr.ItemKey, l.Amount.StringFixed(2))
		for _, pr := range paidOut {
			l.Candidates = append(l.Candidates, item(pr))
		}
		return true, nil
	}
	if len(fit) == 0 {
		return false, nil
	}
	if len(fit) > 1 {
		l.Outcome, l.Rule = Ambiguous, RulePaymentRequest
		l.Evidence = fmt.Sprintf("%d payment requests of %s for the items named in remittance %q", len(fit), l.Amount.StringFixed(2), l.Remittance)
		for _, pr := range fit {
			l.Candidates = append(l.Candidates, item(pr))
		}
		return true, nil
	}
	pr := fit[0]
	it := item(pr)
	l.Outcome, l.Rule, l.Items = Matched, RulePaymentRequest, []Item{it}
	ch := Change{Kind: ChangePaymentRequest, ID: pr.ID, Key: pr.ExternalID, Status: StatusPaid, Open: it.Remaining}
	if pr.ItemKind == ChangeInvoice {
		switch it.Remaining.Sign() {
		case 1:
			ch.Status = StatusPartial
		case -1:
			ch.Status = StatusOverpaid
		}
	}
	if pr.Booked {
		l.Evidence = fmt.Sprintf("payout of %s payment request %s for %s %s, booked when %s reported it paid", pr.Provider, pr.ExternalID, pr.ItemKind, pr.ItemKey, pr.Provider)
	} else {
		l.Evidence = fmt.Sprintf("payout of %s payment request %s for %s %s: booked now", pr.Provider, pr.ExternalID, pr.ItemKind, pr.ItemKey)
	}
	return true, e.apply(res, ch)
}

func invoiceItem(v Invoice) Item {
	return Item{Kind: ChangeInvoice, ID: v.ID, Key: v.Number, Name: v.CustomerName, Amount: v.Amount, Open: v.Open, Remaining: v.Open, Date: v.DueDate}
}

// matchLine runs the rules on one line, records the outcome in l and
// applies what it decided. Its look-ups are those l.lookups gives (see
// Keys).
func (e *Engine) matchLine(l *Line, res *Result) error {
	var closest []Item
	decided, err := l.lookups(func(k lookup) (bool, error) {
		switch k.step {
		case stepReturn:
			return true, e.matchReturn(l, res, k.Value)
		case stepCollection:
			cs, err := e.store.CollectionsByEndToEnd(k.Value)
			if err != nil || len(cs) == 0 {
				return false, err
			}
			return true, e.decideCollection(l, res, cs)
		case stepRequest:
			return e.matchPaymentRequest(l, res, k.values)
		case stepReference:
			var byRef []Invoice
			var found []string
			seen := map[int64]bool{}
			for _, r := range k.values {
				vs, err := e.store.InvoicesByReference(r)
				if err != nil {
					return false, err
				}
				if len(vs) > 0 {
					found = append(found, r)
				}
				for _, v := range vs {
					if !seen[v.ID] {
						seen[v.ID] = true
						byRef = append(byRef, v)
					}
				}
			}
			if len(byRef) == 0 {
				return false, nil
			}
			return true, e.decideInvoices(l, res, byRef, RuleReference, "structured reference "+strings.Join(found, ", "))
		case stepNumber:
			vs, err := e.store.InvoicesByNumberKey(k.values)
			if err != nil || len(vs) == 0 {
				return false, err
			}
			nums := make([]string, len(vs))
			for i, v := range vs {
				nums[i] = v.Number
			}
			return true, e.decideInvoices(l, res, vs, RuleInvoiceNumber, fmt.Sprintf("invoice number %s in remittance %q", strings.Join(nums, ", "), l.Remittance))
		case stepIBAN:
			vs, err := e.store.InvoicesByIBAN(k.Value)
			if err != nil {
				return false, err
			}
			var open []Invoice
			for _, v := range vs {
				if v.Open.Sign() > 0 && (v.Currency == "" || l.Currency == "" || v.Currency == l.Currency) {
					open = append(open, v)
				}
			}
			if done, err := e.matchByIBAN(l, res, open); done || err != nil {
				return done, err
			}
			closest = e.closest(open, l.Amount)
			return false, nil
		case stepBatchTotal:
			bs, err := e.store.BatchesByTotal(k.Count, k.Total, k.Currency)
			if err != nil {
				return false, err
			}
			var open []Batch
			for _, b := range bs {
				if b.Status == StatusOpen {
					open = append(open, b)
				}
			}
			if len(open) == 1 {
				b := open[0]
				it := batchItem(b)
				it.Applied, it.Remaining = l.Amount, decimal.Zero
				l.Outcome, l.Rule, l.Items = Matched, RuleBatch, []Item{it}
				l.Evidence = fmt.Sprintf("the only open batch totalling %s (PmtInfId %q, %d collections)", l.Amount.StringFixed(2), b.PmtInfID, b.Count)
				res.Batch = &it
				return true, e.apply(res, Change{Kind: ChangeBatch, ID: b.ID, Key: b.PmtInfID, Status: StatusCollected})
			}
			if len(open) > 1 {
				l.Outcome = Ambiguous
				l.Evidence = fmt.Sprintf("%d open batches total %s", len(open), l.Amount.StringFixed(2))
				for _, b := range open {
					l.Candidates = append(l.Candidates, batchItem(b))
				}
				return true, nil
			}
			return false, nil
		}
		return false, fmt.Errorf("reconcile: look-up step %d", k.step)
	})
	if decided || err != nil {
		return err
	}
	switch {
	case l.isReturn():
		// A return without end-to-end id: nothing to look up.
		l.fillReturnText()
		l.Outcome, l.Evidence = Unmatched, "return without end-to-end id"
	case l.Amount.IsZero():
		l.Outcome, l.Evidence = Unmatched, "zero amount"
	case l.Amount.Sign() < 0:
		l.Outcome, l.Evidence = Unmatched, "debit that is not a return of a collection"
	default:
		l.Outcome, l.Candidates = Unmatched, closest
		l.Evidence = "no rule matched"
		if len(closest) > 0 {
			l.Evidence = "no rule matched; closest open invoices of the counterparty listed"
		}
	}
	return nil
}

// decideCollection matches a credit to the collections carrying its
// end-to-end id.
func (e *Engine) decideCollection(l *Line, res *Result, cs []Collection) error {
	var ok, other []Collection
	for _, c := range cs {
		if l.MandateID != "" && c.MandateID != "" && c.MandateID != l.MandateID {
			other = append(other, c)
			continue
		}
		if c.Status == StatusOpen && c.Amount.Equal(l.Amount) && sameCcy(c.Currency, l.Currency) {
			ok = append(ok, c)
		} else {
			other = append(other, c)
		}
	}
	switch len(ok) {
	case 1:
		c := ok[0]
		it := collectionItem(c)
		it.Applied, it.Remaining = l.Amount, decimal.Zero
		l.Outcome, l.Rule, l.Items = Matched, RuleEndToEnd, []Item{it}
		// The most frequent evidence, built in one buffer (%q is
		// strconv.Quote).
		ev := make([]byte, 0, 64)
		ev = strconv.AppendQuote(append(ev, "end-to-end id "...), c.EndToEndID)
		if l.MandateID != "" {
			ev = strconv.AppendQuote(append(ev, ", mandate "...), l.MandateID)
		}
		l.Evidence = string(append(append(ev, ", amount "...), c.Amount.StringFixed(2)...))
		return e.apply(res, Change{Kind: ChangeCollection, ID: c.ID, Key: c.EndToEndID, Status: StatusCollected})
	case 0:
		l.Outcome = Unmatched
		c := other[0]
		switch {
		case l.MandateID != "" && c.MandateID != "" && c.MandateID != l.MandateID:
			l.Evidence = fmt.Sprintf("end-to-end id %q is known under mandate %q, the line names %q", l.EndToEndID, c.MandateID, l.MandateID)
		case c.Status != StatusOpen:
			l.Evidence = fmt.Sprintf("end-to-end id %q is already %s", l.EndToEndID, c.Status)
		default:
			l.Evidence = fmt.Sprintf("end-to-end id %q is known with amount %s %s, the line is %s %s", l.EndToEndID, c.Amount.StringFixed(2), c.Currency, l.Amount.StringFixed(2), l.Currency)
		}
		for _, c := range other {
			l.Candidates = append(l.Candidates, collectionItem(c))
		}
	default:
		l.Outcome = Ambiguous
		l.Evidence = fmt.Sprintf("%d open collections carry end-to-end id %q and amount %s", len(ok), l.EndToEndID, l.Amount.StringFixed(2))
		for _, c := range ok {
			l.Candidates = append(l.Candidates, collectionItem(c))
		}
	}
	return nil
}

func sameCcy(a, b string) bool { return a == "" || b == "" || a == b }

// fillReturnText fills in the text of a return's reason code.
func (l *Line) fillReturnText() {
	if l.ReturnText == "" && l.ReturnReason != "" {
		l.ReturnText, _ = ReturnReasonText(l.ReturnReason)
	}
}

// matchReturn reopens the collection with end-to-end id e2e that the debit
// l returns (rule 2).
func (e *Engine) matchReturn(l *Line, res *Result, e2e string) error {
	l.fillReturnText()
	cs, err := e.store.CollectionsByEndToEnd(e2e)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		l.Outcome, l.Evidence = Unmatched, fmt.Sprintf("returned end-to-end id %q is not in the ledger", l.EndToEndID)
		return nil
	}
	abs := l.Amount.Neg()
	var ok, other []Collection
	for _, c := range cs {
		amountOK := c.Amount.Equal(abs) || (!l.charges.IsZero() && c.Amount.Equal(abs.Sub(l.charges)))
		if c.Status != StatusReturned && amountOK && sameCcy(c.Currency, l.Currency) &&
			(l.MandateID == "" || c.MandateID == "" || c.MandateID == l.MandateID) {
			ok = append(ok, c)
		} else {
			other = append(other, c)
		}
	}
	switch len(ok) {
	case 1:
		c := ok[0]
		it := collectionItem(c)
		it.Applied, it.Remaining = l.Amount, c.Amount
		l.Outcome, l.Rule, l.Items = Returned, RuleReturn, []Item{it}
		reason := l.ReturnReason
		if reason == "" {
			reason = "no reason given"
		}
		l.Evidence = fmt.Sprintf("end-to-end id %q returned (%s", c.EndToEndID, reason)
		if l.ReturnText != "" {
			l.Evidence += ": " + l.ReturnText
		}
		l.Evidence += "); collection reopened"
		return e.apply(res, Change{Kind: ChangeCollection, ID: c.ID, Key: c.EndToEndID, Status: StatusReturned, ReturnReason: l.ReturnReason, ReturnText: l.ReturnText})
	case 0:
		l.Outcome = Unmatched
		c := other[0]
		if c.Status == StatusReturned {
			l.Evidence = fmt.Sprintf("end-to-end id %q was already returned", l.EndToEndID)
		} else {
			l.Evidence = fmt.Sprintf("returned end-to-end id %q is known with amount %s, the return is %s", l.EndToEndID, c.Amount.StringFixed(2), abs.StringFixed(2))
		}
		for _, c := range other {
			l.Candidates = append(l.Candidates, collectionItem(c))
		}
	default:
		l.Outcome = Ambiguous
		l.Evidence = fmt.Sprintf("%d collections carry the returned end-to-end id %q", len(ok), l.EndToEndID)
		for _, c := range ok {
			l.Candidates = append(l.Candidates, collectionItem(c))
		}
	}
	return nil
}

// decideInvoices books a credit against invoices identified by reference or
// number (rules 3 and 4). One invoice takes the whole amount (partial or
// overpayment allowed); several are taken together only when their open
// remainders add up exactly, or one of them alone equals the amount.
func (e *Engine) decideInvoices(l *Line, res *Result, vs []Invoice, rule Rule, why string) error {
	var cands []Invoice
	for _, v := range vs {
		if sameCcy(v.Currency, l.Currency) {
			cands = append(cands, v)
		}
	}
	if len(cands) == 0 {
		l.Outcome, l.Evidence = Unmatched, why+": invoice in another currency"
		for _, v := range vs {
			l.Candidates = append(l.Candidates, invoiceItem(v))
		}
		return nil
	}
	if len(cands) > 1 {
		var open []Invoice
		sum := decimal.Zero
		for _, v := range cands {
			if v.Open.Sign() > 0 {
				open = append(open, v)
				sum = sum.Add(v.Open)
			}
		}
		var exact []Invoice
		for _, v := range open {
			if v.Open.Equal(l.Amount) {
				exact = append(exact, v)
			}
		}
		switch {
		case len(open) == 1:
			cands = open
		case len(open) > 1 && sum.Equal(l.Amount):
			return e.payAll(l, res, open, rule, why+fmt.Sprintf("; %d invoices whose open remainders add up to %s", len(open), sum.StringFixed(2)))
		case len(exact) == 1:
			cands = exact
		default:
			l.Outcome = Ambiguous
			l.Evidence = why + fmt.Sprintf(": %d invoices fit equally well", len(cands))
			for _, v := range cands {
				l.Candidates = append(l.Candidates, invoiceItem(v))
			}
			return nil
		}
	}
	v := cands[0]
	newOpen := v.Open.Sub(l.Amount)
	it := invoiceItem(v)
	it.Applied, it.Remaining = l.Amount, newOpen
	st := invoiceStatus(newOpen)
	l.Outcome, l.Rule, l.Items = Matched, rule, []Item{it}
	l.Evidence = why
	switch st {
	case StatusPartial:
		l.Evidence += fmt.Sprintf("; partial payment, %s stays open", newOpen.StringFixed(2))
	case StatusOverpaid:
		l.Evidence += fmt.Sprintf("; overpaid by %s", newOpen.Neg().StringFixed(2))
	}
	return e.apply(res, Change{Kind: ChangeInvoice, ID: v.ID, Key: v.Number, Status: st, Open: newOpen})
}

func invoiceStatus(open decimal.Decimal) Status {
	switch open.Sign() {
	case 0:
		return StatusPaid
	case 1:
		return StatusPartial
	}
	return StatusOverpaid
}

// payAll books a line against several invoices, each paid exactly.
func (e *Engine) payAll(l *Line, res *Result, vs []Invoice, rule Rule, why string) error {
	l.Outcome, l.Rule, l.Evidence = Matched, rule, why
	var ch []Change
	for _, v := range vs {
		it := invoiceItem(v)
		it.Applied, it.Remaining = v.Open, decimal.Zero
		l.Items = append(l.Items, it)
		ch = append(ch, Change{Kind: ChangeInvoice, ID: v.ID, Key: v.Number, Status: StatusPaid, Open: decimal.Zero})
	}
	return e.apply(res, ch...)
}

// matchByIBAN applies rules 5 and 6 to the open invoices of the customer
// paying from the line's IBAN.
func (e *Engine) matchByIBAN(l *Line, res *Result, open []Invoice) (bool, error) {
	var exact []Invoice
	for _, v := range open {
		if v.Open.Equal(l.Amount) && e.inWindow(l.BookingDate, v.DueDate) {
			exact = append(exact, v)
		}
	}
	switch {
	case len(exact) == 1:
		v := exact[0]
		return true, e.payAll(l, res, exact, RuleIBANAmount, fmt.Sprintf("counterparty IBAN %s, exact amount %s, due %s", l.CounterpartyIBAN, v.Open.StringFixed(2), v.DueDate.Format("2006-01-02")))
	case len(exact) > 1:
		l.Outcome = Ambiguous
		l.Evidence = fmt.Sprintf("%d open invoices of counterparty IBAN %s are due for exactly %s", len(exact), l.CounterpartyIBAN, l.Amount.StringFixed(2))
		for _, v := range exact {
			l.Candidates = append(l.Candidates, invoiceItem(v))
		}
		return true, nil
	}
	sets := e.subsets(open, l.Amount)
	switch len(sets) {
	case 0:
		return false, nil
	case 1:
		nums := make([]string, len(sets[0]))
		for i, v := range sets[0] {
			nums[i] = v.Number
		}
		return true, e.payAll(l, res, sets[0], RuleSubsetSum, fmt.Sprintf("counterparty IBAN %s; open invoices %s add up to exactly %s", l.CounterpartyIBAN, strings.Join(nums, " + "), l.Amount.StringFixed(2)))
	}
	l.Outcome = Ambiguous
	l.Evidence = fmt.Sprintf("counterparty IBAN %s: several sets of open invoices add up to %s", l.CounterpartyIBAN, l.Amount.StringFixed(2))
	seen := map[int64]bool{}
	for _, set := range sets {
		for _, v := range set {
			if !seen[v.ID] {
				seen[v.ID] = true
				l.Candidates = append(l.Candidates, invoiceItem(v))
			}
		}
	}
	return true, nil
}

func (e *Engine) inWindow(paid, due time.Time) bool {
	if paid.IsZero() || due.IsZero() {
		return true
	}
	return !paid.Before(due.AddDate(0, 0, -e.opt.DaysBefore)) && !paid.After(due.AddDate(0, 0, e.opt.DaysAfter))
}

// subsets finds sets of at least two invoices whose open remainders add up
// to amount exactly; it stops at two (enough to call it ambiguous) and after
// MaxSubsetSteps steps. Works in cents: int64, exact.
func (e *Engine) subsets(open []Invoice, amount decimal.Decimal) [][]Invoice {
	if len(open) < 2 {
		return nil
	}
	vs := append([]Invoice(nil), open...)
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].DueDate.Before(vs[j].DueDate) })
	if len(vs) > e.opt.MaxSubsetItems {
		vs = vs[:e.opt.MaxSubsetItems]
	}
	cents := make([]int64, len(vs))
	for i, v := range vs {
		c, ok := toCents(v.Open)
		if !ok {
			return nil
		}
		cents[i] = c
	}
	target, ok := toCents(amount)
	if !ok {
		return nil
	}
	// suffix sums prune branches that cannot reach the target.
	suffix := make([]int64, len(cents)+1)
	for i := len(cents) - 1; i >= 0; i-- {
		suffix[i] = suffix[i+1] + cents[i]
	}
	var found [][]Invoice
	steps := 0
	pick := make([]int, 0, len(vs))
	var walk func(i int, rest int64)
	walk = func(i int, rest int64) {
		if len(found) >= 2 || steps >= e.opt.MaxSubsetSteps {
			return
		}
		steps++
		if rest == 0 {
			if len(pick) >= 2 {
				set := make([]Invoice, len(pick))
				for k, p := range pick {
					set[k] = vs[p]
				}
				found = append(found, set)
			}
			return
		}
		if i == len(vs) || rest < 0 || suffix[i] < rest {
			return
		}
		pick = append(pick, i)
		walk(i+1, rest-cents[i])
		pick = pick[:len(pick)-1]
		walk(i+1, rest)
	}
	walk(0, target)
	return found
}

// toCents converts an amount with at most 2 decimals to cents.
func toCents(d decimal.Decimal) (int64, bool) {
	c := d.Shift(2)
	if !c.IsInteger() {
		return 0, false
	}
	return c.IntPart(), true
}

func (e *Engine) closest(vs []Invoice, amount decimal.Decimal) []Item {
	s := append([]Invoice(nil), vs...)
	sort.SliceStable(s, func(i, j int) bool {
		return s[i].Open.Sub(amount).Abs().LessThan(s[j].Open.Sub(amount).Abs())
	})
	if len(s) > e.opt.Closest {
		s = s[:e.opt.Closest]
	}
	out := make([]Item, len(s))
	for i, v := range s {
		out[i] = invoiceItem(v)
	}
	return out
}
