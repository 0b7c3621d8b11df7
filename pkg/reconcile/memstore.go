package reconcile

import (
	"sort"

	"github.com/shopspring/decimal"
)

// MemStore is a Store in memory, for tests and small runs. It is not safe
// for concurrent use.
type MemStore struct {
	collections []Collection
	batches     []Batch
	invoices    []Invoice
	byE2E       map[string][]int
	byBatch     map[string]int
	byRef       map[string][]int
	byKey       map[string][]int
	byIBAN      map[string][]int
	requests    []memRequest
}

type memRequest struct {
	PaymentRequest
	settled bool
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{byE2E: map[string][]int{}, byBatch: map[string]int{}, byRef: map[string][]int{}, byKey: map[string][]int{}, byIBAN: map[string][]int{}}
}

// AddBatch adds a batch (status open unless set); it returns its ID.
func (m *MemStore) AddBatch(b Batch) int64 {
	b.ID = int64(len(m.batches) + 1)
	if b.Status == "" {
		b.Status = StatusOpen
	}
	m.byBatch[b.PmtInfID] = len(m.batches)
	m.batches = append(m.batches, b)
	return b.ID
}

// AddCollection adds a collection (status open unless set); it returns its ID.
func (m *MemStore) AddCollection(c Collection) int64 {
	c.ID = int64(len(m.collections) + 1)
	if c.Status == "" {
		c.Status = StatusOpen
	}
	m.byE2E[c.EndToEndID] = append(m.byE2E[c.EndToEndID], len(m.collections))
	m.collections = append(m.collections, c)
	return c.ID
}

// AddInvoice adds an invoice; Open defaults to Amount and the status to
// open. It returns its ID.
func (m *MemStore) AddInvoice(v Invoice) int64 {
	v.ID = int64(len(m.invoices) + 1)
	if v.Open.IsZero() && v.Status == "" {
		v.Open = v.Amount
	}
	if v.Status == "" {
		v.Status = StatusOpen
	}
	i := len(m.invoices)
	if v.Reference != "" {
		v.Reference = NormalizeReference(v.Reference)
		m.byRef[v.Reference] = append(m.byRef[v.Reference], i)
	}
	k := NumberKey(v.Number)
	m.byKey[k] = append(m.byKey[k], i)
	for j, iban := range v.CustomerIBANs {
		v.CustomerIBANs[j] = normIBAN(iban)
		m.byIBAN[v.CustomerIBANs[j]] = append(m.byIBAN[v.CustomerIBANs[j]], i)
	}
	m.invoices = append(m.invoices, v)
	return v.ID
}

// Collection returns the collection with id.
func (m *MemStore) Collection(id int64) Collection { return m.collections[id-1] }

// Invoice returns the invoice with id.
func (m *MemStore) Invoice(id int64) Invoice { return m.invoices[id-1] }

// Batch returns the batch with id.
func (m *MemStore) Batch(id int64) Batch { return m.batches[id-1] }

// CollectionsByEndToEnd implements Store.
func (m *MemStore) CollectionsByEndToEnd(e2e string) ([]Collection, error) {
	var out []Collection
	for _, i := range m.byE2E[e2e] {
		out = append(out, m.collections[i])
	}
	return out, nil
}

// BatchByID implements Store.
func (m *MemStore) BatchByID(id string) (*Batch, error) {
	i, ok := m.byBatch[id]
	if !ok {
		return nil, nil
	}
	b := m.batches[i]
	return &b, nil
}

// BatchesByTotal implements Store; count 0 matches any count.
func (m *MemStore) BatchesByTotal(count int, total decimal.Decimal, ccy string) ([]Batch, error) {
	var out []Batch
	for _, b := range m.batches {
		if (count == 0 || b.Count == count) && b.Total.Equal(total) && sameCcy(b.Currency, ccy) {
			out = append(out, b)
		}
	}
	return out, nil
}

// InvoicesByReference implements Store.
func (m *MemStore) InvoicesByReference(ref string) ([]Invoice, error) {
	return m.pick(m.byRef[ref]), nil
}

// InvoicesByNumberKey implements Store.
func (m *MemStore) InvoicesByNumberKey(keys []string) ([]Invoice, error) {
	var idx []int
	for _, k := range keys {
		idx = append(idx, m.byKey[k]...)
	}
	return m.pick(idx), nil
}

// InvoicesByIBAN implements Store.
func (m *MemStore) InvoicesByIBAN(iban string) ([]Invoice, error) {
	var idx []int
	for _, i := range m.byIBAN[iban] {
		if m.invoices[i].Open.Sign() > 0 {
			idx = append(idx, i)
		}
	}
	return m.pick(idx), nil
}

func (m *MemStore) pick(idx []int) []Invoice {
	sort.Ints(idx)
	var out []Invoice
	for k, i := range idx {
		if k > 0 && idx[k-1] == i {
			continue
		}
		out = append(out, m.invoices[i])
	}
	return out
}

// AddPaymentRequest adds a payment request sent for a collection or an
// invoice of the store; it returns its ID.
func (m *MemStore) AddPaymentRequest(pr PaymentRequest) int64 {
	pr.ID = int64(len(m.requests) + 1)
	m.requests = append(m.requests, memRequest{PaymentRequest: pr})
	return pr.ID
}

// PaymentRequest returns the request with the given ID and whether its
// payout was seen on a statement.
func (m *MemStore) PaymentRequest(id int64) (PaymentRequest, bool) {
	r := m.requests[id-1]
	return r.PaymentRequest, r.settled
}

// PaymentRequestsByKey implements Store.
func (m *MemStore) PaymentRequestsByKey(keys []string) ([]PaymentRequest, error) {
	var out []PaymentRequest
	for _, r := range m.requests {
		if !contains(keys, NumberKey(r.ItemKey)) {
			continue
		}
		pr := r.PaymentRequest
		pr.Settled = r.settled
		switch pr.ItemKind {
		case ChangeInvoice:
			pr.ItemOpen = m.invoices[pr.ItemID-1].Open
		case ChangeCollection:
			if c := m.collections[pr.ItemID-1]; c.Status == StatusReturned {
				pr.ItemOpen = c.Amount
			}
		}
		out = append(out, pr)
	}
	return out, nil
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// Apply implements Store.
func (m *MemStore) Apply(changes []Change) error {
	for _, c := range changes {
		switch c.Kind {
		case ChangePaymentRequest:
			r := &m.requests[c.ID-1]
			r.settled = true
			if !r.Booked {
				r.Booked = true
				switch r.ItemKind {
				case ChangeInvoice:
					x := &m.invoices[r.ItemID-1]
					x.Status, x.Open = c.Status, c.Open
				case ChangeCollection:
					m.collections[r.ItemID-1].Status = c.Status
				}
			}
		case ChangeCollection:
			x := &m.collections[c.ID-1]
			x.Status, x.ReturnReason, x.ReturnText = c.Status, c.ReturnReason, c.ReturnText
		case ChangeInvoice:
			x := &m.invoices[c.ID-1]
			x.Status, x.Open = c.Status, c.Open
		case ChangeBatch:
			b := &m.batches[c.ID-1]
			b.Status = c.Status
			if c.Status == StatusCollected {
				for i := range m.collections {
					if m.collections[i].PmtInfID == b.PmtInfID && m.collections[i].Status == StatusOpen {
						m.collections[i].Status = StatusCollected
					}
				}
			}
		}
	}
	return nil
}
