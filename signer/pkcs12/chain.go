package pkcs12

import (
	"bytes"
	"crypto/x509"
	"fmt"
)

// pair matches every key with its certificate, by localKeyId first and by
// public key when the IDs are missing, and orders each chain.
func (f *File) pair(bags []bag) error {
	var certs []*bag
	for i := range bags {
		if bags[i].cert != nil {
			certs = append(certs, &bags[i])
			f.Certificates = append(f.Certificates, bags[i].cert)
		}
	}
	for i := range bags {
		k := &bags[i]
		if k.key == nil {
			continue
		}
		e := &Entry{PrivateKey: k.key, FriendlyName: k.friendlyName, LocalKeyID: k.localKeyID}
		var match *bag
		if len(k.localKeyID) > 0 {
			for _, c := range certs {
				if bytes.Equal(c.localKeyID, k.localKeyID) {
					match = c
					break
				}
			}
			if match != nil && !keyMatches(k.key, match.cert) {
				return fmt.Errorf("%w: key %q and certificate %q", ErrKeyMismatch, k.friendlyName, match.cert.Subject.CommonName)
			}
		}
		if match == nil {
			for _, c := range certs {
				if keyMatches(k.key, c.cert) {
					match = c
					break
				}
			}
		}
		if match != nil {
			e.Certificate = match.cert
			if e.FriendlyName == "" {
				e.FriendlyName = match.friendlyName
			}
			e.Chain = buildChain(match.cert, f.Certificates)
		}
		f.Entries = append(f.Entries, e)
	}
	if len(f.Entries) == 0 {
		return ErrNoKey
	}
	return nil
}

// buildChain follows issuers from leaf through pool: an issuer's subject
// must equal the certificate's issuer and, when both are present, its
// SubjectKeyId must equal the AuthorityKeyId. Signatures are not checked
// here; that is signer/pki's job. It stops at a self-issued certificate.
func buildChain(leaf *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	var chain []*x509.Certificate
	used := map[*x509.Certificate]bool{leaf: true}
	cur := leaf
	for !isSelfIssued(cur) {
		var next *x509.Certificate
		for _, c := range pool {
			if used[c] || c.Equal(leaf) || !bytes.Equal(c.RawSubject, cur.RawIssuer) {
				continue
			}
			if len(cur.AuthorityKeyId) > 0 && len(c.SubjectKeyId) > 0 && !bytes.Equal(cur.AuthorityKeyId, c.SubjectKeyId) {
				continue
			}
			next = c
			break
		}
		if next == nil {
			break
		}
		used[next] = true
		chain = append(chain, next)
		cur = next
	}
	return chain
}

func isSelfIssued(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) &&
		(len(c.AuthorityKeyId) == 0 || len(c.SubjectKeyId) == 0 || bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId))
}
