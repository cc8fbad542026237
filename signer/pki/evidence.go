package pki

import (
	"crypto/x509"
	"time"
)

// Evidence is what a format's verifier (signer/xmldsig, signer/cms, raw
// signatures) establishes about one signature by itself, before trust and
// revocation are judged. The report layer (Verifier in this package) turns a
// list of Evidence into a Report with one indication per signature.
//
// Formats fill what they know and leave the rest zero; they never decide
// trust, revocation or the final indication.
type Evidence struct {
	// Format is "xmldsig", "cms" or "raw"; Index is the signature's position
	// in the signed object (0-based, in document or SignerInfo order).
	Format string `json:"format"`
	Index  int    `json:"index"`

	// Scope says in words what the signature covers, for people:
	// "whole document", "element Id=\"doc1\"", "attached content",
	// "detached data", "digest only". ScopeDigest is the digest of exactly
	// those bytes, with DigestAlgorithm naming its function ("SHA-256",
	// "GOST34.11-2015-512", "GOST34.311-95").
	Scope           string `json:"scope"`
	DigestAlgorithm string `json:"digestAlgorithm"`
	ScopeDigest     []byte `json:"scopeDigest,omitempty"`
	// SignatureAlgorithm is e.g. "RSA-SHA256", "ECDSA-SHA256",
	// "GOST34.10-2015-512", "GOST34.310-2004".
	SignatureAlgorithm string `json:"signatureAlgorithm"`

	// DigestValid: the referenced data hashes to what the signature claims
	// (XML Reference DigestValue, CMS messageDigest). SignatureValid: the
	// signature value verifies under Certificate's key over the signed bytes
	// (SignedInfo, signed attributes). CryptoError says why either failed.
	DigestValid    bool   `json:"digestValid"`
	SignatureValid bool   `json:"signatureValid"`
	CryptoError    string `json:"cryptoError,omitempty"`

	// Certificate is the signer's certificate (nil if it could not be found);
	// Certificates are all certificates the signed object carries, for chain
	// building. SigningCertificateBound reports that a signed attribute binds
	// the certificate (CMS signingCertificate v1/v2, XAdES); false when the
	// format has no such binding.
	Certificate             *x509.Certificate   `json:"-"`
	Certificates            []*x509.Certificate `json:"-"`
	SigningCertificateBound bool                `json:"signingCertificateBound"`

	// ClaimedTime is the signer's own claim (CMS signingTime); zero if none.
	ClaimedTime time.Time `json:"claimedTime,omitzero"`
	// Timestamps are RFC 3161 tokens over this signature (CAdES-T).
	Timestamps []TimestampEvidence `json:"timestamps,omitempty"`

	// Warnings are facts a careful reader must know that do not by
	// themselves fail the signature, e.g. "SHA-1 digest is weak".
	Warnings []string `json:"warnings,omitempty"`
	// Unverified names parts of the input that were not verified at all
	// (a second PEM block, data after the signature): the report says so
	// and is not fully valid.
	Unverified []string `json:"unverified,omitempty"`
}

// TimestampEvidence is what a format established about one timestamp token.
type TimestampEvidence struct {
	Time time.Time `json:"time"`
	// Valid: the token's own signature verifies and its message imprint
	// matches the signature value it stamps. Error says why not.
	Valid bool   `json:"valid"`
	Error string `json:"error,omitempty"`
	// Certificate is the TSA's certificate; Certificates all in the token.
	Certificate  *x509.Certificate   `json:"-"`
	Certificates []*x509.Certificate `json:"-"`
	// Policy is the TSA policy OID (1.2.398.3.3.2.6.4 for NCA's GOST TSA).
	Policy string `json:"policy,omitempty"`
}
