package testpki

import (
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// gostSigner is what GOST certificates and CRLs need from the issuer: its key,
// and a throw-away ECDSA key crypto/x509 signs the draft TBS with.
type gostSigner struct {
	key   *gost.PrivateKey
	throw *ecdsa.PrivateKey
}

// algorithm returns the DER signature AlgorithmIdentifier and a new hash for
// the issuer's curve.
func (g gostSigner) algorithm() ([]byte, hash.Hash, error) {
	alg := gost.SignatureAlgorithmForCurve(g.key.PublicKey().Curve())
	if alg == nil {
		return nil, nil, fmt.Errorf("testpki: no signature algorithm for curve %s", g.key.PublicKey().Curve().Name())
	}
	der, err := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: alg.OID, Parameters: asn1.NullRawValue})
	if err != nil {
		return nil, nil, fmt.Errorf("marshal signature algorithm: %w", err)
	}
	return der, alg.NewHash(), nil
}

// createGOSTCertificate issues tmpl for pub, signed by the GOST issuer key.
// parent is the issuer's certificate, or tmpl itself for a self-signed root.
func createGOSTCertificate(rand io.Reader, tmpl, parent *x509.Certificate, pub *gost.PublicKey, issuer gostSigner) (*x509.Certificate, error) {
	spki, err := gost.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("marshal GOST public key: %w", err)
	}
	// crypto/x509 refuses a parent whose public key differs from the signing
	// key; the draft is signed with the throw-away key, so hide the parent's.
	p := *parent
	p.PublicKey = nil
	draft, err := x509.CreateCertificate(rand, tmpl, &p, &issuer.throw.PublicKey, issuer.throw)
	if err != nil {
		return nil, fmt.Errorf("draft certificate: %w", err)
	}
	algID, h, err := issuer.algorithm()
	if err != nil {
		return nil, err
	}
	// TBSCertificate: version [0], serial, signature, issuer, validity,
	// subject, subjectPublicKeyInfo, extensions [3].
	der, err := resign(rand, draft, map[int][]byte{2: algID, 6: spki}, algID, h, issuer.key)
	if err != nil {
		return nil, fmt.Errorf("sign certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse issued certificate: %w", err)
	}
	return cert, nil
}

// createGOSTRevocationList issues a CRL signed by the GOST issuer key.
func createGOSTRevocationList(rand io.Reader, tmpl *x509.RevocationList, issuerCert *x509.Certificate, issuer gostSigner) ([]byte, error) {
	draft, err := x509.CreateRevocationList(rand, tmpl, issuerCert, issuer.throw)
	if err != nil {
		return nil, fmt.Errorf("draft CRL: %w", err)
	}
	algID, h, err := issuer.algorithm()
	if err != nil {
		return nil, err
	}
	// TBSCertList: version, signature, issuer, thisUpdate, nextUpdate,
	// revokedCertificates, crlExtensions [0].
	der, err := resign(rand, draft, map[int][]byte{1: algID}, algID, h, issuer.key)
	if err != nil {
		return nil, fmt.Errorf("sign CRL: %w", err)
	}
	return der, nil
}

// resign takes signed DER (a certificate or CRL), replaces the TBS's
// top-level fields at the given indices, and signs the new TBS with key
// (hashing it with h), writing algID as the outer signature algorithm.
func resign(rand io.Reader, draft []byte, replace map[int][]byte, algID []byte, h hash.Hash, key *gost.PrivateKey) ([]byte, error) {
	var outer struct {
		TBS       asn1.RawValue
		Algorithm asn1.RawValue
		Signature asn1.BitString
	}
	if _, err := asn1.Unmarshal(draft, &outer); err != nil {
		return nil, fmt.Errorf("parse draft: %w", err)
	}
	var fields [][]byte
	for rest := outer.TBS.Bytes; len(rest) > 0; {
		var f asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &f); err != nil {
			return nil, fmt.Errorf("parse draft TBS: %w", err)
		}
		fields = append(fields, f.FullBytes)
	}
	for i, v := range replace {
		if i >= len(fields) {
			return nil, errors.New("draft TBS too short")
		}
		fields[i] = v
	}
	tbs, err := sequence(fields...)
	if err != nil {
		return nil, err
	}
	h.Write(tbs)
	sig, err := key.Sign(rand, h.Sum(nil), nil)
	if err != nil {
		return nil, fmt.Errorf("GOST sign: %w", err)
	}
	sigBits, err := asn1.Marshal(asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)})
	if err != nil {
		return nil, fmt.Errorf("marshal signature: %w", err)
	}
	return sequence(tbs, algID, sigBits)
}

// sequence wraps DER elements in a SEQUENCE.
func sequence(elems ...[]byte) ([]byte, error) {
	var body []byte
	for _, e := range elems {
		body = append(body, e...)
	}
	der, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	if err != nil {
		return nil, fmt.Errorf("marshal sequence: %w", err)
	}
	return der, nil
}

// serialFromSKI makes a serial number the way NCA does: the subject key
// identifier with its top bit cleared, so it is positive.
func serialFromSKI(ski []byte) *big.Int {
	b := append([]byte(nil), ski...)
	b[0] &= 0x7f
	return new(big.Int).SetBytes(b)
}
