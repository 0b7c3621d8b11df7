package twikey

import (
	"context"
	"io"
	"net/http"

	"github.com/shopspring/decimal"
)

// Invoice is the platform's answer to an invoice upload.
type Invoice struct {
	ID         string          `json:"id"`
	Number     string          `json:"number"`
	Title      string          `json:"title,omitempty"`
	Remittance string          `json:"remittance,omitempty"`
	Ref        string          `json:"ref,omitempty"`
	State      string          `json:"state"` // BOOKED, PENDING, PAID, EXPIRED, ARCHIVED
	Amount     decimal.Decimal `json:"amount"`
	Date       Date            `json:"date"`
	DueDate    Date            `json:"duedate"`
	CT         int64           `json:"ct,omitempty"`
	URL        string          `json:"url,omitempty"`
}

// UploadInvoiceOptions are the optional headers of an invoice upload.
type UploadInvoiceOptions struct {
	InvoiceID string // X-INVOICE-ID: your own UUID for the invoice
	Manual    bool   // X-MANUAL: do not collect it automatically
}

// UploadInvoice uploads one UBL invoice (body, application/xml):
// POST /creditor/invoice/ubl. It fails with code "invalid_file" when the
// file is invalid (for example without a customer reference).
//
// Like ImportCollection it is not retried after a 5xx answer or a network
// error unless WithIdempotencyKey is given.
func (c *Client) UploadInvoice(ctx context.Context, body io.Reader, o UploadInvoiceOptions, opts ...CallOption) (*Invoice, error) {
	req := newRequest(http.MethodPost, "/creditor/invoice/ubl", body, opts)
	req.header.Set("Content-Type", "application/xml")
	req.header.Set("Accept", "application/json")
	if o.InvoiceID != "" {
		req.header.Set("X-INVOICE-ID", o.InvoiceID)
	}
	if o.Manual {
		req.header.Set("X-MANUAL", "true")
	}
	var inv Invoice
	if err := c.getJSON(ctx, req, &inv); err != nil {
		return nil, err
	}
	return &inv, nil
}
