package pki

import "crypto/x509"

// Purpose says what a key is for, as NCA marks it: a signing key
// (nonRepudiation, EKU emailProtection) or an authentication key (clientAuth
// without nonRepudiation). Portals ask for one or the other.
type Purpose string

// Purposes. PurposeNone is reported for CA certificates and keys that carry
// neither mark.
const (
	PurposeSign Purpose = "sign"
	PurposeAuth Purpose = "auth"
	PurposeNone Purpose = ""
)

// purposeOf decides a certificate's purpose from its key usage and EKU.
func purposeOf(cert *x509.Certificate) Purpose {
	nonRepudiation := cert.KeyUsage&x509.KeyUsageContentCommitment != 0
	var email, client bool
	for _, u := range cert.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageEmailProtection:
			email = true
		case x509.ExtKeyUsageClientAuth:
			client = true
		}
	}
	switch {
	case nonRepudiation || email:
		return PurposeSign
	case client:
		return PurposeAuth
	}
	return PurposeNone
}
