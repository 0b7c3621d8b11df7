// Package wirecase reads the contract cases of testdata/wire: request and
// answer pairs re-typed from the providers' public documentation and SDK
// fixtures. The tests of pkg/twikey, pkg/tikkie and pkg/tinka replay each
// case twice: the answer against the client (a fake server answers it) and
// the request against the sandbox (whose answer must have the recorded
// answer's shape), so that client and sandbox cannot drift apart from the
// providers, or from each other, without a test failing.
package wirecase

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Case is one recorded exchange.
type Case struct {
	Name   string `json:"name"`
	Source string `json:"source"` // where the facts were read
	Call   string `json:"call"`   // the client call that makes the request
	// Request is what the client must send. Path may hold {placeholders}
	// for tokens; Query and Form list the parameters that must be there
	// (a value of "*" matches any); Headers lists headers that must be
	// present; Body lists the JSON attributes the body must have.
	Request struct {
		Method  string            `json:"method"`
		Path    string            `json:"path"`
		Query   map[string]string `json:"query,omitempty"`
		Form    map[string]string `json:"form,omitempty"`
		Headers []string          `json:"headers,omitempty"`
		Body    json.RawMessage   `json:"body,omitempty"`
	} `json:"request"`
	// Answer is what the provider answered.
	Answer struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers,omitempty"`
		Body    json.RawMessage   `json:"body,omitempty"`
	} `json:"answer"`
	// Expect is what the client must make of the answer, in the test's own
	// words (field: value).
	Expect map[string]string `json:"expect,omitempty"`
	// Fixed names the attributes whose recorded values the sandbox must
	// give exactly (codes, states, types), not only their kind.
	Fixed []string `json:"fixed,omitempty"`
}

// Load reads every *.json case of dir, sorted by file name.
func Load(dir string) ([]Case, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Case
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var c Case
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		if c.Name == "" || c.Source == "" || c.Request.Method == "" || c.Request.Path == "" || c.Answer.Status == 0 {
			return nil, fmt.Errorf("%s: name, source, request method and path, answer status are required", n)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no cases", dir)
	}
	return out, nil
}

// Fill replaces the {placeholders} of s by vars.
func Fill(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// MatchPath reports whether path fits pattern, where each {placeholder}
// segment of pattern matches one non-empty segment, and returns the values.
func MatchPath(pattern, path string) (map[string]string, bool) {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	vars := map[string]string{}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") && xs[i] != "" {
			vars[p[1:len(p)-1]] = xs[i]
			continue
		}
		if p != xs[i] {
			return nil, false
		}
	}
	return vars, true
}

// Shape describes a JSON value by its kinds: an object by its keys and
// their shapes, an array by the shape of its first element, anything else
// by its kind (string, number, bool, null). Two answers of one contract
// have the same shape even when their tokens and amounts differ.
func Shape(data []byte) (string, error) {
	if len(data) == 0 {
		return "", nil
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return "", err
	}
	var b strings.Builder
	shape(&b, v)
	return b.String(), nil
}

func shape(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(k + ":")
			shape(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		if len(x) > 0 {
			shape(b, x[0])
		}
		b.WriteByte(']')
	case string:
		b.WriteString("string")
	case float64:
		b.WriteString("number")
	case bool:
		b.WriteString("bool")
	case nil:
		b.WriteString("null")
	}
}

// SameShape compares two answers' shapes; arrays empty on one side match
// any element shape on the other (a sandbox request without payments, a
// recorded one with).
func SameShape(recorded, got []byte) (bool, string, string, error) {
	a, err := Shape(recorded)
	if err != nil {
		return false, "", "", fmt.Errorf("recorded answer: %w", err)
	}
	g, err := Shape(got)
	if err != nil {
		return false, "", "", fmt.Errorf("answer: %w", err)
	}
	return looseEqual(a, g), a, g, nil
}

// looseEqual compares shapes, treating "[]" on either side as matching any
// array shape.
func looseEqual(a, b string) bool {
	for len(a) > 0 && len(b) > 0 {
		switch {
		case strings.HasPrefix(a, "[]") && b[0] == '[':
			a, b = a[2:], b[matchBracket(b)+1:]
		case strings.HasPrefix(b, "[]") && a[0] == '[':
			a, b = a[matchBracket(a)+1:], b[2:]
		case a[0] == b[0]:
			a, b = a[1:], b[1:]
		default:
			return false
		}
	}
	return a == b
}

// matchBracket returns the index of the ']' closing s[0] == '['.
func matchBracket(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(s) - 1
}

// Covers reports whether got has everything the recorded answer has: every
// key of a recorded object, with a value of the same kind (a recorded null
// matches any kind: the sample had no value there), and for every element
// of a recorded array an element of got's array that covers it. Extra keys
// in got are allowed: for answers whose optional attributes vary with the
// data (Twikey's feed and reporting). The first difference is returned.
// The attributes named in fixed must also have the recorded value.
func Covers(recorded, got []byte, fixed ...string) (string, error) {
	var r, g any
	if err := json.Unmarshal(recorded, &r); err != nil {
		return "", fmt.Errorf("recorded answer: %w", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return "", fmt.Errorf("answer: %w", err)
	}
	fx := map[string]bool{}
	for _, f := range fixed {
		fx[f] = true
	}
	return covers("$", r, g, fx), nil
}

func covers(path string, r, g any, fixed map[string]bool) string {
	switch rv := r.(type) {
	case nil:
		return ""
	case map[string]any:
		gv, ok := g.(map[string]any)
		if !ok {
			return path + ": not an object"
		}
		keys := make([]string, 0, len(rv))
		for k := range rv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			x, ok := gv[k]
			if !ok {
				return path + "." + k + ": missing"
			}
			if d := covers(path+"."+k, rv[k], x, fixed); d != "" {
				return d
			}
			if fixed[k] && isScalar(rv[k]) && fmt.Sprint(rv[k]) != fmt.Sprint(x) {
				return fmt.Sprintf("%s.%s: %v, recorded %v", path, k, x, rv[k])
			}
		}
		return ""
	case []any:
		gv, ok := g.([]any)
		if !ok {
			return path + ": not an array"
		}
		for i, e := range rv {
			found := ""
			for _, x := range gv {
				if found = covers(fmt.Sprintf("%s[%d]", path, i), e, x, fixed); found == "" {
					break
				}
			}
			if found != "" {
				return found
			}
		}
		return ""
	}
	var a, b strings.Builder
	shape(&a, r)
	shape(&b, g)
	if a.String() != b.String() {
		return fmt.Sprintf("%s: %s, recorded %s", path, b.String(), a.String())
	}
	return ""
}

// isScalar reports whether v is a string, number or bool.
func isScalar(v any) bool {
	switch v.(type) {
	case string, float64, bool:
		return true
	}
	return false
}
