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

// Apply implements Store.
func (m *MemStore) Apply(changes []Change) error {
	for _, c := range changes {
		switch c.Kind {
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
