package sepa

// mod97 returns the ISO 7064 MOD 97-10 remainder of s, where digits count as
// themselves and letters A..Z as 10..35 (ISO 13616, ISO 11649, EPC262-08).
// ok is false when s holds any other character.
func mod97(s string) (rem int, ok bool) { return mod97From(0, s) }

// mod97From goes on from the remainder rem of a first part with the
// characters of s: mod97(a+b) is mod97From(mod97(a), b), without building
// a+b.
func mod97From(rem int, s string) (int, bool) {
	// Digits are gathered in acc and reduced every dozen or so, not one
	// division per character: mod 97 of acc·10^k + x is that of
	// (acc mod 97)·10^k + x.
	acc := uint64(rem)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			acc = acc*10 + uint64(c-'0')
		case c >= 'A' && c <= 'Z':
			acc = acc*100 + uint64(c-'A') + 10
		default:
			return 0, false
		}
		if acc >= 1e15 {
			acc %= 97
		}
	}
	return int(acc % 97), true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isUpperAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// compact removes spaces and upper-cases ASCII letters: the electronic form
// of an IBAN, BIC, creditor identifier or RF reference.
func compact(s string) string {
	i := 0
	for i < len(s) && s[i] != ' ' && s[i] != '\t' && (s[i] < 'a' || s[i] > 'z') {
		i++
	}
	if i == len(s) {
		return s // already compact: no copy
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}
