package pki

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Errors of the trust store.
var (
	// ErrNoCertificate: a file holds no certificate (neither DER nor PEM).
	ErrNoCertificate = errors.New("pki: no certificate in file")
	// ErrNotPinned: a fetched root's fingerprint is not in the pinned list;
	// it is trusted only once the user imports it explicitly.
	ErrNotPinned = errors.New("pki: fetched root is not pinned")
)

// TrustStore holds the trust anchors chains must end in, plus known
// intermediate CA certificates that help build chains without a network.
// Anchors come only from files the program ships or the user chose
// (LoadFile, LoadDir, Import) and from fetched roots whose SHA-256
// fingerprint is pinned: nothing becomes trusted silently.
//
// With Dir set, Import copies the user's anchors to Dir/imported and
// FetchRoots caches downloads in Dir/fetched; OpenTrustStore reads both
// back (fetched roots again only when pinned).
type TrustStore struct {
	// Dir is where imported and fetched roots are kept; empty keeps
	// nothing on disk.
	Dir string

	mu            sync.RWMutex
	anchors       []*x509.Certificate
	intermediates []*x509.Certificate
	// test are the certificates of TEST PKIs (anchors and their CAs):
	// trusted so that test signatures verify, and reported as TEST.
	test []*x509.Certificate
}

// NewTrustStore returns an empty store keeping its files in dir (may be "").
func NewTrustStore(dir string) *TrustStore { return &TrustStore{Dir: dir} }

// OpenTrustStore returns a store over dir with the anchors imported before
// and the fetched roots whose fingerprints are in pins.
func OpenTrustStore(dir string, pins []string) (*TrustStore, error) {
	s := NewTrustStore(dir)
	// The user chose every imported certificate as an anchor, CA or root.
	imported, err := readCertDir(filepath.Join(dir, "imported"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	s.AddAnchor(imported...)
	fetched, err := readCertDir(filepath.Join(dir, "fetched"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, c := range fetched {
		if pinned(c, pins) {
			s.AddAnchor(c)
		}
	}
	return s, nil
}

// AddAnchor trusts certs as anchors (self-signed roots, usually).
func (s *TrustStore) AddAnchor(certs ...*x509.Certificate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range certs {
		if c != nil && !containsCert(s.anchors, c) {
			s.anchors = append(s.anchors, c)
		}
	}
}

// AddIntermediate records CA certificates usable for chain building; they
// are not trusted by themselves.
func (s *TrustStore) AddIntermediate(certs ...*x509.Certificate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range certs {
		if c != nil && !containsCert(s.intermediates, c) {
			s.intermediates = append(s.intermediates, c)
		}
	}
}

// LoadTestDir loads the certificates of dir as TEST ones: self-signed ones
// become anchors, the others intermediates, and every signature chaining
// to them is reported TEST. A missing dir is no error.
func (s *TrustStore) LoadTestDir(dir string) (int, error) {
	certs, err := readCertDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	s.AddTest(certs...)
	return len(certs), nil
}

// AddTest trusts certs as TEST certificates (see LoadTestDir).
func (s *TrustStore) AddTest(certs ...*x509.Certificate) {
	s.addSorted(certs)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range certs {
		if c != nil && !containsCert(s.test, c) {
			s.test = append(s.test, c)
		}
	}
}

// IssuedByTestCA reports whether c was issued by a CA named as a test one:
// NCA RK's test CAs are named "… TEST 2022", and so are the test PKI's.
// With the TEST anchors of a trust store it is what marks a report TEST.
func IssuedByTestCA(c *x509.Certificate) bool {
	return c != nil && strings.Contains(strings.ToUpper(c.Issuer.String()), "TEST")
}

// IsTest reports whether c is one of the TEST certificates.
func (s *TrustStore) IsTest(c *x509.Certificate) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return containsCert(s.test, c)
}

// IssuedUnderTest reports whether cert is a TEST certificate or was issued
// by one: what decides the TEST mark before a chain is built.
func (s *TrustStore) IssuedUnderTest(cert *x509.Certificate) bool {
	if cert == nil {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.test {
		if t.Equal(cert) || (bytes.Equal(cert.RawIssuer, t.RawSubject) && CheckSignatureFrom(cert, t) == nil) {
			return true
		}
	}
	return false
}

// Anchors returns the trusted certificates.
func (s *TrustStore) Anchors() []*x509.Certificate {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*x509.Certificate(nil), s.anchors...)
}

// Intermediates returns the known intermediate CA certificates.
func (s *TrustStore) Intermediates() []*x509.Certificate {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*x509.Certificate(nil), s.intermediates...)
}

// IsAnchor reports whether c is one of the anchors.
func (s *TrustStore) IsAnchor(c *x509.Certificate) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return containsCert(s.anchors, c)
}

// LoadFile adds the certificates of a DER or PEM file: self-signed ones as
// anchors, the others as intermediates. It returns how many anchors it added.
func (s *TrustStore) LoadFile(path string) (int, error) {
	certs, err := ReadCertificates(path)
	if err != nil {
		return 0, err
	}
	return s.addSorted(certs), nil
}

// LoadDir loads every .cer, .crt, .der and .pem file of dir (not recursive).
func (s *TrustStore) LoadDir(dir string) (int, error) {
	certs, err := readCertDir(dir)
	if err != nil {
		return 0, err
	}
	return s.addSorted(certs), nil
}

func (s *TrustStore) addSorted(certs []*x509.Certificate) int {
	n := 0
	for _, c := range certs {
		if isSelfSigned(c) {
			s.AddAnchor(c)
			n++
		} else {
			s.AddIntermediate(c)
		}
	}
	return n
}

// Import trusts the certificates of a file the user chose explicitly, even
// if they are not self-signed (a user may decide to trust an issuing CA),
// and copies them to Dir/imported so they stay trusted.
func (s *TrustStore) Import(path string) ([]*x509.Certificate, error) {
	certs, err := ReadCertificates(path)
	if err != nil {
		return nil, err
	}
	s.AddAnchor(certs...)
	if s.Dir != "" {
		for _, c := range certs {
			if err := saveCert(filepath.Join(s.Dir, "imported"), c); err != nil {
				return certs, fmt.Errorf("import %s: %w", path, err)
			}
		}
	}
	return certs, nil
}

// ReadCertificates reads a DER certificate or every CERTIFICATE block of a
// PEM file.
func ReadCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read certificates: %w", err)
	}
	certs, err := ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return certs, nil
}

// ParseCertificates parses DER, or PEM with one or more certificates.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if bytes.Contains(data, []byte("-----BEGIN")) {
		var certs []*x509.Certificate
		for rest := data; ; {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			if blk.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("parse certificate: %w", err)
			}
			certs = append(certs, c)
		}
		if len(certs) == 0 {
			return nil, ErrNoCertificate
		}
		return certs, nil
	}
	c, err := x509.ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoCertificate, err)
	}
	return []*x509.Certificate{c}, nil
}

// readCertDir reads the certificate files of dir, sorted by name.
func readCertDir(dir string) ([]*x509.Certificate, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read trust directory: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var certs []*x509.Certificate
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".cer", ".crt", ".der", ".pem":
		default:
			continue
		}
		if e.IsDir() {
			continue
		}
		cs, err := ReadCertificates(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		certs = append(certs, cs...)
	}
	return certs, nil
}

// saveCert writes c as <fingerprint>.cer in dir.
func saveCert(dir string, c *x509.Certificate) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, Fingerprint(c)+".cer"), c.Raw, 0o644)
}

// Fingerprint is the SHA-256 of the DER certificate in lower-case hex.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// pinned reports whether c's fingerprint is in pins (hex, any case, colons allowed).
func pinned(c *x509.Certificate, pins []string) bool {
	fp := Fingerprint(c)
	for _, p := range pins {
		if strings.EqualFold(strings.ReplaceAll(p, ":", ""), fp) {
			return true
		}
	}
	return false
}

// isSelfSigned reports a certificate whose issuer is its subject and whose
// signature its own key verifies.
func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && CheckSignatureFrom(c, c) == nil
}
