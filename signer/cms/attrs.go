package cms

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"time"
)

// signedAttributes builds the SET Kalkan signs: contentType, signingTime,
// signingCertificateV2 and messageDigest, sorted by DER encoding. It
// returns the SET's DER with the universal SET tag, which is what the
// signature covers; the SignerInfo carries the same bytes tagged [0].
func signedAttributes(contentType asn1.ObjectIdentifier, signingTime time.Time, cert *x509.Certificate, digest []byte) []byte {
	attrs := [][]byte{
		attribute(oidContentType, oidDER(contentType)),
		attribute(oidSigningTime, timeDER(signingTime)),
		attribute(oidSigningCertV2, signingCertificateV2(cert)),
		attribute(oidMessageDigest, octets(digest)),
	}
	return derSet(tagSet, attrs)
}

// signingCertificateV2 encodes SigningCertificateV2 (RFC 5035) with one
// ESSCertIDv2: the SHA-256 of the certificate (hashAlgorithm omitted, as
// DER requires for the default) and issuerSerial naming it.
func signingCertificateV2(cert *x509.Certificate) []byte {
	sum := sha256.Sum256(cert.Raw)
	issuerSerial := seq(
		seq(tlv(0xa4, cert.RawIssuer)), // GeneralNames { directoryName [4] Name }
		intDER(cert.SerialNumber),
	)
	return seq(seq(seq(octets(sum[:]), issuerSerial)))
}
