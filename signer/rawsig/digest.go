// Package rawsig makes and checks bare signatures, the form the NCALayer
// bridge returns for "raw" signing requests and the building block the CMS
// code signs with: GOST r‖s (each little-endian, as NCA writes them), RSA
// PKCS#1 v1.5, ECDSA as a DER SEQUENCE of r and s.
//
// Each key has a natural hash: Streebog-512 for GOST 34.10-2015-512,
// Streebog-256 for 2015-256, GOST 34.311-95 (34.11-94 with the test S-box)
// for 34.310-2004, and SHA-256 for RSA and ECDSA. Sign and Verify use it;
// SignDigest and VerifyDigest take a digest made with any Digest the key
// can sign (RSA and ECDSA: SHA-1 and SHA-2; GOST: only its curve's hash).
package rawsig

import (
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"hash"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// Digest is a hash function with the names and OID formats need.
type Digest struct {
	// Name as pki.Evidence reports it: "SHA-256", "GOST34.11-2015-512", …
	Name string
	// OID is the digest algorithm's identifier in CMS and TSA requests.
	OID asn1.ObjectIdentifier
	// Hash is the crypto.Hash for SHA digests, 0 for GOST ones.
	Hash crypto.Hash
	// New returns a fresh hash.
	New func() hash.Hash
	// Size is the output length in bytes.
	Size int
	// Weak marks digests no longer fit for new signatures (SHA-1):
	// verifiers accept them with a warning, signers refuse them.
	Weak bool
	// GOST reports a KZ GOST hash, whose AlgorithmIdentifier carries NULL
	// parameters (SHA AlgorithmIdentifiers carry NULL too, as Kalkan and
	// Bouncy Castle write them).
	GOST bool
}

// The digests this package knows.
var (
	SHA1   = &Digest{Name: "SHA-1", OID: asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, Hash: crypto.SHA1, New: sha1.New, Size: 20, Weak: true}
	SHA256 = &Digest{Name: "SHA-256", OID: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, Hash: crypto.SHA256, New: sha256.New, Size: 32}
	SHA384 = &Digest{Name: "SHA-384", OID: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, Hash: crypto.SHA384, New: sha512.New384, Size: 48}
	SHA512 = &Digest{Name: "SHA-512", OID: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, Hash: crypto.SHA512, New: sha512.New, Size: 64}

	GOST2015_512 = gostDigest("GOST34.11-2015-512", gost.OIDSignature2015_512, 64)
	GOST2015_256 = gostDigest("GOST34.11-2015-256", gost.OIDSignature2015_256, 32)
	GOST34311    = gostDigest("GOST34.311-95", gost.OIDSignature2004, 32)
)

var digests = []*Digest{SHA1, SHA256, SHA384, SHA512, GOST2015_512, GOST2015_256, GOST34311}

// gostDigest takes the hash of a GOST signature algorithm from signer/gost.
func gostDigest(name string, sigOID asn1.ObjectIdentifier, size int) *Digest {
	alg, ok := gost.SignatureAlgorithmByOID(sigOID)
	if !ok {
		panic("rawsig: signer/gost lacks " + name) // a programming error, caught by every test run
	}
	return &Digest{Name: name, OID: alg.DigestOID, New: alg.NewHash, Size: size, GOST: true}
}

// DigestByOID returns the digest an AlgorithmIdentifier's OID names.
func DigestByOID(oid asn1.ObjectIdentifier) (*Digest, bool) {
	for _, d := range digests {
		if d.OID.Equal(oid) {
			return d, true
		}
	}
	return nil, false
}

// Sum hashes data with d.
func (d *Digest) Sum(data []byte) []byte {
	h := d.New()
	h.Write(data)
	return h.Sum(nil)
}
