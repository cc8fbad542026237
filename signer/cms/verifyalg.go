package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/rawsig"
)

// checkSignatureAlgorithm accepts the signatureAlgorithm OIDs signers write
// for a key and digest: rsaEncryption or the matching shaNWithRSAEncryption;
// id-ecPublicKey or the matching ecdsa-with-SHAn; the KZ GOST signature OID
// of the key's curve (or, as some tools write, its public key OID).
func checkSignatureAlgorithm(oid asn1.ObjectIdentifier, pub crypto.PublicKey, d *rawsig.Digest) error {
	match := false
	switch k := pub.(type) {
	case *rsa.PublicKey:
		match = oid.Equal(oidRSAEncryption) ||
			d == rawsig.SHA1 && oid.Equal(oidSHA1WithRSA) || d == rawsig.SHA256 && oid.Equal(oidSHA256WithRSA) ||
			d == rawsig.SHA384 && oid.Equal(oidSHA384WithRSA) || d == rawsig.SHA512 && oid.Equal(oidSHA512WithRSA)
	case *ecdsa.PublicKey:
		match = oid.Equal(oidECPublicKey) ||
			d == rawsig.SHA1 && oid.Equal(oidECDSAWithSHA1) || d == rawsig.SHA256 && oid.Equal(oidECDSAWithSHA256) ||
			d == rawsig.SHA384 && oid.Equal(oidECDSAWithSHA384) || d == rawsig.SHA512 && oid.Equal(oidECDSAWithSHA512)
	case *gost.PublicKey:
		alg := gost.SignatureAlgorithmForCurve(k.Curve())
		match = alg != nil && alg.DigestOID.Equal(d.OID) && (alg.OID.Equal(oid) || gost.IsPublicKeyOID(oid))
	}
	if !match {
		return fmt.Errorf("signature algorithm %s does not fit a %s key with %s", oid, rawsig.SignatureName(pub, d), d.Name)
	}
	return nil
}

// gostByOID names a GOST signature OID.
func gostByOID(oid asn1.ObjectIdentifier) (string, bool) {
	if alg, ok := gost.SignatureAlgorithmByOID(oid); ok {
		return alg.Name, true
	}
	return "", false
}

// checkBinding checks the signingCertificateV2 (or v1) attribute against
// cert. It returns bound=true when an attribute names cert, and an error
// when one names another certificate. Without either attribute it returns
// false and no error.
func checkBinding(attrs []attr, cert *x509.Certificate) (bool, error) {
	if vals, n := find(attrs, oidSigningCertV2); n > 0 {
		if n != 1 || len(vals) != 1 {
			return false, errors.New("more than one signingCertificateV2")
		}
		return matchESSCertID(vals[0].FullBytes, cert, true)
	}
	if vals, n := find(attrs, oidSigningCertV1); n > 0 {
		if n != 1 || len(vals) != 1 {
			return false, errors.New("more than one signingCertificate")
		}
		return matchESSCertID(vals[0].FullBytes, cert, false)
	}
	return false, nil
}

// matchESSCertID checks the first ESSCertID(v2) of a SigningCertificate(V2)
// value, which names the signer's certificate (RFC 2634 5.4, RFC 5035).
func matchESSCertID(value []byte, cert *x509.Certificate, v2 bool) (bool, error) {
	name := "signingCertificate"
	if v2 {
		name = "signingCertificateV2"
	}
	bad := fmt.Errorf("%s is malformed", name)
	var sc struct {
		Certs    asn1.RawValue
		Policies asn1.RawValue `asn1:"optional"`
	}
	if rest, err := asn1.Unmarshal(value, &sc); err != nil || len(rest) > 0 {
		return false, bad
	}
	ids, err := elements(sc.Certs.Bytes, maxCerts)
	if err != nil || len(ids) == 0 {
		return false, bad
	}
	var id asn1.RawValue
	if _, err := asn1.Unmarshal(ids[0], &id); err != nil {
		return false, bad
	}
	fields, err := elements(id.Bytes, 3)
	if err != nil || len(fields) == 0 {
		return false, bad
	}
	d := rawsig.SHA1
	if v2 {
		d = rawsig.SHA256
		if fields[0][0] == tagSequence { // hashAlgorithm present
			var ai struct {
				OID  asn1.ObjectIdentifier
				Rest asn1.RawValue `asn1:"optional"`
			}
			if _, err := asn1.Unmarshal(fields[0], &ai); err != nil {
				return false, bad
			}
			var ok bool
			if d, ok = rawsig.DigestByOID(ai.OID); !ok {
				return false, fmt.Errorf("%s uses unsupported hash %s", name, ai.OID)
			}
			fields = fields[1:]
		}
	}
	if len(fields) == 0 {
		return false, bad
	}
	var certHash []byte
	if _, err := asn1.Unmarshal(fields[0], &certHash); err != nil {
		return false, bad
	}
	var sum []byte
	if v2 {
		sum = d.Sum(cert.Raw)
	} else {
		s := sha1.Sum(cert.Raw)
		sum = s[:]
	}
	if !bytes.Equal(certHash, sum) {
		return false, fmt.Errorf("%s names another certificate than %q", name, cert.Subject.CommonName)
	}
	if len(fields) > 1 {
		if err := matchIssuerSerial(fields[1], cert); err != nil {
			return false, fmt.Errorf("%s: %w", name, err)
		}
	}
	return true, nil
}

// matchIssuerSerial checks IssuerSerial ::= SEQUENCE { issuer GeneralNames,
// serialNumber }: a directoryName must be cert's issuer.
func matchIssuerSerial(der []byte, cert *x509.Certificate) error {
	var is struct {
		Issuer asn1.RawValue
		Serial *big.Int
	}
	if rest, err := asn1.Unmarshal(der, &is); err != nil || len(rest) > 0 || is.Serial == nil {
		return errors.New("issuerSerial is malformed")
	}
	if is.Serial.Cmp(cert.SerialNumber) != 0 {
		return errors.New("issuerSerial names another serial number")
	}
	names, err := elements(is.Issuer.Bytes, 16)
	if err != nil {
		return errors.New("issuerSerial is malformed")
	}
	for _, n := range names {
		var gn asn1.RawValue
		if _, err := asn1.Unmarshal(n, &gn); err == nil && gn.Class == asn1.ClassContextSpecific && gn.Tag == 4 {
			if bytes.Equal(gn.Bytes, cert.RawIssuer) {
				return nil
			}
		}
	}
	return errors.New("issuerSerial names another issuer")
}
