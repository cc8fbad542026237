package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// policyNCA2022 is the certificate policy of NCA's 2022 CAs, 1.2.398.3.3.2.
func policyNCA2022() ([]x509.OID, error) {
	oid, err := x509.OIDFromInts([]uint64{1, 2, 398, 3, 3, 2})
	if err != nil {
		return nil, fmt.Errorf("policy OID: %w", err)
	}
	return []x509.OID{oid}, nil
}

const day = 24 * time.Hour

// CA names, modelled on NCA's ("НЕГІЗГІ …" is the root, "ҰЛТТЫҚ …" the
// issuing CA) but never equal to them, so a trust store holding the real NCA
// test roots cannot confuse the two.
func rootCN(f Family) string {
	return fmt.Sprintf("НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (%s) TEST QOLTANBA", familyLabel(f))
}

func issuingCN(f Family) string {
	return fmt.Sprintf("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (%s) TEST QOLTANBA", familyLabel(f))
}

func familyLabel(f Family) string {
	if f == FamilyGOST {
		return "GOST"
	}
	return "RSA"
}

// generator carries what every issuing step needs.
type generator struct {
	opts  Options
	throw *ecdsa.PrivateKey // draft-signing key for GOST certificates
}

// Generate builds the test PKI and, if opts.Dir is set, writes it there.
func Generate(opts Options) (*PKI, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	throw, err := ecdsa.GenerateKey(elliptic.P256(), opts.Rand)
	if err != nil {
		return nil, fmt.Errorf("generate draft key: %w", err)
	}
	g := &generator{opts: opts, throw: throw}
	p := &PKI{Options: opts, Roots: map[Family]*CA{}, CAs: map[Family]*CA{},
		OCSPResponders: map[Family]*Service{}, TSAs: map[Family]*Service{}}
	for _, f := range opts.Families {
		if err := g.family(p, f); err != nil {
			return nil, fmt.Errorf("testpki: %s family: %w", f, err)
		}
	}
	p.Manifest = buildManifest(p)
	if opts.Dir != "" {
		if err := write(p); err != nil {
			return nil, fmt.Errorf("testpki: write %s: %w", opts.Dir, err)
		}
	}
	return p, nil
}

// family builds one family's CAs, entities and CRLs.
func (g *generator) family(p *PKI, f Family) error {
	now := g.opts.Now
	root, err := g.newCA(f, "root_"+string(f)+"_test", rootCN(f), nil, now.Add(-5*365*day), now.Add(20*365*day))
	if err != nil {
		return fmt.Errorf("root CA: %w", err)
	}
	ca, err := g.newCA(f, "nca_"+string(f)+"_test", issuingCN(f), root, now.Add(-4*365*day), now.Add(10*365*day))
	if err != nil {
		return fmt.Errorf("issuing CA: %w", err)
	}
	p.Roots[f], p.CAs[f] = root, ca
	for _, spec := range entitySpecs {
		if !hasFamily(spec.families, f) {
			continue
		}
		e, err := g.newEntity(f, spec, ca)
		if err != nil {
			return fmt.Errorf("%s: %w", spec.name, err)
		}
		p.Entities = append(p.Entities, e)
	}
	if p.OCSPResponders[f], err = g.newService(f, "ocsp", ca); err != nil {
		return fmt.Errorf("OCSP responder: %w", err)
	}
	if p.TSAs[f], err = g.newService(f, "tsa", ca); err != nil {
		return fmt.Errorf("TSA: %w", err)
	}
	if err := g.signCRL(root, nil); err != nil {
		return fmt.Errorf("root CRL: %w", err)
	}
	var revoked []*Entity
	for _, e := range p.Entities {
		if e.Family == f && e.Revoked {
			revoked = append(revoked, e)
		}
	}
	if err := g.signCRL(ca, revoked); err != nil {
		return fmt.Errorf("issuing CA CRL: %w", err)
	}
	return nil
}

func hasFamily(list []Family, f Family) bool {
	for _, x := range list {
		if x == f {
			return true
		}
	}
	return false
}

// newKey generates a key of the family.
func (g *generator) newKey(f Family) (crypto.Signer, error) {
	if f == FamilyGOST {
		return gost.GenerateKey(gost.Curve512A(), g.opts.Rand)
	}
	return rsa.GenerateKey(g.opts.Rand, 2048)
}

// keyID is the usual subject key identifier: SHA-1 of the subjectPublicKey
// BIT STRING's bytes.
func keyID(pub crypto.PublicKey) ([]byte, error) {
	var spki []byte
	var err error
	if k, ok := pub.(*gost.PublicKey); ok {
		spki, err = gost.MarshalPKIXPublicKey(k)
	} else {
		spki, err = x509.MarshalPKIXPublicKey(pub)
	}
	if err != nil {
		return nil, fmt.Errorf("marshal public key: %w", err)
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	sum := sha1.Sum(info.PublicKey.Bytes)
	return sum[:], nil
}

// newCA creates a CA; issuer nil makes a self-signed root.
func (g *generator) newCA(f Family, name, cn string, issuer *CA, notBefore, notAfter time.Time) (*CA, error) {
	key, err := g.newKey(f)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	ski, err := keyID(key.Public())
	if err != nil {
		return nil, err
	}
	subject, err := caName(cn)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serialFromSKI(ski),
		RawSubject:            subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          ski,
	}
	ca := &CA{Name: name, Family: f, Key: key, Issuer: issuer}
	parent, parentKey := tmpl, key
	if issuer == nil {
		tmpl.AuthorityKeyId = ski
		tmpl.MaxPathLen = -1
	} else {
		tmpl.MaxPathLenZero = true
		if tmpl.Policies, err = policyNCA2022(); err != nil {
			return nil, err
		}
		tmpl.CRLDistributionPoints = []string{g.crlURL(issuer.Name)}
		tmpl.IssuingCertificateURL = []string{g.caURL(issuer.Name)}
		parent, parentKey = issuer.Cert, issuer.Key
	}
	ca.Cert, err = g.issue(tmpl, parent, key.Public(), parentKey)
	if err != nil {
		return nil, err
	}
	return ca, nil
}

// newEntity issues an end-entity key under ca.
func (g *generator) newEntity(f Family, spec entitySpec, ca *CA) (*Entity, error) {
	now := g.opts.Now
	key, err := g.newKey(f)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	ski, err := keyID(key.Public())
	if err != nil {
		return nil, err
	}
	subject, err := entityName(spec)
	if err != nil {
		return nil, err
	}
	notBefore, notAfter := now.Add(-day), now.Add(365*day)
	if spec.expired {
		notBefore, notAfter = now.Add(-2*365*day), now.Add(-365*day)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serialFromSKI(ski),
		RawSubject:            subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: false,
		SubjectKeyId:          ski,
		CRLDistributionPoints: []string{g.crlURL(ca.Name)},
		OCSPServer:            []string{g.opts.BaseURL + "/ocsp"},
		IssuingCertificateURL: []string{g.caURL(ca.Name)},
	}
	if tmpl.Policies, err = policyNCA2022(); err != nil {
		return nil, err
	}
	switch spec.purpose {
	case pki.PurposeAuth:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	default:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		if f == FamilyGOST {
			tmpl.KeyUsage |= x509.KeyUsageKeyAgreement
		}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	}
	for _, r := range spec.roles {
		tmpl.UnknownExtKeyUsage = append(tmpl.UnknownExtKeyUsage, pki.RoleOID(r))
	}
	cert, err := g.issue(tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, err
	}
	e := &Entity{
		Name:    string(f) + "/" + spec.name,
		Family:  f,
		Roles:   append([]pki.Role(nil), spec.roles...),
		Purpose: spec.purpose,
		Revoked: spec.revoked,
		Expired: spec.expired,
		Cert:    cert,
		Key:     key,
		Issuer:  ca,
	}
	if spec.person != nil {
		e.IIN = spec.person.iin
	}
	if spec.legal {
		e.BIN = orgBIN
	}
	if spec.revoked {
		e.RevokedAt = now.Add(-time.Hour)
	}
	return e, nil
}

// issue signs tmpl for pub with the issuer's key (parent is the issuer's
// certificate, or tmpl for a root).
func (g *generator) issue(tmpl, parent *x509.Certificate, pub crypto.PublicKey, issuerKey crypto.Signer) (*x509.Certificate, error) {
	if k, ok := issuerKey.(*gost.PrivateKey); ok {
		gpub, ok := pub.(*gost.PublicKey)
		if !ok {
			return nil, fmt.Errorf("GOST issuer for a %T key", pub)
		}
		return createGOSTCertificate(g.opts.Rand, tmpl, parent, gpub, gostSigner{key: k, throw: g.throw})
	}
	der, err := x509.CreateCertificate(g.opts.Rand, tmpl, parent, pub, issuerKey)
	if err != nil {
		return nil, fmt.Errorf("create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse issued certificate: %w", err)
	}
	return cert, nil
}

// signCRL issues ca's CRL listing revoked (reason keyCompromise).
func (g *generator) signCRL(ca *CA, revoked []*Entity) error {
	now := g.opts.Now
	tmpl := &x509.RevocationList{
		Number:     big.NewInt(1),
		ThisUpdate: now.Add(-time.Hour),
		NextUpdate: now.Add(7 * day),
	}
	for _, e := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{
			SerialNumber:   e.Cert.SerialNumber,
			RevocationTime: e.RevokedAt,
			ReasonCode:     1, // keyCompromise
		})
	}
	var der []byte
	var err error
	if k, ok := ca.Key.(*gost.PrivateKey); ok {
		der, err = createGOSTRevocationList(g.opts.Rand, tmpl, ca.Cert, gostSigner{key: k, throw: g.throw})
	} else {
		der, err = x509.CreateRevocationList(g.opts.Rand, tmpl, ca.Cert, ca.Key)
	}
	if err != nil {
		return fmt.Errorf("create CRL: %w", err)
	}
	crl, err := pki.ParseRevocationList(der)
	if err != nil {
		return fmt.Errorf("parse issued CRL: %w", err)
	}
	ca.CRL, ca.CRLDER = crl, der
	return nil
}

func (g *generator) crlURL(ca string) string { return g.opts.BaseURL + "/crl/" + ca + ".crl" }
func (g *generator) caURL(ca string) string  { return g.opts.BaseURL + "/ca/" + ca + ".cer" }
