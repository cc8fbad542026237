package pki

import (
	"time"
)

// Indication is the overall verdict on a signature, in the vocabulary of
// ETSI EN 319 102-1 and the EU DSS library.
type Indication string

// Indications, from best to worst as Worst orders them.
const (
	TotalPassed   Indication = "TOTAL_PASSED"
	Indeterminate Indication = "INDETERMINATE"
	TotalFailed   Indication = "TOTAL_FAILED"
)

// SubIndication says why a signature did not pass.
type SubIndication string

// Sub-indications (ETSI EN 319 102-1 table 5 names; REVOCATION_UNKNOWN is
// this package's own, for a responder that does not know the certificate).
const (
	FormatFailure             SubIndication = "FORMAT_FAILURE"
	HashFailure               SubIndication = "HASH_FAILURE"
	SigCryptoFailure          SubIndication = "SIG_CRYPTO_FAILURE"
	Revoked                   SubIndication = "REVOKED"
	Expired                   SubIndication = "EXPIRED"
	NotYetValid               SubIndication = "NOT_YET_VALID"
	SigConstraintsFailure     SubIndication = "SIG_CONSTRAINTS_FAILURE"
	ChainConstraintsFailure   SubIndication = "CHAIN_CONSTRAINTS_FAILURE"
	CertificateChainFailure   SubIndication = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
	NoCertificateChainFound   SubIndication = "NO_CERTIFICATE_CHAIN_FOUND"
	NoSigningCertificateFound SubIndication = "NO_SIGNING_CERTIFICATE_FOUND"
	RevokedNoPOE              SubIndication = "REVOKED_NO_POE"
	TryLater                  SubIndication = "TRY_LATER"
	RevocationUnknown         SubIndication = "REVOCATION_UNKNOWN"
	OutOfBoundsNoPOE          SubIndication = "OUT_OF_BOUNDS_NO_POE"
)

// Report is the verification of every signature of one object.
type Report struct {
	// VerifiedAt is when the verification ran; Offline that no network
	// was used (revocation from the cache only).
	VerifiedAt time.Time         `json:"verifiedAt"`
	Offline    bool              `json:"offline"`
	Signatures []SignatureReport `json:"signatures"`
}

// SignatureReport is the verdict on one signature and what it rests on.
type SignatureReport struct {
	Format        string        `json:"format"`
	Index         int           `json:"index"`
	Indication    Indication    `json:"indication"`
	SubIndication SubIndication `json:"subIndication,omitempty"`

	// Signer is who the signing certificate names (zero without one).
	Signer             Identity `json:"signer"`
	SignatureAlgorithm string   `json:"signatureAlgorithm,omitempty"`
	Scope              string   `json:"scope,omitempty"`
	DigestAlgorithm    string   `json:"digestAlgorithm,omitempty"`
	// ScopeDigest is the digest of the signed bytes in lower-case hex.
	ScopeDigest string `json:"scopeDigest,omitempty"`

	// ClaimedTime is the signer's claim, TimestampTime the earliest valid
	// trusted timestamp; SigningTime is the one the verdict used and
	// SigningTimeSource says which ("timestamp", "claimed", or "none" when
	// the verification time stood in).
	ClaimedTime       time.Time `json:"claimedTime,omitzero"`
	TimestampTime     time.Time `json:"timestampTime,omitzero"`
	SigningTime       time.Time `json:"signingTime,omitzero"`
	SigningTimeSource string    `json:"signingTimeSource"`

	// StatusAtSigning and StatusNow are the signing certificate's status.
	StatusAtSigning CertStatusReport `json:"statusAtSigning"`
	StatusNow       CertStatusReport `json:"statusNow"`

	// Chain lists the certification path, leaf first; Anchor is the trust
	// anchor's subject.
	Chain  []ChainEntry `json:"chain,omitempty"`
	Anchor string       `json:"anchor,omitempty"`
	// Test: the signer's certificate comes from a test CA (IssuedByTestCA)
	// or the chain ends in a TEST anchor. The signature proves nothing
	// about a real person; every face marks it TEST.
	Test bool `json:"test,omitempty"`

	// Notes explain a pass (e.g. revoked after signing); Warnings are
	// facts that do not decide the verdict; Errors say what failed.
	Notes    []Message `json:"notes,omitempty"`
	Warnings []Message `json:"warnings,omitempty"`
	Errors   []Message `json:"errors,omitempty"`
}

// CertStatusReport is a certificate's revocation status and its source.
type CertStatusReport struct {
	Status    CertStatusValue `json:"status"`
	RevokedAt time.Time       `json:"revokedAt,omitzero"`
	Reason    string          `json:"reason,omitempty"`
	// Source is "OCSP", "CRL", "cache" or "unknown"; Via names what the
	// cache held ("OCSP" or "CRL").
	Source string `json:"source"`
	Via    string `json:"via,omitempty"`
	// Date is when the information was issued (OCSP thisUpdate, CRL
	// thisUpdate); FetchedAt when it was obtained.
	Date      time.Time `json:"date,omitzero"`
	FetchedAt time.Time `json:"fetchedAt,omitzero"`
	URL       string    `json:"url,omitempty"`
}

// ChainEntry is one certificate of the path.
type ChainEntry struct {
	Subject      string    `json:"subject"`
	SerialNumber string    `json:"serialNumber"`
	NotAfter     time.Time `json:"notAfter"`
	Algorithm    string    `json:"algorithm"`
}

// Message is a note, warning or error: Code is stable (for translations
// and programs), Text the English wording.
type Message struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// Worst returns the worst indication of the report: TOTAL_FAILED over
// INDETERMINATE over TOTAL_PASSED. A report without signatures is
// INDETERMINATE: nothing was shown to be signed.
func (r *Report) Worst() Indication {
	if r == nil || len(r.Signatures) == 0 {
		return Indeterminate
	}
	worst := TotalPassed
	for _, s := range r.Signatures {
		if rank(s.Indication) > rank(worst) {
			worst = s.Indication
		}
	}
	return worst
}

func rank(i Indication) int {
	switch i {
	case TotalPassed:
		return 0
	case Indeterminate:
		return 1
	}
	return 2
}

// Partial reports whether part of the input was not verified at all
// (MsgNotVerified): the signatures shown may pass, the file as a whole is
// not shown valid.
func (r *Report) Partial() bool {
	if r == nil {
		return false
	}
	for _, s := range r.Signatures {
		for _, m := range s.Warnings {
			if m.Code == MsgNotVerified {
				return true
			}
		}
	}
	return false
}

// ExitCode maps the worst indication to the CLI's exit code: 0 all passed,
// 2 indeterminate (or passed, but part of the input was not verified),
// 1 any failed.
func (r *Report) ExitCode() int {
	switch r.Worst() {
	case TotalPassed:
		if r.Partial() {
			return 2
		}
		return 0
	case Indeterminate:
		return 2
	}
	return 1
}
