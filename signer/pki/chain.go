package pki

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"
)

// Errors of chain building (test with errors.Is).
var (
	// ErrNoChain: no path from the certificate to a trust anchor.
	ErrNoChain = errors.New("pki: no certificate chain to a trusted anchor")
	// ErrChainConstraints: a path exists but breaks a CA constraint (not a
	// CA, path length, unknown critical extension).
	ErrChainConstraints = errors.New("pki: certificate chain constraints violated")
	// ErrExpired and ErrNotYetValid: a certificate is outside its validity
	// period at the time asked.
	ErrExpired     = errors.New("pki: certificate expired")
	ErrNotYetValid = errors.New("pki: certificate not yet valid")
	// ErrKeyUsage: the leaf's key usage does not allow the use asked.
	ErrKeyUsage = errors.New("pki: key usage does not allow this use")
)

// Chain is a certification path: the leaf first, the trust anchor last.
type Chain []*x509.Certificate

// Anchor returns the chain's last certificate.
func (c Chain) Anchor() *x509.Certificate {
	if len(c) == 0 {
		return nil
	}
	return c[len(c)-1]
}

// ChainOptions tune BuildChains.
type ChainOptions struct {
	// Intermediates are extra CA certificates, e.g. those a signed object
	// carries. They are candidates, never anchors.
	Intermediates []*x509.Certificate
	// At is the time every certificate must be valid at; zero means now.
	At time.Time
	// SkipLeafValidity leaves the leaf's validity period to the caller
	// (the verifier judges it against the signing time and its proof).
	SkipLeafValidity bool
	// LeafKeyUsage, when not zero, requires the leaf's key usage (if it
	// has one) to include at least one of these bits.
	LeafKeyUsage x509.KeyUsage
	// Online allows fetching issuers from the AIA caIssuers addresses with
	// HTTP; fetched certificates go to Cache, which is read when offline.
	Online bool
	HTTP   *http.Client
	Cache  *Cache
	// MaxDepth bounds the path length (default 8).
	MaxDepth int
}

// BuildChains finds every path from leaf to an anchor of s, checking each
// signature (GOST and RSA alike, with CheckSignatureFrom), validity at
// opts.At, CA basic constraints, path length and key usage. Paths come
// shortest first. With no valid path the error wraps ErrNoChain,
// ErrChainConstraints, ErrExpired or ErrNotYetValid, whichever came closest.
func (s *TrustStore) BuildChains(ctx context.Context, leaf *x509.Certificate, opts ChainOptions) ([]Chain, error) {
	if leaf == nil {
		return nil, fmt.Errorf("build chain: %w: no certificate", ErrMalformed)
	}
	if opts.At.IsZero() {
		opts.At = time.Now()
	}
	if opts.MaxDepth == 0 {
		opts.MaxDepth = 8
	}
	b := &chainBuilder{s: s, ctx: ctx, opts: opts, pool: append(s.Intermediates(), opts.Intermediates...), anchors: s.Anchors()}
	if opts.LeafKeyUsage != 0 && leaf.KeyUsage != 0 && leaf.KeyUsage&opts.LeafKeyUsage == 0 {
		return nil, fmt.Errorf("%w: %q", ErrKeyUsage, leaf.Subject.CommonName)
	}
	if !opts.SkipLeafValidity {
		if err := validAt(leaf, opts.At); err != nil {
			return nil, err
		}
	}
	b.extend(Chain{leaf})
	if len(b.chains) == 0 {
		if b.best != nil {
			return nil, b.best
		}
		return nil, fmt.Errorf("%w: issuer %q of %q not found", ErrNoChain, leaf.Issuer.CommonName, leaf.Subject.CommonName)
	}
	sort.SliceStable(b.chains, func(i, j int) bool { return len(b.chains[i]) < len(b.chains[j]) })
	return b.chains, nil
}

// chainBuilder is one BuildChains search.
type chainBuilder struct {
	s       *TrustStore
	ctx     context.Context
	opts    ChainOptions
	pool    []*x509.Certificate
	anchors []*x509.Certificate
	fetched map[string]bool
	chains  []Chain
	best    error // the most telling failure so far
	rank    int
}

// note keeps err if it says more than the failure kept so far.
func (b *chainBuilder) note(err error) {
	r := 1
	switch {
	case errors.Is(err, ErrChainConstraints):
		r = 4
	case errors.Is(err, ErrExpired), errors.Is(err, ErrNotYetValid):
		r = 3
	case errors.Is(err, ErrSignatureInvalid), errors.Is(err, ErrIssuerNotCA):
		r = 2
	}
	if r > b.rank {
		b.best, b.rank = err, r
	}
}

func (b *chainBuilder) extend(path Chain) {
	cur := path[len(path)-1]
	if containsCert(b.anchors, cur) {
		if err := checkPathLen(path); err != nil {
			b.note(err)
			return
		}
		b.chains = append(b.chains, append(Chain(nil), path...))
		return
	}
	if len(path) > b.opts.MaxDepth {
		b.note(fmt.Errorf("%w: path longer than %d", ErrNoChain, b.opts.MaxDepth))
		return
	}
	for _, cand := range b.issuersOf(cur) {
		if containsCert(path, cand) {
			continue
		}
		if err := CheckSignatureFrom(cur, cand); err != nil {
			if errors.Is(err, ErrIssuerNotCA) {
				err = fmt.Errorf("%w: %w", ErrChainConstraints, err)
			}
			b.note(err)
			continue
		}
		if err := validAt(cand, b.opts.At); err != nil {
			b.note(err)
			continue
		}
		if len(cand.UnhandledCriticalExtensions) > 0 {
			b.note(fmt.Errorf("%w: %q has unknown critical extension %s", ErrChainConstraints, cand.Subject.CommonName, cand.UnhandledCriticalExtensions[0]))
			continue
		}
		b.extend(append(path, cand))
	}
}

// issuersOf returns the certificates that may have issued c: by name, and
// by key identifier when both sides carry one. Anchors come first.
func (b *chainBuilder) issuersOf(c *x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	add := func(list []*x509.Certificate) {
		for _, x := range list {
			if !bytes.Equal(x.RawSubject, c.RawIssuer) {
				continue
			}
			if len(c.AuthorityKeyId) > 0 && len(x.SubjectKeyId) > 0 && !bytes.Equal(c.AuthorityKeyId, x.SubjectKeyId) {
				continue
			}
			if !containsCert(out, x) {
				out = append(out, x)
			}
		}
	}
	add(b.anchors)
	add(b.pool)
	if len(out) == 0 {
		fetched := b.fetchIssuers(c)
		b.pool = append(b.pool, fetched...)
		add(fetched)
	}
	return out
}

// fetchIssuers downloads (online) or reads from the cache (offline) the
// certificates at c's AIA caIssuers addresses.
func (b *chainBuilder) fetchIssuers(c *x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, url := range c.IssuingCertificateURL {
		if b.fetched[url] {
			continue
		}
		if b.fetched == nil {
			b.fetched = map[string]bool{}
		}
		b.fetched[url] = true
		var certs []*x509.Certificate
		var err error
		if b.opts.Online {
			certs, err = fetchCertificates(b.ctx, b.opts.HTTP, url)
			if err == nil {
				var bundle []byte
				for _, x := range certs {
					bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: x.Raw})...)
				}
				_ = b.opts.Cache.Put(KindCert, url, nil, "", bundle, time.Now())
			}
		}
		if !b.opts.Online || err != nil {
			der, _, cerr := b.opts.Cache.Get(KindCert, url, nil, "")
			if cerr != nil {
				if err != nil {
					b.note(fmt.Errorf("%w: %w", ErrNoChain, err))
				}
				continue
			}
			certs, err = ParseCertificates(der)
			if err != nil {
				continue
			}
		}
		out = append(out, certs...)
	}
	return out
}

// validAt checks c's validity period at t.
func validAt(c *x509.Certificate, t time.Time) error {
	switch {
	case t.Before(c.NotBefore):
		return fmt.Errorf("%w: %q is valid from %s", ErrNotYetValid, c.Subject.CommonName, c.NotBefore.UTC().Format(time.RFC3339))
	case t.After(c.NotAfter):
		return fmt.Errorf("%w: %q expired %s", ErrExpired, c.Subject.CommonName, c.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkPathLen applies the CAs' pathLenConstraint: a CA at position i
// (leaf 0) has i-1 intermediate CAs below it.
func checkPathLen(path Chain) error {
	for i := 1; i < len(path); i++ {
		ca := path[i]
		if !ca.BasicConstraintsValid || ca.MaxPathLen < 0 || (ca.MaxPathLen == 0 && !ca.MaxPathLenZero) {
			continue
		}
		if below := i - 1; below > ca.MaxPathLen {
			return fmt.Errorf("%w: %q allows %d CAs below it, the path has %d", ErrChainConstraints, ca.Subject.CommonName, ca.MaxPathLen, below)
		}
	}
	return nil
}
