package pki

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/qoltanba/qoltanba/internal/atomicfile"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Errors of the revocation sources.
var (
	// ErrNotCached: the cache holds nothing for the key asked.
	ErrNotCached = errors.New("pki: not in the cache")
	// ErrUnreachable: a server could not be reached or answered with an
	// HTTP error; the caller may try again later or use the cache.
	ErrUnreachable = errors.New("pki: server unreachable")
)

// Cache kinds.
const (
	KindCRL  = "crl"
	KindOCSP = "ocsp"
	KindCert = "cert"
)

// Cache keeps the last CRLs, OCSP responses and fetched CA certificates in a
// directory, so verification works offline with the last known status and
// can say how old it is. Entries are keyed by kind, URL, the issuer's key
// and an extra string (the serial for OCSP); each is a .der file with a
// .json sidecar holding where and when it was fetched. The data are public
// and re-verified on every read, so the cache needs no integrity protection
// of its own.
type Cache struct {
	Dir string
}

// cacheMeta is the sidecar of an entry.
type cacheMeta struct {
	Kind      string    `json:"kind"`
	URL       string    `json:"url"`
	Issuer    string    `json:"issuer,omitempty"`
	Extra     string    `json:"extra,omitempty"`
	FetchedAt time.Time `json:"fetchedAt"`
}

// key is the file stem of an entry.
func cacheKey(kind, url string, issuer *x509.Certificate, extra string) string {
	h := sha256.New()
	for _, s := range []string{kind, url, extra} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if issuer != nil {
		h.Write(issuer.RawSubjectPublicKeyInfo)
	}
	return kind + "-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Put stores der, fetched at the given time, replacing any older entry.
func (c *Cache) Put(kind, url string, issuer *x509.Certificate, extra string, der []byte, fetched time.Time) error {
	if c == nil || c.Dir == "" {
		return nil
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	stem := filepath.Join(c.Dir, cacheKey(kind, url, issuer, extra))
	meta := cacheMeta{Kind: kind, URL: url, Extra: extra, FetchedAt: fetched.UTC()}
	if issuer != nil {
		meta.Issuer = issuer.Subject.String()
	}
	j, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := writeAtomic(stem+".der", der); err != nil {
		return err
	}
	return writeAtomic(stem+".json", j)
}

// Get returns the stored bytes and when they were fetched, or ErrNotCached.
func (c *Cache) Get(kind, url string, issuer *x509.Certificate, extra string) ([]byte, time.Time, error) {
	if c == nil || c.Dir == "" {
		return nil, time.Time{}, ErrNotCached
	}
	stem := filepath.Join(c.Dir, cacheKey(kind, url, issuer, extra))
	j, err := os.ReadFile(stem + ".json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, time.Time{}, ErrNotCached
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("cache: %w", err)
	}
	var meta cacheMeta
	if err := json.Unmarshal(j, &meta); err != nil {
		return nil, time.Time{}, fmt.Errorf("cache: %s: %w", stem+".json", err)
	}
	der, err := os.ReadFile(stem + ".der")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, time.Time{}, ErrNotCached
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("cache: %w", err)
	}
	return der, meta.FetchedAt, nil
}

// writeAtomic writes through a temporary file and a rename, so a reader
// never sees half an entry.
func writeAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}
