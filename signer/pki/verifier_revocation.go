package pki

import (
	"context"
	"crypto/x509"
	"errors"
	"time"
)

// Revocation combines the revocation sources: OCSP first (the fresher
// answer), then CRLs, then, offline or when both fail, the cache.
type Revocation struct {
	OCSP *OCSPClient
	CRL  *CRLClient
	// PreferCRL asks the CRL before OCSP.
	PreferCRL bool
}

// RevocationStatus is what the sources said about one certificate.
type RevocationStatus struct {
	Status    CertStatusValue
	RevokedAt time.Time
	Reason    int
	// Source is "OCSP", "CRL", "cache" or "unknown"; Via is "OCSP" or
	// "CRL" for a cached answer.
	Source, Via string
	// Date is the information's thisUpdate; FetchedAt when it was obtained.
	Date, FetchedAt time.Time
	URL             string
	// Unreachable: no source gave an answer and nothing usable was cached,
	// so trying later may help (false when the certificate names no
	// source at all). Err holds the sources' errors.
	Unreachable bool
	Err         error
	Warnings    []string
}

// Check finds cert's status; issuer is its issuer's certificate.
func (r *Revocation) Check(ctx context.Context, cert, issuer *x509.Certificate, offline bool) *RevocationStatus {
	var errs []error
	if !offline {
		order := []func() (*RevocationStatus, error){r.ocsp(ctx, cert, issuer), r.crl(ctx, cert, issuer, false)}
		if r.PreferCRL {
			order[0], order[1] = order[1], order[0]
		}
		for _, f := range order {
			st, err := f()
			if err == nil {
				return st
			}
			errs = append(errs, err)
		}
	}
	// The cache: a stored OCSP response, then a stored CRL.
	if r.OCSP != nil {
		res, err := r.OCSP.Cached(cert, issuer)
		if err == nil {
			return &RevocationStatus{Status: res.Status, RevokedAt: res.RevokedAt, Reason: res.Reason, Source: "cache", Via: "OCSP",
				Date: res.ThisUpdate, FetchedAt: res.FetchedAt, URL: res.URL}
		}
		if !errors.Is(err, ErrNotCached) {
			errs = append(errs, err)
		}
	}
	if r.CRL != nil {
		st, err := r.crl(ctx, cert, issuer, true)()
		if err == nil {
			return st
		}
		if !errors.Is(err, ErrNotCached) {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		errs = append(errs, errors.New("offline, and no earlier status is cached"))
	}
	st := &RevocationStatus{Status: StatusUnknown, Reason: -1, Source: "unknown", Err: errors.Join(errs...), Unreachable: true}
	if len(cert.OCSPServer) == 0 && len(cert.CRLDistributionPoints) == 0 && (r.OCSP == nil || r.OCSP.URL == "") {
		st.Unreachable = false
		st.Err = errors.Join(st.Err, errors.New("the certificate names no OCSP or CRL address"))
	}
	return st
}

func (r *Revocation) ocsp(ctx context.Context, cert, issuer *x509.Certificate) func() (*RevocationStatus, error) {
	return func() (*RevocationStatus, error) {
		if r.OCSP == nil {
			return nil, ErrNoOCSPURL
		}
		res, err := r.OCSP.Check(ctx, cert, issuer)
		if err != nil {
			return nil, err
		}
		return &RevocationStatus{Status: res.Status, RevokedAt: res.RevokedAt, Reason: res.Reason, Source: "OCSP",
			Date: res.ThisUpdate, FetchedAt: res.FetchedAt, URL: res.URL}, nil
	}
}

func (r *Revocation) crl(ctx context.Context, cert, issuer *x509.Certificate, offline bool) func() (*RevocationStatus, error) {
	return func() (*RevocationStatus, error) {
		if r.CRL == nil {
			return nil, ErrNoCRL
		}
		cs, err := r.CRL.Status(ctx, cert, issuer, offline)
		if err != nil {
			return nil, err
		}
		st := &RevocationStatus{Status: cs.Status, RevokedAt: cs.RevokedAt, Reason: cs.Reason, Source: "CRL",
			Date: cs.Base.CRL.ThisUpdate, FetchedAt: cs.Base.FetchedAt, URL: cs.Base.URL, Warnings: cs.Warnings}
		if cs.Delta != nil {
			st.Date = cs.Delta.CRL.ThisUpdate
		}
		if cs.Base.FromCache {
			st.Source, st.Via = "cache", "CRL"
		}
		return st, nil
	}
}
