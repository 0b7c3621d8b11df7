package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// otpSalt is the salt of the enhanced-security OTP: "own", the default
// salt of Twikey's public SDKs (Go: Client.Salt; Python: vendorPrefix).
const otpSalt = "own"

// twikeyOTP is the sandbox's own computation of the enhanced-security
// one-time password, from the public SDKs' description of it (not from
// pkg/twikey): HMAC-SHA256 keyed with the salt followed by the hex-decoded
// private key, over the number of 30-second steps since the epoch as eight
// big-endian bytes; four bytes taken at the offset given by the low nibble
// of byte 19, top bit cleared, modulo 10^8.
func twikeyOTP(privateKeyHex string, t time.Time) (uint32, bool) {
	pk, err := hex.DecodeString(strings.TrimSpace(privateKeyHex))
	if err != nil {
		return 0, false
	}
	mac := hmac.New(sha256.New, append([]byte(otpSalt), pk...))
	step := t.Unix() / 30
	var counter [8]byte
	for i := 7; i >= 0; i-- {
		counter[i] = byte(step)
		step >>= 8
	}
	mac.Write(counter[:])
	sum := mac.Sum(nil)
	o := int(sum[19] & 0x0f)
	v := uint32(sum[o]&0x7f)<<24 | uint32(sum[o+1])<<16 | uint32(sum[o+2])<<8 | uint32(sum[o+3])
	return v % 100000000, true
}
