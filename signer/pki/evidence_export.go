package pki

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// Material is what a verification relied on, gathered so that it can be
// kept with the signatures (an evidence package) and the same verification
// repeated later without a network: the chains as built, every certificate
// involved, and the revocation data read from the Cache.
type Material struct {
	// Chains holds, per Evidence, the chain the verifier builds (leaf
	// first, anchor last); nil where none could be built.
	Chains []Chain
	// Certificates are all certificates involved, each once: signers,
	// chains, TSAs and what the signed objects carry.
	Certificates []*x509.Certificate
	// Revocation are the cached OCSP responses and CRLs for every
	// certificate-issuer link of the chains.
	Revocation []RevocationRecord
}

// RevocationRecord is one cache entry: enough to put it back into another
// Cache with PutRecord, where the revocation clients find it again.
type RevocationRecord struct {
	Kind string // KindOCSP or KindCRL
	URL  string
	// Issuer is the certificate of the CA that issued Subject; the cache
	// keys entries by its public key.
	Issuer *x509.Certificate
	// Subject is the certificate the record is about (for an OCSP
	// response); for a CRL, one of the certificates it was read for.
	Subject *x509.Certificate
	// Extra is the cache's extra key: the serial number in hex for OCSP.
	Extra     string
	DER       []byte
	FetchedAt time.Time
}

// PutRecord stores r in c, under the key the revocation clients look up.
func (c *Cache) PutRecord(r RevocationRecord) error {
	if r.Issuer == nil {
		return fmt.Errorf("cache: %s record for %s without its issuer", r.Kind, r.URL)
	}
	return c.Put(r.Kind, r.URL, r.Issuer, r.Extra, r.DER, r.FetchedAt)
}

// Material gathers what Verify relied on for ev, judged in r (the report
// Verify returned for the same ev): call it right after Verify, with the
// same Verifier, so that the Cache holds the data that verification used.
// Chains are built again with the same options at each signature's
// signing time; revocation data come from v.Cache only (nothing is
// fetched here).
func (v *Verifier) Material(ctx context.Context, ev []Evidence, r *Report) (*Material, error) {
	if r == nil || len(r.Signatures) != len(ev) {
		return nil, errors.New("pki: material: the report does not match the evidence")
	}
	trust := v.Trust
	if trust == nil {
		trust = NewTrustStore("")
	}
	m := &Material{Chains: make([]Chain, len(ev))}
	seen := map[string]bool{}
	addCert := func(c *x509.Certificate) {
		if c != nil && !seen[Fingerprint(c)] {
			seen[Fingerprint(c)] = true
			m.Certificates = append(m.Certificates, c)
		}
	}
	links, records := map[string]bool{}, map[string]bool{}
	for i := range ev {
		e := &ev[i]
		addCert(e.Certificate)
		for _, c := range e.Certificates {
			addCert(c)
		}
		for _, ts := range e.Timestamps {
			addCert(ts.Certificate)
			for _, c := range ts.Certificates {
				addCert(c)
			}
			if ts.Certificate != nil && ts.Valid {
				if chains, err := trust.BuildChains(ctx, ts.Certificate, ChainOptions{
					Intermediates: ts.Certificates, At: ts.Time, Online: !v.Offline, HTTP: v.HTTP, Cache: v.Cache,
				}); err == nil {
					for _, c := range chains[0] {
						addCert(c)
					}
				}
			}
		}
		if e.Certificate == nil {
			continue
		}
		at := r.Signatures[i].SigningTime
		chains, err := trust.BuildChains(ctx, e.Certificate, ChainOptions{
			Intermediates: e.Certificates, At: at, SkipLeafValidity: true,
			LeafKeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
			Online:       !v.Offline, HTTP: v.HTTP, Cache: v.Cache,
		})
		if err != nil {
			continue // the report says why; there is no chain to keep
		}
		chain := chains[0]
		m.Chains[i] = chain
		for _, c := range chain {
			addCert(c)
		}
		for j := 0; j+1 < len(chain); j++ {
			key := Fingerprint(chain[j]) + Fingerprint(chain[j+1])
			if links[key] {
				continue
			}
			links[key] = true
			for _, rec := range v.cachedRevocation(chain[j], chain[j+1]) {
				k := rec.Kind + "\x00" + rec.URL + "\x00" + rec.Extra + "\x00" + Fingerprint(rec.Issuer)
				if !records[k] {
					records[k] = true
					m.Revocation = append(m.Revocation, rec)
				}
			}
		}
	}
	return m, nil
}

// cachedRevocation returns the cached OCSP response and CRLs (with their
// delta CRLs) for cert issued by issuer.
func (v *Verifier) cachedRevocation(cert, issuer *x509.Certificate) []RevocationRecord {
	if v.Cache == nil {
		return nil
	}
	var out []RevocationRecord
	get := func(kind, url, extra string) []byte {
		der, fetched, err := v.Cache.Get(kind, url, issuer, extra)
		if err != nil {
			return nil
		}
		out = append(out, RevocationRecord{Kind: kind, URL: url, Issuer: issuer, Subject: cert, Extra: extra, DER: der, FetchedAt: fetched})
		return der
	}
	ocspURL := ""
	if v.Revocation != nil && v.Revocation.OCSP != nil && v.Revocation.OCSP.URL != "" {
		ocspURL = v.Revocation.OCSP.URL
	} else if len(cert.OCSPServer) > 0 {
		ocspURL = cert.OCSPServer[0]
	}
	if ocspURL != "" {
		get(KindOCSP, ocspURL, cert.SerialNumber.Text(16))
	}
	for _, url := range cert.CRLDistributionPoints {
		der := get(KindCRL, url, "")
		if der == nil {
			continue
		}
		info, err := ParseAndVerifyCRL(der, url, issuer)
		if err != nil {
			continue
		}
		for _, delta := range info.FreshestURLs {
			get(KindCRL, delta, "")
		}
	}
	return out
}
