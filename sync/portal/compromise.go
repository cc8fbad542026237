package portal

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/api"
)

// ReportCompromise records that a certificate of the logged-in user's is
// compromised: from then on no signature by it is accepted unless a
// trusted timestamp proves it was made before the stated time (EDM
// agreement 8.7–8.10).
func (s *Server) ReportCompromise(ctx context.Context, req api.ReportCompromiseRequestObject) (api.ReportCompromiseResponseObject, error) {
	u := userOf(ctx)
	cert, err := x509.ParseCertificate(req.Body.Certificate)
	if err != nil {
		return nil, badRequest("not a certificate: %v", err)
	}
	id := pki.IdentityOf(cert, s.now())
	if id.IIN != u.Iin {
		return nil, forbidden("the certificate names IIN %q, not the logged-in user", id.IIN)
	}
	now := s.now()
	since := req.Body.Since.UTC()
	if since.After(now) {
		since = now
	}
	c := Compromise{Fingerprint: pki.Fingerprint(cert), IIN: u.Iin, Since: since, Reported: now, Reason: req.Body.Reason}
	resp := api.ReportCompromise201JSONResponse(api.CompromiseRecord{Fingerprint: c.Fingerprint, Since: c.Since, Reported: c.Reported})
	raw, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Storage.PutCompromise(ctx, c, commitOp(ctx, http.StatusCreated, append(raw, '\n'))); err != nil {
		return nil, err
	}
	s.cfg.Log.Warn("certificate reported compromised", "iin", u.Iin, "fingerprint", c.Fingerprint, "since", since)
	return resp, nil
}

// compromised refuses a signature by a certificate reported compromised,
// unless a trusted timestamp proves it was made before the stated time.
func (s *Server) compromised(ctx context.Context, cert *x509.Certificate, sr pki.SignatureReport) *problem {
	c, err := s.cfg.Storage.Compromise(ctx, pki.Fingerprint(cert))
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return retryLater(http.StatusServiceUnavailable, api.ErrorCodeUnavailable, 5, "the portal's storage is unavailable")
	case !sr.TimestampTime.IsZero() && sr.TimestampTime.Before(c.Since):
		return nil
	}
	return forbidden("the certificate was reported compromised on %s: nothing signed with it since %s is accepted",
		c.Reported.Format("2006-01-02 15:04"), c.Since.Format("2006-01-02 15:04"))
}
