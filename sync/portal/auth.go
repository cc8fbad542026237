package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/api"
)

// GetPortal says who the portal is and which certificates sign its receipts.
func (s *Server) GetPortal(ctx context.Context, _ api.GetPortalRequestObject) (api.GetPortalResponseObject, error) {
	return api.GetPortal200JSONResponse(api.PortalInfo{
		Name: s.cfg.Name, Url: s.cfg.URL, ApiVersion: "1", Test: s.cfg.Test,
		ReceiptCertificates: []api.Base64{s.cfg.ReceiptCert.Raw},
	}), nil
}

// CreateChallenge makes a single-use nonce. Its bytes say what they are
// for, so that a login signature cannot be passed off as anything else.
func (s *Server) CreateChallenge(ctx context.Context, _ api.CreateChallengeRequestObject) (api.CreateChallengeResponseObject, error) {
	now := s.now()
	id, err := newID(now)
	if err != nil {
		return nil, err
	}
	var nonce [32]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	c := Challenge{ID: id, Expires: now.Add(s.cfg.ChallengeTTL),
		Data: fmt.Appendf(nil, "qoltanba-portal login\nportal: %s\nnonce: %s\nexpires: %s\n",
			s.cfg.URL, hex.EncodeToString(nonce[:]), now.Add(s.cfg.ChallengeTTL).Format("2006-01-02T15:04:05Z"))}
	if err := s.cfg.Storage.PutChallenge(ctx, c); err != nil {
		return nil, err
	}
	return api.CreateChallenge201JSONResponse(api.Challenge{Id: c.ID, Data: c.Data, ExpiresAt: c.Expires}), nil
}

// CreateSession logs in: the signature must cover exactly the challenge's
// bytes, the challenge be unused and unexpired (it is spent either way),
// the certificate chain to a trusted root, be valid and not revoked now,
// and be an authentication key that names an IIN.
func (s *Server) CreateSession(ctx context.Context, req api.CreateSessionRequestObject) (api.CreateSessionResponseObject, error) {
	c, err := s.cfg.Storage.TakeChallenge(ctx, req.Body.Challenge)
	if errors.Is(err, ErrNotFound) {
		return nil, forbidden("unknown or already used challenge: ask for a new one")
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(c.Expires) {
		return nil, forbidden("the challenge expired at %s: ask for a new one", c.Expires.Format("15:04:05"))
	}
	v, p := s.verify(ctx, req.Body.Signature, c.Data)
	if p != nil {
		return nil, p
	}
	switch {
	case now.After(v.cert.NotAfter) || now.Before(v.cert.NotBefore):
		return nil, forbidden("the certificate is not valid now (valid %s to %s)",
			v.cert.NotBefore.Format("2006-01-02"), v.cert.NotAfter.Format("2006-01-02"))
	case v.verdict.StatusAtReceipt != string(pki.StatusGood):
		return nil, forbidden("the certificate's status is %s", v.verdict.StatusAtReceipt)
	case v.id.Purpose != pki.PurposeAuth:
		return nil, forbidden("log in with the authentication (AUTH) key, not the signing key")
	case v.id.IIN == "":
		return nil, forbidden("the certificate names no IIN")
	}
	token, hash, err := newToken()
	if err != nil {
		return nil, err
	}
	sess := Session{TokenHash: hash, User: v.verdict.Signer, Expires: now.Add(s.cfg.SessionTTL), Certificate: pki.Fingerprint(v.cert), Opened: now}
	if sess.Expires.After(v.cert.NotAfter) {
		sess.Expires = v.cert.NotAfter
	}
	if err := s.cfg.Storage.PutSession(ctx, sess); err != nil {
		return nil, err
	}
	s.cfg.Log.Info("login", "iin", sess.User.Iin, "bin", sess.User.Bin)
	return api.CreateSession201JSONResponse(api.Session{Token: token, ExpiresAt: sess.Expires, User: sess.User}), nil
}

func (s *Server) GetSession(ctx context.Context, req api.GetSessionRequestObject) (api.GetSessionResponseObject, error) {
	_, sess, err := s.currentSession(ctx, req)
	if err != nil {
		return nil, err
	}
	return api.GetSession200JSONResponse(api.Session{Token: "", ExpiresAt: sess.Expires, User: sess.User}), nil
}

func (s *Server) DeleteSession(ctx context.Context, req api.DeleteSessionRequestObject) (api.DeleteSessionResponseObject, error) {
	h, _, err := s.currentSession(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Storage.DeleteSession(ctx, h); err != nil {
		return nil, err
	}
	return api.DeleteSession204Response{}, nil
}

// currentSession finds the caller's session again by its token (the
// strict handler passes no request; the token rides in the context).
func (s *Server) currentSession(ctx context.Context, _ any) ([32]byte, Session, error) {
	token, _ := ctx.Value(ctxToken).(string)
	h := sha256.Sum256([]byte(token))
	sess, err := s.cfg.Storage.Session(ctx, h)
	if err != nil {
		return h, sess, refuse(http.StatusUnauthorized, api.ErrorCodeUnauthorized, "no session")
	}
	return h, sess, nil
}

const ctxToken ctxKey = 101

// audiences are the feeds a user reads: their IIN's and their company's.
func audiences(u api.User) []string {
	out := []string{"iin:" + u.Iin}
	if u.Bin != "" {
		out = append(out, "bin:"+u.Bin)
	}
	return out
}

// docAudiences are the feeds a document's events go to.
func docAudiences(d api.Document) []string {
	var out []string
	for _, p := range []api.Party{d.To, d.From} {
		switch {
		case p.Bin != "" && p.Iin == "":
			out = append(out, "bin:"+p.Bin)
		case p.Iin != "":
			out = append(out, "iin:"+p.Iin)
		}
	}
	return out
}

// sees: the document is addressed to the user (their IIN, or their
// company's BIN) or was sent by them. Everything else does not exist for
// them.
func sees(u api.User, d api.Document) bool {
	return addressedTo(u, d.To) || (d.From.Iin != "" && addressedTo(u, d.From))
}

func addressedTo(u api.User, p api.Party) bool {
	switch {
	case p.Iin != "":
		return p.Iin == u.Iin && (p.Bin == "" || p.Bin == u.Bin)
	case p.Bin != "":
		return p.Bin == u.Bin
	}
	return false
}

// maySign: a document for a company is signed by its head or an
// authorised signer; a personal one by that person.
func maySign(u api.User, d api.Document) bool {
	if !addressedTo(u, d.To) {
		return false
	}
	if d.To.Iin == "" && d.To.Bin != "" {
		for _, r := range u.Roles {
			if r == string(pki.RoleHead) || r == string(pki.RoleSigner) {
				return true
			}
		}
		return false
	}
	return true
}

func party(u api.User) api.Party {
	return api.Party{Iin: u.Iin, Bin: u.Bin, Name: strings.TrimSpace(u.Name)}
}
