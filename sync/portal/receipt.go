package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/api"
)

// verified is an incoming signature the portal accepted.
type verified struct {
	cert    *x509.Certificate
	id      pki.Identity
	verdict api.Verdict
}

// verify checks a CMS over data as the portal receives it: exactly one
// signer, the bytes covered, the chain to a trusted root, the status at
// signing and now. Anything short of TOTAL_PASSED is refused; a revocation
// source that cannot answer now is "come back later".
func (s *Server) verify(ctx context.Context, sig, data []byte) (*verified, *problem) {
	var ev []pki.Evidence
	var err error
	if content, cerr := cms.Content(sig); cerr == nil && len(content) > 0 {
		// attached: it must carry exactly data
		if !bytes.Equal(content, data) {
			return nil, forbidden("the signature is over other bytes than the ones it must cover")
		}
		ev, err = cms.Verify(sig, nil)
	} else {
		ev, err = cms.Verify(sig, bytes.NewReader(data))
	}
	if err != nil {
		return nil, badRequest("the signature is not a CMS this portal can read: %v", err)
	}
	if len(ev) != 1 {
		return nil, badRequest("the CMS must carry exactly one signature (it has %d)", len(ev))
	}
	return s.judge(ctx, ev)
}

// judge decides on one signature's evidence (CMS or XML): the bytes
// covered, the value valid, the chain to a trusted root, the status at
// signing and now.
func (s *Server) judge(ctx context.Context, ev []pki.Evidence) (*verified, *problem) {
	e := ev[0]
	switch {
	case !e.DigestValid:
		return nil, forbidden("the signature does not cover these bytes (their digest differs from the one signed)")
	case !e.SignatureValid:
		return nil, forbidden("the signature value is not valid: %s", e.CryptoError)
	case e.Certificate == nil:
		return nil, forbidden("the signer's certificate is not in the CMS")
	}
	report := s.cfg.Verifier.Verify(ctx, ev)
	if len(report.Signatures) != 1 {
		return nil, forbidden("the signature could not be verified")
	}
	sr := report.Signatures[0]
	if sr.Indication != pki.TotalPassed {
		why := string(sr.Indication)
		if sr.SubIndication != "" {
			why += "/" + string(sr.SubIndication)
		}
		if len(sr.Errors) > 0 {
			why += ": " + sr.Errors[0].Text
		}
		if sr.SubIndication == pki.TryLater {
			return nil, retryLater(http.StatusServiceUnavailable, api.ErrorCodeUnavailable, 30,
				"the certificate's status cannot be checked now (%s); try again later", why)
		}
		return nil, forbidden("the signature is not accepted: %s", why)
	}
	if p := s.compromised(ctx, e.Certificate, sr); p != nil {
		return nil, p
	}
	id := pki.IdentityOf(e.Certificate, s.now())
	return &verified{cert: e.Certificate, id: id, verdict: api.Verdict{
		Indication: string(sr.Indication), SubIndication: string(sr.SubIndication),
		Signer: identityUser(id), SigningTime: sr.SigningTime, SigningTimeSource: sr.SigningTimeSource,
		StatusAtSigning: string(sr.StatusAtSigning.Status), StatusAtReceipt: string(sr.StatusNow.Status),
		Test: sr.Test,
	}}, nil
}

// identityUser is who a certificate names, as the API shows users.
func identityUser(id pki.Identity) api.User {
	u := api.User{Iin: id.IIN, Bin: id.BIN, Name: id.CommonName, Organization: id.Organization,
		CertificateSerial: id.SerialNumber}
	for _, r := range id.Roles {
		u.Roles = append(u.Roles, string(r))
	}
	return u
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// receipt signs what the portal received: a CMS (attached, the portal's
// key, timestamped when a TSA is set) over the ReceiptBody's JSON. A TSA
// that fails refuses the write for now rather than issue a receipt without
// the time the portal promises.
func (s *Server) receipt(ctx context.Context, body api.ReceiptBody) ([]byte, *problem) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, asProblem(err)
	}
	out, err := cms.Sign(bytes.NewReader(raw), s.cfg.ReceiptKey, s.cfg.ReceiptCert, s.cfg.ReceiptChain,
		cms.SignOptions{IncludeChain: true, SigningTime: body.ReceivedAt})
	if err != nil {
		return nil, asProblem(err)
	}
	if s.cfg.TSA != nil {
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if out, err = cms.AddTimestamp(tctx, out, s.cfg.TSA); err != nil {
			s.cfg.Log.Warn("timestamp a receipt", "err", err)
			return nil, retryLater(http.StatusServiceUnavailable, api.ErrorCodeUnavailable, 30,
				"the portal's time-stamp service does not answer; try again later")
		}
	}
	return out, nil
}

// portalSign signs the portal's own statement (a revocation step): a
// detached CMS like the users'.
func (s *Server) portalSign(data []byte) ([]byte, error) {
	return cms.Sign(bytes.NewReader(data), s.cfg.ReceiptKey, s.cfg.ReceiptCert, s.cfg.ReceiptChain,
		cms.SignOptions{Detached: true, IncludeChain: true})
}

func sha256Sum(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}

// jsonRaw is a stored JSON answer, to embed as it is.
func jsonRaw(body []byte) json.RawMessage { return json.RawMessage(bytes.TrimSpace(body)) }
