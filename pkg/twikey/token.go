package twikey

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/batchtool/batchtool/internal/secretfile"
)

// TokenEnv is the environment variable LoadToken reads.
const TokenEnv = "BATCHTOOL_TWIKEY_TOKEN"

// LoadToken returns the API token from file when file is not empty (its
// first line, trimmed; a file readable by group or others is refused on
// Unix), or else from the environment variable TokenEnv.
func LoadToken(file string) (Secret, error) {
	if file != "" {
		b, err := secretfile.Read(file)
		var me *secretfile.ModeError
		if errors.As(err, &me) {
			return "", fmt.Errorf("twikey: token file %s", me)
		}
		if err != nil {
			return "", fmt.Errorf("twikey: token file: %w", err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		if tok := strings.TrimSpace(line); tok != "" {
			return Secret(tok), nil
		}
		return "", fmt.Errorf("twikey: token file %s is empty", file)
	}
	if tok := strings.TrimSpace(os.Getenv(TokenEnv)); tok != "" {
		return Secret(tok), nil
	}
	return "", errors.New("twikey: no API token: set " + TokenEnv + " or give a token file")
}
