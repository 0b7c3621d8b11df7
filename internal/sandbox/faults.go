package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind is what an injected fault does to a request.
type FaultKind string

// Fault kinds.
const (
	// FaultRateLimit answers 429 with X-Rate-Limit-Retry-After-Seconds.
	FaultRateLimit FaultKind = "429"
	// FaultServerError answers 500.
	FaultServerError FaultKind = "500"
	// FaultSlow waits Delay before handling the request normally.
	FaultSlow FaultKind = "slow"
	// FaultDrop closes the connection: at once, or for a file download
	// after half of the body was sent (with the full Content-Length).
	FaultDrop FaultKind = "drop"
	// FaultLost handles the request, then closes the connection without
	// the answer: the call took effect but the client cannot know.
	FaultLost FaultKind = "lost"
	// FaultExpire ends every session before the request, so it answers 401.
	FaultExpire FaultKind = "expire"
	// FaultNoLogin answers HTTP 200 with ApiErrorCode err_no_login (the
	// header style of the session error) without handling the request.
	FaultNoLogin FaultKind = "nologin"
	// FaultHTML answers HTTP 200 with an HTML error page, as a proxy or a
	// maintenance page in front of the platform does.
	FaultHTML FaultKind = "html"
)

// Fault makes the next Count requests matching Method and Path misbehave.
type Fault struct {
	Kind   FaultKind `json:"kind"`
	Method string    `json:"method,omitempty"` // "" matches any method
	// Path matches the request path exactly, or as a prefix when it ends
	// in "/" or "*"; "" matches every API path.
	Path       string        `json:"path,omitempty"`
	Count      int           `json:"count,omitempty"`       // default 1
	RetryAfter int           `json:"retry_after,omitempty"` // seconds, for FaultRateLimit
	Delay      time.Duration `json:"-"`                     // for FaultSlow
	DelayMS    int           `json:"delay_ms,omitempty"`    // Delay in the JSON form
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	if f.Delay == 0 && f.DelayMS > 0 {
		f.Delay = time.Duration(f.DelayMS) * time.Millisecond
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// addFault is POST /_sandbox/faults with a JSON Fault.
func (s *Server) addFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
		http.Error(w, "bad fault: "+err.Error(), http.StatusBadRequest)
		return
	}
	switch f.Kind {
	case FaultRateLimit, FaultServerError, FaultSlow, FaultDrop, FaultLost, FaultExpire, FaultNoLogin, FaultHTML:
	default:
		http.Error(w, "unknown fault kind "+strconv.Quote(string(f.Kind)), http.StatusBadRequest)
		return
	}
	s.Inject(f)
	w.WriteHeader(http.StatusNoContent)
}

// takeFault returns the first fault matching r and counts it down.
func (s *Server) takeFault(r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats[r.Method+" "+statPath(r.URL.Path)]++
	s.stats["User-Agent "+r.UserAgent()]++
	for i, f := range s.faults {
		if f.Method != "" && f.Method != r.Method {
			continue
		}
		if f.Path != "" {
			p := strings.TrimSuffix(f.Path, "*")
			if p != f.Path || strings.HasSuffix(p, "/") {
				if !strings.HasPrefix(r.URL.Path, p) {
					continue
				}
			} else if r.URL.Path != p {
				continue
			}
		}
		f.Count--
		if f.Count <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

// statPath folds file names into one key.
func statPath(p string) string {
	if strings.HasPrefix(p, "/creditor/files/") {
		return "/creditor/files/{name}"
	}
	return p
}

// withFaults applies injected faults before the API handlers.
func (s *Server) withFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
			next.ServeHTTP(w, r)
			return
		}
		f := s.takeFault(r)
		if f == nil {
			next.ServeHTTP(w, r)
			return
		}
		s.logf("sandbox: fault %s on %s %s", f.Kind, r.Method, r.URL.Path)
		switch f.Kind {
		case FaultRateLimit:
			ra := f.RetryAfter
			if ra <= 0 {
				ra = 1
			}
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("X-Rate-Limit-Retry-After-Seconds", strconv.Itoa(ra))
			http.Error(w, "Too many requests", http.StatusTooManyRequests)
		case FaultServerError:
			http.Error(w, "Internal server error", http.StatusInternalServerError)
		case FaultSlow:
			select {
			case <-time.After(f.Delay):
				next.ServeHTTP(w, r)
			case <-r.Context().Done():
			}
		case FaultDrop:
			if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/creditor/files/") {
				next.ServeHTTP(&dropWriter{ResponseWriter: w}, r)
				return
			}
			hijackClose(w)
		case FaultLost:
			next.ServeHTTP(discardWriter{h: http.Header{}}, r)
			hijackClose(w)
		case FaultExpire:
			s.ExpireSessions()
			next.ServeHTTP(w, r)
		case FaultNoLogin:
			w.Header().Set("ApiErrorCode", "err_no_login")
			w.Header().Set("ApiError", "Not logged in")
			w.WriteHeader(http.StatusOK)
		case FaultHTML:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>\n")
		}
	})
}

// hijackClose closes the client's connection without an answer.
func hijackClose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// dropWriter lets half of a file body through, then closes the connection.
// The download handler tells it the full size with SetSize.
type dropWriter struct {
	http.ResponseWriter
	limit   int64
	written int64
	dropped bool
}

func (d *dropWriter) setSize(n int64) { d.limit = n / 2 }

func (d *dropWriter) Write(p []byte) (int, error) {
	if d.dropped {
		return 0, http.ErrAbortHandler
	}
	if d.written+int64(len(p)) > d.limit {
		n := d.limit - d.written
		if n > 0 {
			d.ResponseWriter.Write(p[:n])
		}
		if f, ok := d.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		d.dropped = true
		hijackClose(d.ResponseWriter)
		return int(n), http.ErrAbortHandler
	}
	n, err := d.ResponseWriter.Write(p)
	d.written += int64(n)
	return n, err
}

// discardWriter swallows an answer.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}
