package main

import (
	"github.com/batchtool/batchtool/pkg/pipeline"
	"github.com/batchtool/batchtool/pkg/reconcile"
)

// createJSON is payreq create --json (docs/json.md): a create result whose
// sums per currency are "totals", as everywhere else in batchtool's JSON.
type createJSON struct {
	Provider  string           `json:"provider"`
	Created   int              `json:"created"`
	Totals    reconcile.Totals `json:"totals"`
	Recovered int              `json:"recovered"`
	Skipped   int              `json:"skipped"`
	Refused   int              `json:"refused"`
	Failed    int              `json:"failed"`
}

func createJSONOf(r *pipeline.CreateResult) createJSON {
	t := r.Amount
	if t == nil {
		t = reconcile.Totals{}
	}
	return createJSON{r.Provider, r.Created, t, r.Recovered, r.Skipped, r.Refused, r.Failed}
}
