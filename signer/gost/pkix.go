package gost

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// The encodings of GOST keys in X.509 and PKCS#8, as NCA RK writes them.
//
// SubjectPublicKeyInfo (RFC 4491 form, checked on the NCA test certificates):
//
//	SEQUENCE {
//	  SEQUENCE { OID key algorithm, SEQUENCE { OID paramSet, OID digest } }
//	  BIT STRING { OCTET STRING { x‖y, each little-endian } }
//	}
//
// For 34.310-2004 keys the parameters are SEQUENCE { OID paramSet, OID hash
// paramSet } (kz-pki.md; no 2004 test file was available to check them).
//
// PKCS#8 PrivateKeyInfo, found by decrypting the key bags of the NCA test
// files (gost2015/*.p12, all twelve alike):
//
//	SEQUENCE {
//	  INTEGER 0
//	  SEQUENCE { OID 1.2.398.3.10.1.1.2.2, SEQUENCE { OID …2.2.1, OID 1.2.398.3.10.1.3.3 } }
//	  OCTET STRING (66 bytes) { OCTET STRING (64 bytes) { d, little-endian } }
//	}
//
// that is, the same AlgorithmIdentifier as the certificate's and the scalar
// in an OCTET STRING nested in privateKey, as RFC 4491 does for CryptoPro.
// For 34.310-2004 keys privateKey holds a DER INTEGER with the scalar
// big-endian (reported by kz-pki.md; not checked: no 2004 file was
// available). The parser accepts either form for any curve, and nothing
// else: a bare scalar would be ambiguous with a DER INTEGER or OCTET STRING
// of the same length.

// IsPublicKeyOID reports whether oid is one of the KZ GOST public key
// algorithms this package implements.
func IsPublicKeyOID(oid asn1.ObjectIdentifier) bool {
	_, _, ok := curveForKeyOID(oid)
	return ok
}

// curveForKeyOID returns the curve and the parameter-set OID of a key OID.
func curveForKeyOID(oid asn1.ObjectIdentifier) (*Curve, asn1.ObjectIdentifier, bool) {
	switch {
	case oid.Equal(OIDPublicKey2015_512):
		return Curve512A(), OIDParamSet2015_512A, true
	case oid.Equal(OIDPublicKey2015_256):
		return Curve256A(), OIDParamSet2015_256A, true
	case oid.Equal(OIDPublicKey2004):
		return CurveCryptoProA(), OIDParamSet2004, true
	}
	return nil, nil, false
}

// keyAlgorithm returns the key OID and AlgorithmIdentifier parameters of c.
func keyAlgorithm(c *Curve) (pkix.AlgorithmIdentifier, error) {
	var oid, p1, p2 asn1.ObjectIdentifier
	switch c {
	case Curve512A():
		oid, p1, p2 = OIDPublicKey2015_512, OIDParamSet2015_512A, OIDDigest2015_512
	case Curve256A():
		oid, p1, p2 = OIDPublicKey2015_256, OIDParamSet2015_256A, OIDDigest2015_256
	case CurveCryptoProA():
		oid, p1, p2 = OIDPublicKey2004, OIDParamSet2004, OIDHashParamSet2004
	default:
		return pkix.AlgorithmIdentifier{}, errors.New("gost: unknown curve")
	}
	params, err := asn1.Marshal([]asn1.ObjectIdentifier{p1, p2})
	if err != nil {
		return pkix.AlgorithmIdentifier{}, fmt.Errorf("gost: marshal key parameters: %w", err)
	}
	return pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.RawValue{FullBytes: params}}, nil
}

// curveFromAlgorithm checks an AlgorithmIdentifier of a GOST key and returns
// its curve. Absent or NULL parameters fall back to the key OID's only curve;
// a parameter set that does not belong to the key OID is refused.
func curveFromAlgorithm(ai pkix.AlgorithmIdentifier) (*Curve, error) {
	c, paramSet, ok := curveForKeyOID(ai.Algorithm)
	if !ok {
		return nil, &UnsupportedAlgorithmError{OID: ai.Algorithm, Use: "public key algorithm"}
	}
	raw := ai.Parameters.FullBytes
	if len(raw) == 0 || (len(raw) == 2 && raw[0] == asn1.TagNull && raw[1] == 0) {
		return c, nil
	}
	var params []asn1.ObjectIdentifier
	rest, err := asn1.Unmarshal(raw, &params)
	if err != nil || len(rest) != 0 || len(params) == 0 {
		return nil, fmt.Errorf("gost: malformed %s key parameters", ai.Algorithm)
	}
	if !params[0].Equal(paramSet) {
		return nil, &UnsupportedAlgorithmError{OID: params[0], Use: "curve parameter set"}
	}
	return c, nil
}

type subjectPublicKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// ParsePKIXPublicKey parses a DER SubjectPublicKeyInfo holding a KZ GOST key
// and validates the point.
func ParsePKIXPublicKey(spkiDER []byte) (*PublicKey, error) {
	var spki subjectPublicKeyInfo
	rest, err := asn1.Unmarshal(spkiDER, &spki)
	if err != nil {
		return nil, fmt.Errorf("gost: parse SubjectPublicKeyInfo: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gost: trailing data after SubjectPublicKeyInfo")
	}
	c, err := curveFromAlgorithm(spki.Algorithm)
	if err != nil {
		return nil, err
	}
	if spki.PublicKey.BitLength%8 != 0 {
		return nil, errors.New("gost: public key BIT STRING is not whole bytes")
	}
	var xy []byte
	rest, err = asn1.Unmarshal(spki.PublicKey.Bytes, &xy)
	if err != nil || len(rest) != 0 {
		return nil, errors.New("gost: public key is not an OCTET STRING")
	}
	if len(xy) != 2*c.Size() {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidPublicKey, len(xy), 2*c.Size())
	}
	pub, err := NewPublicKey(c, xy)
	if err != nil {
		return nil, fmt.Errorf("gost: %s public key: %w", c.Name(), err)
	}
	return pub, nil
}

// MarshalPKIXPublicKey encodes pub as a DER SubjectPublicKeyInfo in the NCA
// form.
func MarshalPKIXPublicKey(pub *PublicKey) ([]byte, error) {
	if pub == nil || pub.curve == nil {
		return nil, errors.New("gost: nil public key")
	}
	ai, err := keyAlgorithm(pub.curve)
	if err != nil {
		return nil, err
	}
	inner, err := asn1.Marshal(pub.xy)
	if err != nil {
		return nil, fmt.Errorf("gost: marshal public key: %w", err)
	}
	return asn1.Marshal(subjectPublicKeyInfo{
		Algorithm: ai,
		PublicKey: asn1.BitString{Bytes: inner, BitLength: 8 * len(inner)},
	})
}

// PublicKeyFromCertificate returns the GOST public key of cert. crypto/x509
// leaves GOST keys as UnknownPublicKeyAlgorithm, so the raw
// SubjectPublicKeyInfo is parsed here.
func PublicKeyFromCertificate(cert *x509.Certificate) (*PublicKey, error) {
	if cert == nil {
		return nil, errors.New("gost: nil certificate")
	}
	return ParsePKIXPublicKey(cert.RawSubjectPublicKeyInfo)
}

type privateKeyInfo struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue `asn1:"optional,tag:0"`
}

// ParsePKCS8PrivateKey parses a DER PKCS#8 PrivateKeyInfo holding a KZ GOST
// key (see the layout above) and computes its public key. Buffers that held
// the scalar are zeroed before returning.
func ParsePKCS8PrivateKey(der []byte) (*PrivateKey, error) {
	var pki privateKeyInfo
	rest, err := asn1.Unmarshal(der, &pki)
	defer func() { clear(pki.PrivateKey) }() // encoding/asn1 copied the scalar
	if err != nil {
		return nil, fmt.Errorf("gost: parse PKCS#8: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("gost: trailing data after PKCS#8")
	}
	if pki.Version != 0 {
		return nil, fmt.Errorf("gost: PKCS#8 version %d", pki.Version)
	}
	c, err := curveFromAlgorithm(pki.Algorithm)
	if err != nil {
		return nil, err
	}
	d, err := scalarFromPKCS8(pki.PrivateKey, c.Size())
	defer clear(d)
	if err != nil {
		return nil, err
	}
	k, err := NewPrivateKey(c, d)
	if err != nil {
		return nil, fmt.Errorf("gost: %s private key: %w", c.Name(), err)
	}
	return k, nil
}

// scalarFromPKCS8 returns the little-endian scalar held by a privateKey
// OCTET STRING's contents: a DER OCTET STRING of little-endian bytes (NCA
// 2015, RFC 4491) or a DER INTEGER (big-endian, NCA 2004). The result is a
// fresh buffer the caller must zero.
func scalarFromPKCS8(b []byte, size int) ([]byte, error) {
	switch {
	case len(b) >= 2 && b[0] == asn1.TagInteger:
		var raw asn1.RawValue
		rest, err := asn1.Unmarshal(b, &raw)
		if err != nil || len(rest) != 0 || raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagInteger || raw.IsCompound {
			return nil, errors.New("gost: malformed private key INTEGER")
		}
		v := raw.Bytes
		if len(v) > 0 && v[0]&0x80 != 0 {
			return nil, fmt.Errorf("%w: negative scalar", ErrInvalidPrivateKey)
		}
		for len(v) > 0 && v[0] == 0 {
			v = v[1:]
		}
		if len(v) > size {
			return nil, fmt.Errorf("%w: scalar of %d bytes", ErrInvalidPrivateKey, len(v))
		}
		d := make([]byte, size)
		for i, c := range v {
			d[len(v)-1-i] = c
		}
		return d, nil
	case len(b) >= 2 && b[0] == asn1.TagOctetString:
		var raw asn1.RawValue
		rest, err := asn1.Unmarshal(b, &raw)
		if err != nil || len(rest) != 0 || raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagOctetString || raw.IsCompound {
			return nil, errors.New("gost: malformed private key OCTET STRING")
		}
		if len(raw.Bytes) != size {
			return nil, fmt.Errorf("%w: scalar of %d bytes, want %d", ErrInvalidPrivateKey, len(raw.Bytes), size)
		}
		return append([]byte(nil), raw.Bytes...), nil
	}
	return nil, fmt.Errorf("%w: privateKey holds neither an OCTET STRING nor an INTEGER", ErrInvalidPrivateKey)
}

// MarshalPKCS8PrivateKey encodes key as a DER PKCS#8 PrivateKeyInfo in the
// NCA layout, so that NCA's own tools can read the files this project
// writes: a 2015 key as an OCTET STRING of its little-endian scalar, a 2004
// key as a big-endian INTEGER. The caller should zero the result when done.
func MarshalPKCS8PrivateKey(key *PrivateKey) ([]byte, error) {
	if key == nil || key.pub == nil {
		return nil, errors.New("gost: nil private key")
	}
	c := key.pub.curve
	ai, err := keyAlgorithm(c)
	if err != nil {
		return nil, err
	}
	var body []byte
	if c == CurveCryptoProA() {
		be := make([]byte, len(key.d)+1) // leading zero keeps the INTEGER positive
		for i, b := range key.d {
			be[len(be)-1-i] = b
		}
		body = minimalInteger(be)
		defer clear(be)
	} else {
		body = make([]byte, 0, 2+len(key.d))
		body = append(body, asn1.TagOctetString, byte(len(key.d)))
		body = append(body, key.d...)
	}
	defer clear(body)
	return asn1.Marshal(privateKeyInfo{Version: 0, Algorithm: ai, PrivateKey: body})
}

// minimalInteger wraps a big-endian non-negative value with a leading zero
// byte in a minimal DER INTEGER.
func minimalInteger(be []byte) []byte {
	for len(be) > 1 && be[0] == 0 && be[1]&0x80 == 0 {
		be = be[1:]
	}
	out := make([]byte, 0, len(be)+4)
	out = append(out, asn1.TagInteger)
	if len(be) < 0x80 {
		out = append(out, byte(len(be)))
	} else {
		out = append(out, 0x81, byte(len(be)))
	}
	return append(out, be...)
}
