package pki

import (
	"bytes"
	"crypto/x509"
	"errors"
	"time"
)

// Preload puts validation data a signed document carries (a PDF's document
// security store) into v's cache, where the revocation clients find it
// when they cannot ask the network: an OCSP response under the certificate
// it answers for, a CRL under the addresses of the certificates its issuer
// issued. What the cache already holds is kept; what matches none of certs
// is left out; nothing is trusted here — the clients verify each entry
// when they read it, as they verify what they fetch. It returns how many
// entries were added.
func (v *Verifier) Preload(certs []*x509.Certificate, ocsps, crls [][]byte) int {
	if v.Cache == nil || v.Cache.Dir == "" {
		return 0 // a cache that keeps nothing
	}
	ocspURL := ""
	if v.Revocation != nil && v.Revocation.OCSP != nil {
		ocspURL = v.Revocation.OCSP.URL
	}
	put := func(kind, url string, issuer *x509.Certificate, extra string, der []byte, at time.Time) bool {
		if url == "" {
			return false
		}
		if _, _, err := v.Cache.Get(kind, url, issuer, extra); !errors.Is(err, ErrNotCached) {
			return false // cached already (or unreadable: leave it)
		}
		return v.Cache.Put(kind, url, issuer, extra, der, at) == nil
	}
	added := 0
	for _, der := range ocsps {
		resp, err := ParseOCSPResponse(der)
		if err != nil || resp.Status != OCSPSuccessful {
			continue
		}
		for _, sr := range resp.Responses {
			for _, issuer := range certs {
				for _, cert := range certs {
					if !sr.CertID.Matches(issuer, cert.SerialNumber) || !bytes.Equal(cert.RawIssuer, issuer.RawSubject) {
						continue
					}
					url := ocspURL
					if url == "" && len(cert.OCSPServer) > 0 {
						url = cert.OCSPServer[0]
					}
					if put(KindOCSP, url, issuer, cert.SerialNumber.Text(16), der, resp.ProducedAt) {
						added++
					}
				}
			}
		}
	}
	for _, der := range crls {
		crl, err := x509.ParseRevocationList(der)
		if err != nil {
			continue
		}
		for _, issuer := range certs {
			if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
				continue
			}
			urls := map[string]bool{}
			for _, cert := range certs {
				if bytes.Equal(cert.RawIssuer, issuer.RawSubject) {
					for _, u := range cert.CRLDistributionPoints {
						urls[u] = true
					}
				}
			}
			for u := range urls {
				if put(KindCRL, u, issuer, "", der, crl.ThisUpdate) {
					added++
				}
			}
		}
	}
	return added
}
