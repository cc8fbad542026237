package portal

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/sync/store"
)

// newID makes a portal id: the desktop store's time-ordered id in lower
// case (26 characters), so documents list newest first by key.
func newID(now time.Time) (string, error) {
	id, err := store.NewID(now)
	if err != nil {
		return "", err
	}
	return strings.ToLower(id.String()), nil
}

// newToken is a session token: 256 random bits; only its hash is stored.
func newToken() (token string, hash [32]byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", hash, err
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, sha256.Sum256([]byte(token)), nil
}
