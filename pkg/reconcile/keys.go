package reconcile

import (
	"github.com/shopspring/decimal"

	"github.com/batchtool/batchtool/pkg/statement"
)

// KeyKind names the Store look-up a Key is for.
type KeyKind uint8

// Kinds of key, one per look-up of the Store.
const (
	KeyEndToEnd       KeyKind = iota + 1 // CollectionsByEndToEnd(Value)
	KeyBatchID                           // BatchByID(Value): a PmtInfId
	KeyBatchTotal                        // BatchesByTotal(Count, Total, Currency)
	KeyReference                         // InvoicesByReference(Value)
	KeyNumber                            // InvoicesByNumberKey: Value is one of the keys asked together
	KeyIBAN                              // InvoicesByIBAN(Value)
	KeyPaymentRequest                    // PaymentRequestsByKey: Value is one of the keys asked together
)

var keyKindNames = [...]string{"", "end-to-end-id", "batch-id", "batch-total", "reference", "number-key", "iban", "payment-request-key"}

func (k KeyKind) String() string {
	if int(k) < len(keyKindNames) {
		return keyKindNames[k]
	}
	return "key-kind-?"
}

// Key is one key the engine may look an entry up by: what a store that
// loads open items ahead (a chunk of a bulk import) must load.
type Key struct {
	Kind  KeyKind
	Value string // all kinds but KeyBatchTotal
	// KeyBatchTotal: NbOfTxs (0: any), the total and its currency.
	Count    int
	Total    decimal.Decimal
	Currency string
}

// Keys calls fn with every key Reconcile may look entry en up by, whatever the
// store holds. A key never depends on what a look-up found: what is found
// only decides whether the later rules still run. So the keys are those
// asked on a store that finds nothing, where every rule runs; on any other
// store the engine asks for some of them, never another (TestKeysOfEveryRule,
// TestKeysCorpus, TestKeysGenerated, FuzzKeys). Reconcile takes its keys
// from the same code (Line.lookups, batchKey), so a store holding the items
// of these keys answers every look-up of Reconcile as the whole ledger
// would: the chunk imports of the ledger read them ahead. A key may be
// given more than once.
func Keys(en *statement.Entry, fn func(Key)) {
	var buf [2]Line // an entry of one detail, and a residual: on the stack
	lines := splitEntryInto(buf[:0], en)
	if batchCredit(en) {
		if k := batchKey(en, lines); k.Kind != 0 {
			fn(k)
		}
		if len(en.Details) == 0 {
			// matchBatch decides an entry without details whatever it finds.
			return
		}
	}
	announce := func(lk lookup) (bool, error) {
		if lk.values == nil {
			fn(lk.Key)
			return false, nil
		}
		for _, v := range lk.values {
			k := lk.Key
			k.Value = v
			fn(k)
		}
		return false, nil
	}
	for i := range lines {
		if lines[i].Detail >= 0 {
			lines[i].lookups(announce) // announce returns no error
		}
	}
}

// batchCredit tells whether en is a credit that may book a whole PmtInf:
// matchBatch sees it first.
func batchCredit(en *statement.Entry) bool {
	return en.Amount.Sign() > 0 && !en.Reversal && (en.BatchID != "" || en.BatchCount > 1 || len(en.Details) > 1)
}

// batchCount is the number of collections a batch booking holds: its
// NbOfTxs, else its number of details when more than one.
func batchCount(en *statement.Entry) int {
	if en.BatchCount == 0 && len(en.Details) > 1 {
		return len(en.Details)
	}
	return en.BatchCount
}

// batchKey is the look-up of matchBatch: the batch by its PmtInfId (the
// entry's, else the first detail's), else by count and total; Kind 0 when
// it has neither.
func batchKey(en *statement.Entry, lines []Line) Key {
	id := en.BatchID
	if id == "" {
		for _, l := range lines {
			if l.batchID != "" {
				id = l.batchID
				break
			}
		}
	}
	if id != "" {
		return Key{Kind: KeyBatchID, Value: id}
	}
	if count := batchCount(en); count > 0 {
		return Key{Kind: KeyBatchTotal, Count: count, Total: en.Amount, Currency: en.Currency}
	}
	return Key{}
}

// step is a rule's look-up in matchLine.
type step uint8

const (
	stepReturn     step = iota + 1 // rule 2: the collection a debit returns
	stepCollection                 // rule 1: the collection a credit pays
	stepRequest                    // a payment request's payout
	stepReference                  // rule 3
	stepNumber                     // rule 4
	stepIBAN                       // rules 5 and 6
	stepBatchTotal                 // a batch booked without details
)

// lookup is one look-up of matchLine: its key, or its keys (values) when
// the rule asks for several at once.
type lookup struct {
	Key
	step   step
	values []string
}

// lookups calls ask with the look-ups of the rules for l, in the order the
// rules run, until ask reports the line decided (or fails). It is the one
// place that says what a line is looked up by: matchLine asks the store,
// Keys announces them all.
func (l *Line) lookups(ask func(lookup) (decided bool, err error)) (bool, error) {
	if l.isReturn() {
		if l.EndToEndID == "" {
			return false, nil
		}
		return ask(lookup{Key: Key{Kind: KeyEndToEnd, Value: l.EndToEndID}, step: stepReturn})
	}
	if l.Amount.Sign() <= 0 {
		return false, nil
	}
	// Rule 1: end-to-end id of a direct debit.
	if l.EndToEndID != "" {
		if done, err := ask(lookup{Key: Key{Kind: KeyEndToEnd, Value: l.EndToEndID}, step: stepCollection}); done || err != nil {
			return done, err
		}
	}
	// The payout of a payment request names its item; it is decided before
	// the invoice rules, which would book the invoice a second time.
	keys := RemittanceKeys(l.Remittance)
	if len(keys) > 0 {
		if done, err := ask(lookup{Key: Key{Kind: KeyPaymentRequest}, step: stepRequest, values: keys}); done || err != nil {
			return done, err
		}
	}
	// Rule 3: structured reference, given or in the remittance.
	refs := ReferencesInText(l.Remittance)
	if l.Reference != "" {
		refs = append([]string{l.Reference}, refs...)
	}
	if len(refs) > 0 {
		if done, err := ask(lookup{Key: Key{Kind: KeyReference}, step: stepReference, values: refs}); done || err != nil {
			return done, err
		}
	}
	// Rule 4: invoice number in the remittance.
	if len(keys) > 0 {
		if done, err := ask(lookup{Key: Key{Kind: KeyNumber}, step: stepNumber, values: keys}); done || err != nil {
			return done, err
		}
	}
	// Rules 5 and 6: the customer's IBAN.
	if l.CounterpartyIBAN != "" {
		if done, err := ask(lookup{Key: Key{Kind: KeyIBAN, Value: l.CounterpartyIBAN}, step: stepIBAN}); done || err != nil {
			return done, err
		}
	}
	// A batch booked without details: the only open batch with that total.
	if l.Detail == 0 && l.EndToEndID == "" {
		return ask(lookup{Key: Key{Kind: KeyBatchTotal, Total: l.Amount, Currency: l.Currency}, step: stepBatchTotal})
	}
	return false, nil
}

// isReturn tells whether l is a debit that returns a collection: rule 2
// decides it, or nothing does.
func (l *Line) isReturn() bool {
	return l.Amount.Sign() < 0 && (l.reversal || l.ReturnReason != "" || l.EndToEndID != "")
}
