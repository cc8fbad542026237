package testpki

import (
	"crypto"
	"crypto/x509"
	"sort"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
)

// CA is one certification authority of the test PKI.
type CA struct {
	// Name is the file stem: the certificate is ca/<Name>.cer and the CRL
	// crl/<Name>.crl under Dir and under BaseURL.
	Name   string
	Family Family
	Cert   *x509.Certificate
	// Key signs certificates, CRLs and (for responders) OCSP responses:
	// *gost.PrivateKey or *rsa.PrivateKey.
	Key crypto.Signer
	// Issuer is the CA above, nil for a root.
	Issuer *CA
	// CRL is the CA's current CRL, and CRLDER its encoding.
	CRL    *x509.RevocationList
	CRLDER []byte
	// CertPath and CRLPath are the files written, empty without Dir.
	// KeyPath is the CA's key as ca/<Name>.TEST-CA-KEY.p12 (same password as
	// the entity keys), written so that Load and "testpki serve" can sign
	// CRLs and OCSP responses; a test CA key, never anything else.
	CertPath, CRLPath, KeyPath string
}

// Entity is one end-entity key and certificate.
type Entity struct {
	// Name is "<family>/<stem>", e.g. "gost/legal_head".
	Name    string
	Family  Family
	Roles   []pki.Role
	Purpose pki.Purpose
	IIN     string
	BIN     string
	Revoked bool
	Expired bool
	// RevokedAt is when the issuing CA revoked the key (zero if not).
	RevokedAt time.Time
	Cert      *x509.Certificate
	// Key is *gost.PrivateKey or *rsa.PrivateKey.
	Key crypto.Signer
	// Issuer is the issuing CA.
	Issuer *CA
	// P12Path and CertPath are the files written, empty without Dir.
	P12Path, CertPath string
}

// Chain returns the entity's certificate followed by its issuing CA and root.
func (e *Entity) Chain() []*x509.Certificate {
	chain := []*x509.Certificate{e.Cert}
	for ca := e.Issuer; ca != nil; ca = ca.Issuer {
		chain = append(chain, ca.Cert)
	}
	return chain
}

// Service is the key and certificate of a responder the PKI runs: an OCSP
// responder (EKU id-kp-OCSPSigning and id-pkix-ocsp-nocheck, so clients do
// not ask about the responder itself) or a TSA (critical EKU
// id-kp-timeStamping, as RFC 3161 requires). Both are issued by the
// family's issuing CA.
type Service struct {
	// Name is "<family>/ocsp" or "<family>/tsa".
	Name   string
	Family Family
	Cert   *x509.Certificate
	// Key is *gost.PrivateKey or *rsa.PrivateKey.
	Key    crypto.Signer
	Issuer *CA
	// P12Path and CertPath are the files written, empty without Dir.
	P12Path, CertPath string
}

// Chain returns the service certificate followed by its issuing CA and root.
func (s *Service) Chain() []*x509.Certificate {
	chain := []*x509.Certificate{s.Cert}
	for ca := s.Issuer; ca != nil; ca = ca.Issuer {
		chain = append(chain, ca.Cert)
	}
	return chain
}

// PKI is a generated test PKI, all in memory, and its files if Dir was set.
type PKI struct {
	Options Options
	// Roots and CAs (issuing CAs) by family.
	Roots map[Family]*CA
	CAs   map[Family]*CA
	// Entities in generation order.
	Entities []*Entity
	// OCSPResponders and TSAs are the responder identities by family.
	OCSPResponders map[Family]*Service
	TSAs           map[Family]*Service
	// Manifest describes the files; ManifestPath is manifest.json's path.
	Manifest     Manifest
	ManifestPath string
}

// Find returns the entity named name ("gost/legal_head"), or nil.
func (p *PKI) Find(name string) *Entity {
	for _, e := range p.Entities {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// Root returns family's root CA (nil if the family was not generated).
func (p *PKI) Root(f Family) *CA { return p.Roots[f] }

// CA returns family's issuing CA.
func (p *PKI) CA(f Family) *CA { return p.CAs[f] }

// OCSPResponder returns family's OCSP responder identity.
func (p *PKI) OCSPResponder(f Family) *Service { return p.OCSPResponders[f] }

// TSA returns family's time-stamping authority identity.
func (p *PKI) TSA(f Family) *Service { return p.TSAs[f] }

// Services returns the OCSP responders and TSAs in family order.
func (p *PKI) Services() []*Service {
	var list []*Service
	for _, f := range Families {
		for _, s := range []*Service{p.OCSPResponders[f], p.TSAs[f]} {
			if s != nil {
				list = append(list, s)
			}
		}
	}
	return list
}

// AllCAs returns every CA, roots first, in family order.
func (p *PKI) AllCAs() []*CA {
	var cas []*CA
	for _, f := range Families {
		if p.Roots[f] != nil {
			cas = append(cas, p.Roots[f], p.CAs[f])
		}
	}
	return cas
}

// TrustPool returns a pool with the roots of every family (crypto/x509 can
// build chains over GOST certificates by name and key ID, though it cannot
// verify their signatures; use pki.CheckSignatureFrom for that).
func (p *PKI) TrustPool() *x509.CertPool {
	pool := x509.NewCertPool()
	for _, f := range Families {
		if r := p.Roots[f]; r != nil {
			pool.AddCert(r.Cert)
		}
	}
	return pool
}

// Paths returns every file written, sorted; nil without Dir.
func (p *PKI) Paths() []string {
	var paths []string
	for _, ca := range p.AllCAs() {
		paths = appendNonEmpty(paths, ca.CertPath, ca.CRLPath, ca.KeyPath)
	}
	for _, s := range p.Services() {
		paths = appendNonEmpty(paths, s.P12Path, s.CertPath)
	}
	for _, e := range p.Entities {
		paths = appendNonEmpty(paths, e.P12Path, e.CertPath)
	}
	paths = appendNonEmpty(paths, p.ManifestPath)
	sort.Strings(paths)
	return paths
}

func appendNonEmpty(list []string, s ...string) []string {
	for _, v := range s {
		if v != "" {
			list = append(list, v)
		}
	}
	return list
}
