package portal

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"slices"

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
	resp := api.ReportCompromise201JSONResponse(c.Record())
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
	case !c.Suspended():
		return nil
	case !sr.TimestampTime.IsZero() && sr.TimestampTime.Before(c.Since):
		return nil
	}
	return forbidden("the certificate was reported compromised on %s: nothing signed with it since %s is accepted",
		c.Reported.Format("2006-01-02 15:04"), c.Since.Format("2006-01-02 15:04"))
}

// ListCompromises lists the logged-in user's certificates reported
// compromised, with their resumption requests.
func (s *Server) ListCompromises(ctx context.Context, _ api.ListCompromisesRequestObject) (api.ListCompromisesResponseObject, error) {
	u := userOf(ctx)
	all, err := s.cfg.Storage.Compromises(ctx)
	if err != nil {
		return nil, err
	}
	out := api.ListCompromises200JSONResponse{}
	for _, c := range all {
		if c.IIN == u.Iin {
			out = append(out, c.Record())
		}
	}
	return out, nil
}

// RequestResumption records the holder's request to lift a suspension
// (EDM agreement 8.8): the operator decides.
func (s *Server) RequestResumption(ctx context.Context, req api.RequestResumptionRequestObject) (api.RequestResumptionResponseObject, error) {
	u := userOf(ctx)
	defer s.lock("compromise " + req.Fingerprint)()
	c, err := s.cfg.Storage.Compromise(ctx, req.Fingerprint)
	if errors.Is(err, ErrNotFound) || (err == nil && c.IIN != u.Iin) {
		return nil, notFound("compromise report " + req.Fingerprint)
	}
	if err != nil {
		return nil, err
	}
	switch c.Resumption.State {
	case api.ResumptionStateRequested:
		return nil, refuse(http.StatusConflict, api.ErrorCodeConflict, "a resumption was already requested on %s: the operator decides", c.Resumption.Requested.Format("2006-01-02 15:04"))
	case api.ResumptionStateResumed:
		return nil, refuse(http.StatusConflict, api.ErrorCodeConflict, "the certificate was resumed on %s", c.Resumption.Decided.Format("2006-01-02 15:04"))
	}
	c.Resumption = api.Resumption{State: api.ResumptionStateRequested, Requested: s.now(), Reason: req.Body.Reason}
	resp := api.RequestResumption201JSONResponse(c.Record())
	raw, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Storage.PutCompromise(ctx, c, commitOp(ctx, http.StatusCreated, append(raw, '\n'))); err != nil {
		return nil, err
	}
	s.cfg.Log.Warn("resumption requested", "iin", u.Iin, "fingerprint", c.Fingerprint)
	return resp, nil
}

// AdminListCompromises lists every report, oldest first.
func (s *Server) AdminListCompromises(ctx context.Context, _ api.AdminListCompromisesRequestObject) (api.AdminListCompromisesResponseObject, error) {
	all, err := s.cfg.Storage.Compromises(ctx)
	if err != nil {
		return nil, err
	}
	out := api.AdminListCompromises200JSONResponse{}
	for _, c := range all {
		out = append(out, c.Record())
	}
	return out, nil
}

// AdminDecideResumption resumes a suspended certificate or refuses to.
func (s *Server) AdminDecideResumption(ctx context.Context, req api.AdminDecideResumptionRequestObject) (api.AdminDecideResumptionResponseObject, error) {
	defer s.lock("compromise " + req.Fingerprint)()
	c, err := s.cfg.Storage.Compromise(ctx, req.Fingerprint)
	if errors.Is(err, ErrNotFound) {
		return nil, notFound("compromise report " + req.Fingerprint)
	}
	if err != nil {
		return nil, err
	}
	if c.Resumption.State != api.ResumptionStateRequested {
		return nil, refuse(http.StatusConflict, api.ErrorCodeConflict, "no resumption request is pending for this certificate")
	}
	c.Resumption.Decided, c.Resumption.DecisionReason = s.now(), req.Body.Reason
	c.Resumption.State = api.ResumptionStateRefused
	if req.Body.Decision == api.Resume {
		c.Resumption.State = api.ResumptionStateResumed
	}
	if err := s.cfg.Storage.PutCompromise(ctx, c, nil); err != nil {
		return nil, err
	}
	s.cfg.Log.Warn("resumption decided", "iin", c.IIN, "fingerprint", c.Fingerprint, "state", c.Resumption.State)
	return api.AdminDecideResumption200JSONResponse(c.Record()), nil
}

// sortCompromises orders reports oldest first.
func sortCompromises(cs []Compromise) {
	slices.SortFunc(cs, func(a, b Compromise) int { return a.Reported.Compare(b.Reported) })
}
