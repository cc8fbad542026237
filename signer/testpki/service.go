package testpki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
)

// Object identifiers of the responder certificates' extensions.
var (
	oidExtKeyUsage   = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidKPTimeStamp   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidOCSPNoCheck   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
	serviceSubjectCN = map[string]string{"ocsp": "OCSP RESPONDER", "tsa": "TSA"}
)

// newService issues the responder certificate of kind "ocsp" or "tsa" under
// ca. The OCSP responder gets id-kp-OCSPSigning and id-pkix-ocsp-nocheck
// (RFC 6960 4.2.2.2.1); the TSA gets id-kp-timeStamping as the only,
// critical, extended key usage (RFC 3161 2.3), which crypto/x509 cannot mark
// critical by itself, hence the extra extension.
func (g *generator) newService(f Family, kind string, ca *CA) (*Service, error) {
	now := g.opts.Now
	key, err := g.newKey(f)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	ski, err := keyID(key.Public())
	if err != nil {
		return nil, err
	}
	subject, err := caName(fmt.Sprintf("%s (%s) TEST QOLTANBA", serviceSubjectCN[kind], familyLabel(f)))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serialFromSKI(ski),
		RawSubject:   subject,
		// Valid since before the expired test keys were, so tests can
		// stamp and answer at past times inside their validity.
		NotBefore:             now.Add(-3 * 365 * day),
		NotAfter:              now.Add(3 * 365 * day),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
		SubjectKeyId:          ski,
		IssuingCertificateURL: []string{g.caURL(ca.Name)},
	}
	if tmpl.Policies, err = policyNCA2022(); err != nil {
		return nil, err
	}
	switch kind {
	case "ocsp":
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
		tmpl.ExtraExtensions = []pkix.Extension{{Id: oidOCSPNoCheck, Value: asn1.NullBytes}}
	case "tsa":
		eku, err := asn1.Marshal([]asn1.ObjectIdentifier{oidKPTimeStamp})
		if err != nil {
			return nil, fmt.Errorf("marshal EKU: %w", err)
		}
		tmpl.ExtraExtensions = []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: eku}}
		tmpl.CRLDistributionPoints = []string{g.crlURL(ca.Name)}
	default:
		return nil, fmt.Errorf("unknown service %q", kind)
	}
	cert, err := g.issue(tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, err
	}
	return &Service{Name: string(f) + "/" + kind, Family: f, Cert: cert, Key: key, Issuer: ca}, nil
}
