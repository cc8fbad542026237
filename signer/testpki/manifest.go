package testpki

import "github.com/qoltanba/qoltanba/signer/pki"

// Manifest is manifest.json: what each generated file is, so tools and tests
// in other languages can find keys without parsing certificates.
type Manifest struct {
	BaseURL  string          `json:"baseURL"`
	Password string          `json:"password"`
	Now      string          `json:"now"`
	CAs      []ManifestCA    `json:"cas"`
	Entities []ManifestEntry `json:"entities"`
	// Services are the OCSP responders and TSAs.
	Services []ManifestService `json:"services,omitempty"`
}

// ManifestService describes a responder's files (key and certificate).
type ManifestService struct {
	Name    string `json:"name"`
	Family  Family `json:"family"`
	Kind    string `json:"kind"` // "ocsp" or "tsa"
	Path    string `json:"path"`
	Cert    string `json:"cert"`
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
}

// ManifestCA describes a CA's files. Paths are relative to Dir, with '/'.
type ManifestCA struct {
	Name    string `json:"name"`
	Family  Family `json:"family"`
	Root    bool   `json:"root"`
	Subject string `json:"subject"`
	Cert    string `json:"cert"`
	CRL     string `json:"crl"`
	// Key is the CA's private key (ca/<name>.TEST-CA-KEY.p12), a test CA
	// key written for Load and "testpki serve".
	Key    string `json:"key,omitempty"`
	Serial string `json:"serialNumber"`
}

// ManifestEntry describes an end-entity key's files.
type ManifestEntry struct {
	Name         string      `json:"name"`
	Family       Family      `json:"family"`
	Path         string      `json:"path"`
	Cert         string      `json:"cert"`
	Role         pki.Role    `json:"role"`
	Roles        []pki.Role  `json:"roles"`
	Purpose      pki.Purpose `json:"purpose"`
	IIN          string      `json:"iin,omitempty"`
	BIN          string      `json:"bin,omitempty"`
	CommonName   string      `json:"commonName"`
	Issuer       string      `json:"issuer"`
	Serial       string      `json:"serialNumber"`
	SubjectKeyID string      `json:"subjectKeyId"`
	Revoked      bool        `json:"revoked"`
	Expired      bool        `json:"expired"`
	NotAfter     string      `json:"notAfter"`
}

// mainRole is the most specific role: the last one listed.
func mainRole(roles []pki.Role) pki.Role {
	if len(roles) == 0 {
		return ""
	}
	return roles[len(roles)-1]
}
