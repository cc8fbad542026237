package rawsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// Errors callers act on; test with errors.Is.
var (
	// ErrUnsupportedKey: the key is not RSA, ECDSA or KZ GOST, or cannot
	// sign with the digest asked for (a GOST key with a foreign hash).
	ErrUnsupportedKey = errors.New("rawsig: unsupported key or digest")
	// ErrVerification: the signature does not verify.
	ErrVerification = errors.New("rawsig: signature does not verify")
)

// NaturalDigest returns the hash a key signs with when nothing else is
// asked: its curve's hash for GOST, SHA-256 for RSA and ECDSA.
func NaturalDigest(pub crypto.PublicKey) (*Digest, error) {
	switch k := pub.(type) {
	case *gost.PublicKey:
		return gostDigestFor(k)
	case *rsa.PublicKey, *ecdsa.PublicKey:
		return SHA256, nil
	}
	return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
}

// gostDigestFor returns the one hash a GOST key signs with.
func gostDigestFor(k *gost.PublicKey) (*Digest, error) {
	alg := gost.SignatureAlgorithmForCurve(k.Curve())
	if alg == nil {
		return nil, fmt.Errorf("%w: GOST curve %s", ErrUnsupportedKey, k.Curve().Name())
	}
	d, ok := DigestByOID(alg.DigestOID)
	if !ok {
		return nil, fmt.Errorf("%w: GOST digest %s", ErrUnsupportedKey, alg.DigestOID)
	}
	return d, nil
}

// SignatureName names the signature a key makes with d, as pki.Evidence
// reports it: "RSA-SHA256", "ECDSA-SHA384", "GOST34.10-2015-512",
// "GOST34.310-2004".
func SignatureName(pub crypto.PublicKey, d *Digest) string {
	switch k := pub.(type) {
	case *gost.PublicKey:
		if alg := gost.SignatureAlgorithmForCurve(k.Curve()); alg != nil {
			return alg.Name
		}
		return "GOST " + k.Curve().Name()
	case *rsa.PublicKey:
		return "RSA-" + shaSuffix(d)
	case *ecdsa.PublicKey:
		return "ECDSA-" + shaSuffix(d)
	}
	return fmt.Sprintf("%T", pub)
}

func shaSuffix(d *Digest) string {
	if d == nil {
		return "?"
	}
	switch d {
	case SHA1:
		return "SHA1"
	case SHA256:
		return "SHA256"
	case SHA384:
		return "SHA384"
	case SHA512:
		return "SHA512"
	}
	return d.Name
}

// checkPair refuses a digest the key cannot sign with.
func checkPair(pub crypto.PublicKey, d *Digest) error {
	if d == nil {
		return fmt.Errorf("%w: no digest", ErrUnsupportedKey)
	}
	switch k := pub.(type) {
	case *gost.PublicKey:
		want, err := gostDigestFor(k)
		if err != nil {
			return err
		}
		if want != d {
			return fmt.Errorf("%w: a %s key signs %s digests, not %s", ErrUnsupportedKey, SignatureName(k, nil), want.Name, d.Name)
		}
	case *rsa.PublicKey, *ecdsa.PublicKey:
		if d.GOST {
			return fmt.Errorf("%w: %T key with %s digest", ErrUnsupportedKey, pub, d.Name)
		}
	default:
		return fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
	return nil
}

// CertificateKey returns a certificate's public key: crypto/x509's for RSA
// and ECDSA, the parsed *gost.PublicKey for KZ GOST keys (which crypto/x509
// leaves nil).
func CertificateKey(cert *x509.Certificate) (crypto.PublicKey, error) {
	if cert == nil {
		return nil, fmt.Errorf("%w: no certificate", ErrUnsupportedKey)
	}
	if cert.PublicKey != nil {
		return cert.PublicKey, nil
	}
	pub, err := gost.PublicKeyFromCertificate(cert)
	if err != nil {
		return nil, fmt.Errorf("public key of %q: %w", cert.Subject.CommonName, err)
	}
	return pub, nil
}
