package core

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
)

// Errors of the signing policy; each is wrapped in a *PolicyError that
// names the date or the usage, so faces can say what to do.
var (
	ErrCertificateExpired     = errors.New("the certificate has expired")
	ErrCertificateNotYetValid = errors.New("the certificate is not valid yet")
	ErrCertificateRevoked     = errors.New("the certificate is revoked")
	// ErrKeyUsage: the certificate does not allow this use (an
	// authentication key signs only an authentication challenge).
	ErrKeyUsage = errors.New("the key may not be used for this")
	// ErrCertificateCompromised: the user reported the key compromised;
	// it never signs again in Qoltanba (EDM agreement 8.7–8.10).
	ErrCertificateCompromised = errors.New("the key was reported compromised")
)

// Use is what a key is asked to do.
type Use int

const (
	// UseSign signs documents, data and digests: a signing key (NCA's
	// nonRepudiation / emailProtection), or an unmarked key with
	// digitalSignature.
	UseSign Use = iota
	// UseAuthenticate signs an authentication challenge: any key with
	// digitalSignature, the AUTH key first of all.
	UseAuthenticate
)

// PolicyError is a certificate refused by the signing policy.
type PolicyError struct {
	Err  error     // one of the errors above
	Date time.Time // the date that decided: NotAfter, NotBefore or the revocation
	Text string    // a sentence with the details
}

func (e *PolicyError) Error() string { return e.Text }
func (e *PolicyError) Unwrap() error { return e.Err }

// CheckCertificate is the one signing policy, applied by every face before
// the secret is asked (when the certificate is known by then) and again
// after the key is open: the certificate must be valid at now, allow use,
// and not be known revoked. "Known" means the revocation cache holds an
// answer (rev checked offline, no network): signing never waits on OCSP.
func CheckCertificate(ctx context.Context, cert *x509.Certificate, chain []*x509.Certificate, use Use, now time.Time, rev *pki.Revocation) error {
	if cert == nil {
		return nil
	}
	switch {
	case now.After(cert.NotAfter):
		return &PolicyError{ErrCertificateExpired, cert.NotAfter,
			fmt.Sprintf("the certificate expired on %s: a signature made with it would not be valid; get a new key from NCA RK", cert.NotAfter.Format(time.DateOnly))}
	case now.Before(cert.NotBefore):
		return &PolicyError{ErrCertificateNotYetValid, cert.NotBefore,
			fmt.Sprintf("the certificate is valid only from %s", cert.NotBefore.Format(time.DateOnly))}
	}
	if err := checkUsage(cert, use); err != nil {
		return err
	}
	if rev == nil || ctx.Err() != nil {
		return nil
	}
	issuer := issuerOf(cert, chain)
	if issuer == nil {
		return nil
	}
	st := rev.Check(ctx, cert, issuer, true)
	if st.Status == pki.StatusRevoked {
		return &PolicyError{ErrCertificateRevoked, st.RevokedAt,
			fmt.Sprintf("the certificate was revoked on %s (per %s of %s): nothing signed with it counts", st.RevokedAt.Format(time.DateOnly), st.Via, st.Date.Format(time.DateOnly))}
	}
	return nil
}

func checkUsage(cert *x509.Certificate, use Use) error {
	id := pki.IdentityOf(cert, time.Now())
	digital := cert.KeyUsage == 0 || cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) != 0
	switch {
	case id.CA:
		return &PolicyError{Err: ErrKeyUsage, Text: "this is a certificate authority's certificate, not a person's key"}
	case !digital:
		return &PolicyError{Err: ErrKeyUsage, Text: "the certificate does not allow digital signatures"}
	case use == UseSign && id.Purpose == pki.PurposeAuth:
		return &PolicyError{Err: ErrKeyUsage, Text: "this is an authentication (AUTH) key: it signs only logins; sign documents with the signing (RSA or GOST) key"}
	}
	return nil
}

// issuerOf finds cert's issuer among chain.
func issuerOf(cert *x509.Certificate, chain []*x509.Certificate) *x509.Certificate {
	for _, c := range chain {
		if !c.Equal(cert) && pki.CheckSignatureFrom(cert, c) == nil {
			return c
		}
	}
	return nil
}
