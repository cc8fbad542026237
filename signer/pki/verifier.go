package pki

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Verifier turns what the format verifiers established (Evidence) into a
// Report: it builds the signer's chain to a trust anchor, finds the
// certificate's revocation status, and judges both at the signing time.
//
// The signing time is the earliest valid timestamp whose TSA chains to an
// anchor (a proof of existence), else the signer's claimed time, else the
// verification time. Revocation is judged at that time and now:
// revoked before signing fails (REVOKED); revoked after signing passes with
// a note when a timestamp proves the signing time, and is INDETERMINATE
// (REVOKED_NO_POE) with only a claim; an unknown status is INDETERMINATE
// (TRY_LATER, or REVOCATION_UNKNOWN when no source can know).
type Verifier struct {
	Trust *TrustStore
	// Revocation are the sources; nil means OCSP and CRL clients over HTTP
	// and Cache.
	Revocation *Revocation
	// Offline: no network; revocation and AIA certificates from Cache.
	Offline bool
	// Now is the verification time; nil means time.Now.
	Now func() time.Time
	// HTTP is used by the default revocation sources and AIA fetching.
	HTTP *http.Client
	// Cache keeps revocation data and fetched CA certificates for offline
	// use (the default sources use it); nil keeps nothing.
	Cache *Cache
}

// Message codes of the report.
const (
	MsgRevokedAfterSigning = "REVOKED_AFTER_SIGNING"
	MsgExpiredAfterSigning = "EXPIRED_AFTER_SIGNING"
	MsgStatusFromCache     = "STATUS_FROM_CACHE"
	MsgStaleRevocation     = "STALE_REVOCATION_INFO"
	MsgRevocationError     = "REVOCATION_ERROR"
	MsgCAStatusUnknown     = "CA_STATUS_UNKNOWN"
	MsgTimestampRejected   = "TIMESTAMP_REJECTED"
	MsgNoSigningTime       = "NO_SIGNING_TIME"
	MsgAuthenticationKey   = "AUTHENTICATION_KEY"
	MsgUnboundCertificate  = "CERTIFICATE_NOT_BOUND"
	MsgFormat              = "FORMAT_WARNING"
	MsgNotVerified         = "NOT_VERIFIED"
	MsgCrypto              = "CRYPTO_FAILURE"
	MsgChain               = "CHAIN_FAILURE"
	MsgValidity            = "VALIDITY_FAILURE"
	MsgRevoked             = "REVOKED"
)

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) revocation() *Revocation {
	if v.Revocation != nil {
		return v.Revocation
	}
	return &Revocation{
		OCSP: &OCSPClient{HTTP: v.HTTP, Now: v.Now, Cache: v.Cache},
		CRL:  &CRLClient{HTTP: v.HTTP, Now: v.Now, Cache: v.Cache},
	}
}

// Verify judges each signature. It never fails: every problem ends up in
// the report.
func (v *Verifier) Verify(ctx context.Context, ev []Evidence) *Report {
	r := &Report{VerifiedAt: v.now().UTC(), Offline: v.Offline}
	trust := v.Trust
	if trust == nil {
		trust = NewTrustStore("")
	}
	rev := v.revocation()
	for i := range ev {
		r.Signatures = append(r.Signatures, v.verifyOne(ctx, trust, rev, &ev[i], r.VerifiedAt))
	}
	return r
}

// judge is one signature's verdict in the making.
type judge struct {
	s *SignatureReport
}

func (j judge) fail(sub SubIndication, code, text string) {
	j.set(TotalFailed, sub)
	j.s.Errors = append(j.s.Errors, Message{code, text})
}

func (j judge) indeterminate(sub SubIndication, code, text string) {
	j.set(Indeterminate, sub)
	j.s.Errors = append(j.s.Errors, Message{code, text})
}

// set records an indication unless a worse one is already there.
func (j judge) set(ind Indication, sub SubIndication) {
	if rank(ind) > rank(j.s.Indication) {
		j.s.Indication, j.s.SubIndication = ind, sub
	}
}

func (j judge) warn(code, text string) { j.s.Warnings = append(j.s.Warnings, Message{code, text}) }
func (j judge) note(code, text string) { j.s.Notes = append(j.s.Notes, Message{code, text}) }

func (v *Verifier) verifyOne(ctx context.Context, trust *TrustStore, rev *Revocation, ev *Evidence, now time.Time) SignatureReport {
	s := SignatureReport{
		Format: ev.Format, Index: ev.Index, Indication: TotalPassed,
		SignatureAlgorithm: ev.SignatureAlgorithm, Scope: ev.Scope, DigestAlgorithm: ev.DigestAlgorithm,
		ScopeDigest: hex.EncodeToString(ev.ScopeDigest), ClaimedTime: ev.ClaimedTime,
	}
	j := judge{&s}
	for _, w := range ev.Warnings {
		j.warn(MsgFormat, w)
	}
	for _, w := range ev.Unverified {
		j.warn(MsgNotVerified, w)
	}
	if ev.Certificate == nil {
		j.indeterminate(NoSigningCertificateFound, MsgChain, "the signing certificate was not found")
		s.SigningTime, s.SigningTimeSource = now, "none"
		return s
	}
	leaf := ev.Certificate
	s.Signer = IdentityOf(leaf, now)
	s.Test = IssuedByTestCA(leaf)
	if !ev.DigestValid {
		j.fail(HashFailure, MsgCrypto, "the signed data were changed: digest mismatch"+detail(ev.CryptoError))
		return s
	}
	if !ev.SignatureValid {
		j.fail(SigCryptoFailure, MsgCrypto, "the signature value does not verify"+detail(ev.CryptoError))
		return s
	}
	if s.Signer.Purpose == PurposeAuth {
		j.warn(MsgAuthenticationKey, "the certificate is an authentication key, not a signing key")
	}

	// The signing time and its proof.
	t, source := v.signingTime(ctx, trust, ev, j)
	s.SigningTime, s.SigningTimeSource = t, source
	if source == "timestamp" {
		s.TimestampTime = t
	}
	if source == "none" {
		j.warn(MsgNoSigningTime, "the signature carries no signing time; it is judged at the verification time")
	}

	// The signing certificate's validity period.
	did := "signed"
	if ev.Format == FormatCertificate {
		did = "checked"
	}
	switch {
	case t.Before(leaf.NotBefore):
		j.fail(NotYetValid, MsgValidity, fmt.Sprintf("%s %s, before the certificate became valid (%s)", did, stamp(t), stamp(leaf.NotBefore)))
	case t.After(leaf.NotAfter) && source != "none":
		j.fail(Expired, MsgValidity, fmt.Sprintf("%s %s, after the certificate expired (%s)", did, stamp(t), stamp(leaf.NotAfter)))
	case t.After(leaf.NotAfter):
		j.indeterminate(OutOfBoundsNoPOE, MsgValidity, fmt.Sprintf("the certificate expired %s and nothing proves the signature is older", stamp(leaf.NotAfter)))
	case now.After(leaf.NotAfter) && source == "claimed":
		j.indeterminate(OutOfBoundsNoPOE, MsgValidity, fmt.Sprintf("the certificate expired %s; only the signer's claim dates the signature before that", stamp(leaf.NotAfter)))
	case now.After(leaf.NotAfter):
		j.note(MsgExpiredAfterSigning, fmt.Sprintf("the certificate expired %s, after the timestamped signing time", stamp(leaf.NotAfter)))
	}
	if !ev.SigningCertificateBound && ev.Format == "cms" {
		j.warn(MsgUnboundCertificate, "no signed attribute binds the signing certificate")
	}

	// The chain.
	usage := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	if ev.Format == FormatCertificate {
		usage = 0 // a certificate by itself is judged for any use: a CA's too
	}
	chains, err := trust.BuildChains(ctx, leaf, ChainOptions{
		Intermediates: ev.Certificates, At: t, SkipLeafValidity: true,
		LeafKeyUsage: usage,
		Online:       !v.Offline, HTTP: v.HTTP, Cache: v.Cache,
	})
	if err != nil {
		switch {
		case errors.Is(err, ErrKeyUsage):
			j.indeterminate(SigConstraintsFailure, MsgChain, err.Error())
		case errors.Is(err, ErrChainConstraints):
			j.indeterminate(ChainConstraintsFailure, MsgChain, err.Error())
		case errors.Is(err, ErrExpired), errors.Is(err, ErrNotYetValid):
			j.indeterminate(OutOfBoundsNoPOE, MsgChain, err.Error())
		default:
			j.indeterminate(NoCertificateChainFound, MsgChain, err.Error())
		}
		s.StatusAtSigning = CertStatusReport{Status: StatusUnknown, Source: "unknown"}
		s.StatusNow = s.StatusAtSigning
		return s
	}
	chain := chains[0]
	for _, c := range chain {
		id := IdentityOf(c, now)
		s.Chain = append(s.Chain, ChainEntry{Subject: id.SubjectDN, SerialNumber: id.SerialNumber, NotAfter: c.NotAfter.UTC(), Algorithm: id.Algorithm})
	}
	s.Anchor = IdentityOf(chain.Anchor(), now).SubjectDN
	s.Test = s.Test || trust.IsTest(chain.Anchor())

	// Revocation of the signing certificate, then of the CAs below the anchor.
	if len(chain) > 1 {
		st := rev.Check(ctx, leaf, chain[1], v.Offline)
		v.judgeRevocation(j, st, t, source, now)
	}
	for i := 1; i+1 < len(chain); i++ {
		ca := chain[i]
		st := rev.Check(ctx, ca, chain[i+1], v.Offline)
		switch {
		case st.Status == StatusRevoked && !st.RevokedAt.After(t):
			j.fail(Revoked, MsgRevoked, fmt.Sprintf("CA %q was revoked %s, before the signing time", ca.Subject.CommonName, stamp(st.RevokedAt)))
		case st.Status == StatusRevoked:
			j.warn(MsgRevokedAfterSigning, fmt.Sprintf("CA %q was revoked %s, after the signing time", ca.Subject.CommonName, stamp(st.RevokedAt)))
		case st.Status == StatusUnknown:
			j.warn(MsgCAStatusUnknown, fmt.Sprintf("status of CA %q unknown: %v", ca.Subject.CommonName, shortErr(st.Err)))
		}
	}
	return s
}

// FormatCertificate is the Evidence format of a certificate judged by
// itself (VerifyCertificate).
const FormatCertificate = "certificate"

// VerifyCertificate judges a certificate by itself at the verification
// time, with the same rules and report as a signature's certificate: its
// validity now, a chain to an anchor (intermediates help build it) and the
// revocation of every certificate in the chain. The report has one entry,
// of Format "certificate"; its exit code is that of a signature's.
func (v *Verifier) VerifyCertificate(ctx context.Context, cert *x509.Certificate, intermediates []*x509.Certificate) *Report {
	ev := Evidence{
		Format: FormatCertificate, Scope: "the certificate itself", SignatureAlgorithm: KeyAlgorithm(cert),
		DigestValid: true, SignatureValid: true, Certificate: cert, Certificates: intermediates,
		SigningCertificateBound: true, ClaimedTime: v.now(),
	}
	return v.Verify(ctx, []Evidence{ev})
}

// signingTime picks the best signing time: the earliest valid timestamp
// whose TSA certificate chains to an anchor at the stamped time, else the
// claimed time, else now.
func (v *Verifier) signingTime(ctx context.Context, trust *TrustStore, ev *Evidence, j judge) (time.Time, string) {
	var best time.Time
	for _, ts := range ev.Timestamps {
		if !ts.Valid {
			j.warn(MsgTimestampRejected, "timestamp ignored: "+ts.Error)
			continue
		}
		if ts.Certificate == nil {
			j.warn(MsgTimestampRejected, "timestamp ignored: no TSA certificate")
			continue
		}
		if _, err := trust.BuildChains(ctx, ts.Certificate, ChainOptions{
			Intermediates: ts.Certificates, At: ts.Time, Online: !v.Offline, HTTP: v.HTTP, Cache: v.Cache,
		}); err != nil {
			j.warn(MsgTimestampRejected, "timestamp ignored: TSA certificate: "+err.Error())
			continue
		}
		if !hasEKU(ts.Certificate, x509.ExtKeyUsageTimeStamping) {
			j.warn(MsgTimestampRejected, "timestamp ignored: the TSA certificate lacks id-kp-timeStamping")
			continue
		}
		if best.IsZero() || ts.Time.Before(best) {
			best = ts.Time
		}
	}
	switch {
	case !best.IsZero():
		return best.UTC(), "timestamp"
	case !ev.ClaimedTime.IsZero():
		return ev.ClaimedTime.UTC(), "claimed"
	}
	return v.now().UTC(), "none"
}

// judgeRevocation fills the statuses and the verdict from st.
func (v *Verifier) judgeRevocation(j judge, st *RevocationStatus, t time.Time, source string, now time.Time) {
	nowRep := CertStatusReport{Status: st.Status, Source: st.Source, Via: st.Via, Date: st.Date, FetchedAt: st.FetchedAt, URL: st.URL}
	if st.Status == StatusRevoked {
		nowRep.RevokedAt, nowRep.Reason = st.RevokedAt.UTC(), ReasonName(st.Reason)
	}
	atSigning := nowRep
	revokedBefore := st.Status == StatusRevoked && !st.RevokedAt.After(t)
	if st.Status == StatusRevoked && !revokedBefore {
		atSigning.Status, atSigning.RevokedAt, atSigning.Reason = StatusGood, time.Time{}, ""
	}
	j.s.StatusAtSigning, j.s.StatusNow = atSigning, nowRep
	for _, w := range st.Warnings {
		j.warn(MsgStaleRevocation, w)
	}
	if st.Source == "cache" {
		j.warn(MsgStatusFromCache, fmt.Sprintf("revocation status from the cache (%s fetched %s), not checked now", st.Via, stamp(st.FetchedAt)))
	}
	switch {
	case st.Status == StatusRevoked && source == "none":
		j.indeterminate(RevokedNoPOE, MsgRevoked, fmt.Sprintf("the certificate was revoked %s (%s) and nothing proves the signature is older",
			stamp(st.RevokedAt), ReasonName(st.Reason)))
	case revokedBefore:
		j.fail(Revoked, MsgRevoked, fmt.Sprintf("the certificate was revoked %s (%s), before the signing time %s",
			stamp(st.RevokedAt), ReasonName(st.Reason), stamp(t)))
	case st.Status == StatusRevoked && source == "claimed":
		j.indeterminate(RevokedNoPOE, MsgRevoked, fmt.Sprintf("the certificate was revoked %s; only the signer's claim dates the signature before that",
			stamp(st.RevokedAt)))
	case st.Status == StatusRevoked:
		j.note(MsgRevokedAfterSigning, fmt.Sprintf("the certificate was revoked %s, after the timestamped signing time: the signature was made before revocation",
			stamp(st.RevokedAt)))
	case st.Status == StatusUnknown && st.Source == "unknown" && st.Unreachable:
		j.indeterminate(TryLater, MsgRevocationError, "revocation status unavailable: "+shortErr(st.Err))
	case st.Status == StatusUnknown:
		j.indeterminate(RevocationUnknown, MsgRevocationError, "revocation status unknown"+detail(shortErr(st.Err)))
	}
}

func hasEKU(c *x509.Certificate, u x509.ExtKeyUsage) bool {
	for _, x := range c.ExtKeyUsage {
		if x == u {
			return true
		}
	}
	return false
}

func detail(s string) string {
	if s == "" || s == "<nil>" {
		return ""
	}
	return ": " + s
}

func shortErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
