package pki

import "errors"

// Errors callers act on. Functions wrap them with detail (the algorithm's OID,
// the verifier's own error), so test them with errors.Is.
var (
	// ErrSignatureInvalid reports a signature that does not verify with the
	// key given, including a key that does not fit the algorithm.
	ErrSignatureInvalid = errors.New("pki: signature invalid")
	// ErrUnsupportedSignatureAlgorithm reports a signature algorithm this
	// package cannot verify (unknown, or too weak such as SHA-1); the wrapped
	// message names the OID.
	ErrUnsupportedSignatureAlgorithm = errors.New("pki: unsupported signature algorithm")
	// ErrIssuerNotCA reports an issuer certificate that may not sign
	// certificates or CRLs (no CA basic constraint, or key usage without
	// keyCertSign / cRLSign).
	ErrIssuerNotCA = errors.New("pki: issuer is not allowed to sign")
	// ErrMalformed reports DER that is not a certificate or CRL.
	ErrMalformed = errors.New("pki: malformed structure")
)
