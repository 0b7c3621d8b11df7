package inspect

import (
	"io"
	"sort"
	"time"

	"github.com/batchtool/batchtool/pkg/pain008"
	"github.com/batchtool/batchtool/pkg/reconcile"
)

// Pain008Summary is what `batchtool inspect` tells about a pain.008 batch.
// Every total is one per currency (reconcile.Totals): a batch of EUR and
// CHF transactions has two.
type Pain008Summary struct {
	MessageID       string           `json:"message_id"`
	Version         string           `json:"version"`              // "001.02", "001.02.ch.03"; "" for an unknown namespace
	Namespace       string           `json:"namespace"`            // as in the file
	Scheme          string           `json:"scheme"`               // "SEPA", "Swiss CH-DD (not SEPA)", "Swiss LSV+ (not SEPA)"
	CreatedAt       string           `json:"created_at,omitempty"` // RFC 3339
	InitiatingParty string           `json:"initiating_party,omitempty"`
	StatedCount     int64            `json:"stated_count"`                // GrpHdr/NbOfTxs
	StatedTotal     *string          `json:"stated_control_sum"`          // GrpHdr/CtrlSum as written (it has no currency); null when absent
	Count           int64            `json:"count"`                       // transactions read
	Totals          reconcile.Totals `json:"totals"`                      // their sums, one per currency
	Amendments      int64            `json:"amendments"`                  // transactions with AmdmntInd true
	FirstCollection string           `json:"first_collection,omitempty"`  // earliest ReqdColltnDt
	LastCollection  string           `json:"last_collection,omitempty"`   // latest ReqdColltnDt
	Groups          []Pain008Group   `json:"groups"`                      // one per PmtInf, in file order
	ByDate          []Pain008Bucket  `json:"by_collection_date_and_type"` // sorted by date, then sequence type
	Complete        bool             `json:"complete"`                    // false when reading stopped at an error
}

// Pain008Group is one PmtInf block.
type Pain008Group struct {
	PmtInfID        string           `json:"pmt_inf_id"`
	CollectionDate  string           `json:"collection_date"`
	SequenceType    string           `json:"sequence_type"`
	LocalInstrument string           `json:"local_instrument"`
	Creditor        string           `json:"creditor"`
	CreditorIBAN    string           `json:"creditor_iban"`
	CreditorID      string           `json:"creditor_id"`
	Count           int64            `json:"count"`
	Totals          reconcile.Totals `json:"totals"`
}

// Pain008Bucket counts the transactions of one collection date and sequence type.
type Pain008Bucket struct {
	CollectionDate string           `json:"collection_date"`
	SequenceType   string           `json:"sequence_type"`
	Count          int64            `json:"count"`
	Totals         reconcile.Totals `json:"totals"`
}

func inspectPain008(name string, r io.Reader) (*Inspection, error) {
	pr := pain008.NewReader(r, name)
	s := &Pain008Summary{Groups: []Pain008Group{}, ByDate: []Pain008Bucket{}, Totals: reconcile.Totals{}}
	in := &Inspection{File: name, Format: "pain.008", Summary: s}
	type bucketKey struct{ date, seq string }
	buckets := map[bucketKey]*Pain008Bucket{}
	lastPmt := 0
	var err error
	for {
		var tx *pain008.Transaction
		tx, err = pr.Next()
		if err != nil {
			break
		}
		if p := pr.PmtInf(); p.Index != lastPmt {
			lastPmt = p.Index
			s.Groups = append(s.Groups, Pain008Group{
				PmtInfID: p.PmtInfId, CollectionDate: pain008Date(p.ReqdColltnDt), SequenceType: p.SeqTp,
				LocalInstrument: p.LclInstrm, Creditor: p.Cdtr.Name, CreditorIBAN: p.Cdtr.IBAN, CreditorID: p.Cdtr.ID,
				Totals: reconcile.Totals{},
			})
		}
		g := &s.Groups[len(s.Groups)-1]
		g.Count++
		g.Totals.Add(tx.Amount, tx.Currency)
		s.Totals.Add(tx.Amount, tx.Currency)
		if tx.Amendment != nil {
			s.Amendments++
		}
		d := pain008Date(tx.CollectionDate)
		k := bucketKey{d, tx.SequenceType}
		b := buckets[k]
		if b == nil {
			b = &Pain008Bucket{CollectionDate: d, SequenceType: tx.SequenceType, Totals: reconcile.Totals{}}
			buckets[k] = b
		}
		b.Count++
		b.Totals.Add(tx.Amount, tx.Currency)
		if d != "" && (s.FirstCollection == "" || d < s.FirstCollection) {
			s.FirstCollection = d
		}
		if d > s.LastCollection {
			s.LastCollection = d
		}
	}
	h := pr.Header()
	s.MessageID, s.Version, s.Namespace, s.InitiatingParty = h.MsgId, pr.Version(), pr.Namespace(), h.InitgPty
	s.Scheme = pr.Scheme().Describe()
	if !h.CreDtTm.IsZero() {
		s.CreatedAt = h.CreDtTm.Format(time.RFC3339)
	}
	s.StatedCount = h.NbOfTxs
	if h.HasCtrl {
		c := h.CtrlSum.StringFixed(max(2, -h.CtrlSum.Exponent()))
		s.StatedTotal = &c
	}
	s.Count, _ = pr.Totals()
	for _, b := range buckets {
		s.ByDate = append(s.ByDate, *b)
	}
	sort.Slice(s.ByDate, func(i, j int) bool {
		a, b := s.ByDate[i], s.ByDate[j]
		if a.CollectionDate != b.CollectionDate {
			return a.CollectionDate < b.CollectionDate
		}
		return seqOrder(a.SequenceType) < seqOrder(b.SequenceType)
	})
	in.Findings = pr.Findings()
	if err == io.EOF {
		s.Complete = true
		return in, nil
	}
	return in, err
}

func pain008Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// seqOrder sorts sequence types in the order of a mandate's life.
func seqOrder(s string) string {
	switch s {
	case pain008.SeqFirst:
		return "0"
	case pain008.SeqRecurrent:
		return "1"
	case pain008.SeqFinal:
		return "2"
	case pain008.SeqOneOff:
		return "3"
	}
	return "4" + s
}

func (*Pain008Summary) summary() {}
