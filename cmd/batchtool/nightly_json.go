package main

import (
	"io"

	"github.com/batchtool/batchtool/pkg/pipeline"
)

// nightlyResult is nightly --json (docs/json.md): the run's steps, the
// routine work for a person and what needs one (exit code 1 when that list
// is not empty).
type nightlyResult struct {
	Run            string            `json:"run"` // the run's stamp, the name of its reports folder
	Steps          []nightlyStepJSON `json:"steps"`
	ToDo           []string          `json:"to_do"`
	NeedsAttention []string          `json:"needs_attention"`
	// Done are the units of work this run did; Elsewhere those another
	// worker sharing the ledger held or did (pipeline.Unit): the Done of
	// all the workers of one night are that night's work, each unit once.
	Done      []pipeline.Unit `json:"done"`
	Elsewhere []pipeline.Unit `json:"elsewhere"`
}

type nightlyStepJSON struct {
	Step      string `json:"step"`
	Status    string `json:"status"`              // ok, skipped, attention
	Attention string `json:"attention,omitempty"` // what of the step needs a person
	Note      string `json:"note,omitempty"`      // skipped: why
	TookMS    int64  `json:"took_ms"`
}

// writeNightlyJSON prints the night's typed result as nightly --json.
func writeNightlyJSON(w io.Writer, res *pipeline.Result) error {
	r := nightlyResult{Run: res.Run, Steps: []nightlyStepJSON{}, ToDo: []string{}, NeedsAttention: []string{},
		Done: append([]pipeline.Unit{}, res.Done...), Elsewhere: append([]pipeline.Unit{}, res.Elsewhere...)}
	for _, s := range res.Steps {
		r.Steps = append(r.Steps, nightlyStepJSON{Step: s.Name, Status: s.Status(), Attention: s.Attention, Note: s.Note, TookMS: s.Took.Milliseconds()})
	}
	r.ToDo = append(r.ToDo, res.ToDo...)
	r.NeedsAttention = append(r.NeedsAttention, res.Attention...)
	return writeJSON(w, r)
}
