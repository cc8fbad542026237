package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// Signature algorithm OIDs VerifySignature knows besides the GOST ones.
var (
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidEd25519         = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// VerifySignature checks sig over signed with pub, for the signature
// algorithm sigAlg (an AlgorithmIdentifier's OID that names both the hash
// and the signature: sha256WithRSAEncryption, ecdsa-with-SHA256, Ed25519,
// and the KZ GOST 34.10-2015 and 34.310-2004 ones). pub is an *rsa.PublicKey,
// *ecdsa.PublicKey, ed25519.PublicKey or *gost.PublicKey. GOST signatures are
// r‖s little-endian over the curve's hash of signed, as NCA writes them.
// SHA-1 and MD5 signatures and RSA-PSS (whose parameters an OID alone does
// not give) are refused with ErrUnsupportedSignatureAlgorithm.
func VerifySignature(pub crypto.PublicKey, sigAlg asn1.ObjectIdentifier, signed, sig []byte) error {
	if isGOSTSignature(sigAlg) {
		return verifyGOST(pub, sigAlg, signed, sig)
	}
	var hash crypto.Hash
	switch {
	case sigAlg.Equal(oidSHA256WithRSA), sigAlg.Equal(oidECDSAWithSHA256):
		hash = crypto.SHA256
	case sigAlg.Equal(oidSHA384WithRSA), sigAlg.Equal(oidECDSAWithSHA384):
		hash = crypto.SHA384
	case sigAlg.Equal(oidSHA512WithRSA), sigAlg.Equal(oidECDSAWithSHA512):
		hash = crypto.SHA512
	case sigAlg.Equal(oidEd25519):
		key, ok := pub.(ed25519.PublicKey)
		if !ok {
			return fmt.Errorf("%w: %T key for Ed25519 signature", ErrSignatureInvalid, pub)
		}
		if !ed25519.Verify(key, signed, sig) {
			return fmt.Errorf("%w: Ed25519 verification failed", ErrSignatureInvalid)
		}
		return nil
	default:
		return fmt.Errorf("%w %s", ErrUnsupportedSignatureAlgorithm, sigAlg)
	}
	h := hash.New()
	h.Write(signed)
	digest := h.Sum(nil)
	rsaAlg := sigAlg.Equal(oidSHA256WithRSA) || sigAlg.Equal(oidSHA384WithRSA) || sigAlg.Equal(oidSHA512WithRSA)
	switch key := pub.(type) {
	case *rsa.PublicKey:
		if !rsaAlg {
			return fmt.Errorf("%w: RSA key for %s signature", ErrSignatureInvalid, sigAlg)
		}
		if err := rsa.VerifyPKCS1v15(key, hash, digest, sig); err != nil {
			return fmt.Errorf("%w: %w", ErrSignatureInvalid, err)
		}
	case *ecdsa.PublicKey:
		if rsaAlg {
			return fmt.Errorf("%w: ECDSA key for %s signature", ErrSignatureInvalid, sigAlg)
		}
		if !ecdsa.VerifyASN1(key, digest, sig) {
			return fmt.Errorf("%w: ECDSA verification failed", ErrSignatureInvalid)
		}
	default:
		return fmt.Errorf("%w: %T key for %s signature", ErrSignatureInvalid, pub, sigAlg)
	}
	return nil
}

// CheckSignatureFrom checks that parent signed child. Like crypto/x509's
// method of the same name it first requires parent to be a CA allowed to
// sign certificates (ErrIssuerNotCA); it does not compare names or validity.
// RSA, ECDSA and Ed25519 signatures are checked by crypto/x509, GOST ones by
// VerifySignature with the parent's GOST public key.
func CheckSignatureFrom(child, parent *x509.Certificate) error {
	if child == nil || parent == nil {
		return fmt.Errorf("check certificate signature: %w: nil certificate", ErrMalformed)
	}
	if err := checkIssuer(parent, x509.KeyUsageCertSign); err != nil {
		return fmt.Errorf("check signature of %q: %w", child.Subject.CommonName, err)
	}
	if err := checkSigned(child.Raw, child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature, parent); err != nil {
		return fmt.Errorf("check signature of %q by %q: %w", child.Subject.CommonName, parent.Subject.CommonName, err)
	}
	return nil
}

// CheckCRLSignatureFrom checks that issuer signed crl; issuer must be a CA
// allowed to sign CRLs. Parse NCA's GOST CRLs with ParseRevocationList.
func CheckCRLSignatureFrom(crl *x509.RevocationList, issuer *x509.Certificate) error {
	if crl == nil || issuer == nil {
		return fmt.Errorf("check CRL signature: %w: nil CRL or issuer", ErrMalformed)
	}
	if err := checkIssuer(issuer, x509.KeyUsageCRLSign); err != nil {
		return fmt.Errorf("check CRL signature: %w", err)
	}
	if err := checkSigned(crl.Raw, crl.SignatureAlgorithm, crl.RawTBSRevocationList, crl.Signature, issuer); err != nil {
		return fmt.Errorf("check CRL signature by %q: %w", issuer.Subject.CommonName, err)
	}
	return nil
}

// checkIssuer applies crypto/x509's rules for a signing CA: a v3 certificate
// must carry basic constraints with CA set, and a key usage, if present,
// must include usage.
func checkIssuer(issuer *x509.Certificate, usage x509.KeyUsage) error {
	if issuer.Version == 3 && !issuer.BasicConstraintsValid || issuer.BasicConstraintsValid && !issuer.IsCA {
		return fmt.Errorf("%w: %q is not a CA", ErrIssuerNotCA, issuer.Subject.CommonName)
	}
	if issuer.KeyUsage != 0 && issuer.KeyUsage&usage == 0 {
		return fmt.Errorf("%w: key usage of %q lacks %s", ErrIssuerNotCA, issuer.Subject.CommonName, usageName(usage))
	}
	return nil
}

func usageName(u x509.KeyUsage) string {
	if u == x509.KeyUsageCRLSign {
		return "cRLSign"
	}
	return "keyCertSign"
}

// checkSigned verifies signed data (raw is the whole DER, to read the
// algorithm OID crypto/x509 did not name) with the issuer's key.
func checkSigned(raw []byte, alg x509.SignatureAlgorithm, tbs, sig []byte, issuer *x509.Certificate) error {
	key := verifiedKey(raw, alg, tbs, sig, issuer)
	if verified.has(key) {
		return nil
	}
	err := checkSignedOnce(raw, alg, tbs, sig, issuer)
	if err == nil {
		verified.add(key)
	}
	return err
}

// verified remembers the certificate and CRL signatures already checked:
// the same intermediate and root certificates come with every signature a
// portal or the desktop verifies, and a GOST verification costs a
// millisecond. Only successes are kept, keyed by the exact DER and the
// exact issuer key, so a hit proves what a new check would.
var verified = &verifiedSet{m: map[[32]byte]struct{}{}}

const maxVerified = 8192

type verifiedSet struct {
	mu sync.Mutex
	m  map[[32]byte]struct{}
}

// verifiedKey covers everything the check reads: the DER (the outer
// algorithm of GOST comes from it), the signed part, the signature, the
// algorithm and the issuer's key, each with its length.
func verifiedKey(raw []byte, alg x509.SignatureAlgorithm, tbs, sig []byte, issuer *x509.Certificate) [32]byte {
	h := sha256.New()
	for _, b := range [][]byte{raw, tbs, sig, issuer.RawSubjectPublicKeyInfo} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	h.Write([]byte{byte(alg >> 8), byte(alg)})
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (v *verifiedSet) has(k [32]byte) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, ok := v.m[k]
	return ok
}

func (v *verifiedSet) add(k [32]byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.m) >= maxVerified {
		clear(v.m)
	}
	v.m[k] = struct{}{}
}

func checkSignedOnce(raw []byte, alg x509.SignatureAlgorithm, tbs, sig []byte, issuer *x509.Certificate) error {
	if alg != x509.UnknownSignatureAlgorithm {
		if issuer.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm {
			// A GOST issuer key cannot have made an RSA or ECDSA signature.
			return fmt.Errorf("%w: %s signature, but the issuer key is %s", ErrSignatureInvalid, alg, KeyAlgorithm(issuer))
		}
		err := issuer.CheckSignature(alg, tbs, sig)
		var insecure x509.InsecureAlgorithmError
		switch {
		case err == nil:
			return nil
		case errors.Is(err, x509.ErrUnsupportedAlgorithm), errors.As(err, &insecure):
			return fmt.Errorf("%w %s: %w", ErrUnsupportedSignatureAlgorithm, alg, err)
		default:
			return fmt.Errorf("%w: %w", ErrSignatureInvalid, err)
		}
	}
	oid, err := outerSignatureAlgorithm(raw)
	if err != nil {
		return err
	}
	pub, err := issuerPublicKey(issuer)
	if err != nil {
		return err
	}
	return VerifySignature(pub, oid, tbs, sig)
}
