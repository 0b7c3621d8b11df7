package main

import (
	"encoding/json"
	"fmt"
)

// nightlyResult is nightly --json: the run's steps, the routine work for
// a person and what needs one (exit code 1 when that list is not empty).
type nightlyResult struct {
	Run            string            `json:"run"` // the run's stamp, the name of its reports folder
	Steps          []nightlyStepJSON `json:"steps"`
	ToDo           []string          `json:"to_do"`
	NeedsAttention []string          `json:"needs_attention"`
}

type nightlyStepJSON struct {
	Step     string `json:"step"`
	Status   string `json:"status"` // ok, skipped, failed
	ExitCode int    `json:"exit_code"`
	Note     string `json:"note,omitempty"`
	TookMS   int64  `json:"took_ms"`
}

// nightlyJSON returns the app a nightly --json run works with: every step's
// text on standard error, the summary as JSON on standard output.
func nightlyJSON(a *app) *app {
	text := *a
	text.stdout = a.stderr
	text.nightlyDone = func(n *nightlyRun) {
		r := nightlyResult{Run: n.stamp, Steps: []nightlyStepJSON{}, ToDo: []string{}, NeedsAttention: []string{}}
		for _, s := range n.results {
			st := nightlyStepJSON{Step: s.Step, Status: "ok", ExitCode: s.Code, Note: s.Note, TookMS: s.Took.Milliseconds()}
			switch {
			case s.Note != "":
				st.Status = "skipped"
			case s.Code != 0:
				st.Status = "failed"
			}
			r.Steps = append(r.Steps, st)
		}
		r.ToDo = append(r.ToDo, n.todo...)
		r.NeedsAttention = append(r.NeedsAttention, n.attend...)
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			fmt.Fprintln(a.stderr, "batchtool:", err)
		}
	}
	return &text
}
