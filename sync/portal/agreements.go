package portal

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
	"github.com/qoltanba/qoltanba/sync/acceptance"
	"github.com/qoltanba/qoltanba/sync/api"
)

// Agreements: the portal publishes versions of its agreements in one or
// more languages; a user accepts a version by signing an acceptance
// statement (sync/acceptance) that binds the SHA-256 of exactly the text
// shown; the portal verifies it like any signature and answers with its
// receipt.

// agreementOf is an agreement as a user sees it (with their acceptance).
func agreementOf(a AgreementVersion, acc *Acceptance) api.Agreement {
	out := api.Agreement{Id: a.ID, Title: a.Title, Version: a.Version, Published: a.Published, Texts: a.Texts}
	if acc != nil {
		out.Accepted = api.AcceptanceRecord{Version: acc.Version, Language: api.Language(acc.Language), At: acc.At}
	}
	return out
}

func (s *Server) ListAgreements(ctx context.Context, _ api.ListAgreementsRequestObject) (api.ListAgreementsResponseObject, error) {
	all, err := s.cfg.Storage.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	mine, err := s.cfg.Storage.Acceptances(ctx, scopeOf(ctx))
	if err != nil {
		return nil, err
	}
	out := []api.Agreement{}
	for _, a := range all {
		var acc *Acceptance
		if m, ok := mine[a.ID]; ok {
			acc = &m
		}
		out = append(out, agreementOf(a, acc))
	}
	return api.ListAgreements200JSONResponse(out), nil
}

func (s *Server) GetAgreementText(ctx context.Context, req api.GetAgreementTextRequestObject) (api.GetAgreementTextResponseObject, error) {
	text, err := s.cfg.Storage.AgreementText(ctx, req.Id, req.Version, string(req.Language))
	if errors.Is(err, ErrNotFound) {
		return nil, notFound("agreement text")
	} else if err != nil {
		return nil, err
	}
	return api.GetAgreementText200TextResponse{Body: string(text), Headers: api.GetAgreementText200ResponseHeaders{
		Digest: "sha-256=" + base64.StdEncoding.EncodeToString(sha256Sum(text))}}, nil
}

// AcceptAgreement checks an acceptance: the current version, a text in
// that language with that digest, a valid XML signature over the whole
// statement by the logged-in user's signing key, and a statement that
// says exactly this portal, agreement, version, language and digest.
func (s *Server) AcceptAgreement(ctx context.Context, req api.AcceptAgreementRequestObject) (api.AcceptAgreementResponseObject, error) {
	u := userOf(ctx)
	b := req.Body
	all, err := s.cfg.Storage.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	var current *AgreementVersion
	for i := range all {
		if all[i].ID == req.Id {
			current = &all[i]
		}
	}
	switch {
	case current == nil:
		return nil, notFound("agreement " + req.Id)
	case b.Version != current.Version:
		return nil, refuse(http.StatusConflict, api.ErrorCodeChanged, "version %d of the agreement is current, not %d", current.Version, b.Version)
	}
	var textSHA string
	for _, t := range current.Texts {
		if t.Language == b.Language {
			textSHA = t.Sha256
		}
	}
	switch {
	case textSHA == "":
		return nil, badRequest("the agreement has no text in %q", b.Language)
	case textSHA != b.TextSha256:
		return nil, refuse(http.StatusConflict, api.ErrorCodeChanged, "the text's SHA-256 is %s, not %s", textSHA, b.TextSha256)
	}
	ev, err := xmldsig.Verify(b.Acceptance)
	if err != nil {
		return nil, badRequest("the acceptance is not a signed XML document: %v", err)
	}
	if len(ev) != 1 || ev[0].Scope != "whole document" {
		return nil, badRequest("the acceptance must carry one signature over the whole statement")
	}
	v, p := s.judge(ctx, ev)
	if p != nil {
		return nil, p
	}
	st, err := acceptance.Parse(b.Acceptance)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	switch {
	case v.id.IIN != u.Iin:
		return nil, forbidden("the acceptance is signed by %s (IIN %s), not by the logged-in user", v.id.CommonName, v.id.IIN)
	case v.id.Purpose == pki.PurposeAuth:
		return nil, forbidden("agreements are accepted with the signing key, not the authentication (AUTH) key")
	case st.Portal != s.cfg.URL || st.Agreement != req.Id || st.Version != b.Version || st.Language != string(b.Language) ||
		st.TextSHA256 != b.TextSha256 || st.IIN != v.id.IIN:
		return nil, badRequest("the signed statement does not say this portal, agreement, version, language, text digest and signer")
	case st.SigningTime.After(s.now().Add(maxClockSkew)):
		return nil, badRequest("the statement is dated in the future")
	}
	now := s.now()
	body := api.ReceiptBody{Portal: s.cfg.URL, Document: req.Id, Revision: int64(b.Version), Entry: api.EntryTypeAgreementAccepted,
		ReceivedAt: now, ContentSha256: b.TextSha256, SignatureSha256: hexSHA256(b.Acceptance), Verdict: v.verdict}
	if op, _ := ctx.Value(ctxOperation).(*Operation); op != nil {
		body.IdempotencyKey = op.Key
	}
	if body.Id, err = newID(now); err != nil {
		return nil, err
	}
	receipt, p := s.receipt(ctx, body)
	if p != nil {
		return nil, p
	}
	acc := Acceptance{Agreement: req.Id, Version: b.Version, Language: string(b.Language), Scope: scopeOf(ctx),
		IIN: u.Iin, BIN: u.Bin, At: now, XML: b.Acceptance, Receipt: receipt}
	resp := api.AcceptAgreement201JSONResponse(api.AgreementAccepted{Agreement: agreementOf(*current, &acc), Receipt: receipt})
	raw, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Storage.PutAcceptance(ctx, acc, commitOp(ctx, http.StatusCreated, append(raw, '\n'))); err != nil {
		return nil, err
	}
	s.cfg.Log.Info("agreement accepted", "agreement", req.Id, "version", b.Version, "iin", u.Iin)
	return resp, nil
}

func (s *Server) AdminListAgreements(ctx context.Context, _ api.AdminListAgreementsRequestObject) (api.AdminListAgreementsResponseObject, error) {
	all, err := s.cfg.Storage.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	out := []api.Agreement{}
	for _, a := range all {
		out = append(out, agreementOf(a, nil))
	}
	return api.AdminListAgreements200JSONResponse(out), nil
}

// AdminPublishAgreement publishes an agreement or its next version.
func (s *Server) AdminPublishAgreement(ctx context.Context, req api.AdminPublishAgreementRequestObject) (api.AdminPublishAgreementResponseObject, error) {
	b := req.Body
	now := s.now()
	a := AgreementVersion{ID: b.Id, Version: 1, Title: b.Title, Published: now, Bodies: map[string][]byte{}}
	if a.ID == "" {
		var err error
		if a.ID, err = newID(now); err != nil {
			return nil, err
		}
	} else {
		defer s.lock(a.ID)()
		all, err := s.cfg.Storage.Agreements(ctx)
		if err != nil {
			return nil, err
		}
		a.Version = 0
		for _, c := range all {
			if c.ID == a.ID {
				a.Version = c.Version + 1
			}
		}
		if a.Version == 0 {
			return nil, notFound("agreement " + a.ID)
		}
	}
	for _, t := range b.Texts {
		lang := string(t.Language)
		switch {
		case a.Bodies[lang] != nil:
			return nil, badRequest("two texts in %q", lang)
		case len(t.Text) == 0 || !utf8.Valid(t.Text) || bytes.IndexByte(t.Text, 0) >= 0:
			return nil, badRequest("the %q text is empty or not UTF-8 text", lang)
		}
		a.Bodies[lang] = t.Text
		a.Texts = append(a.Texts, api.AgreementText{Language: t.Language, Sha256: hexSHA256(t.Text), Size: int64(len(t.Text))})
	}
	resp := api.AdminPublishAgreement201JSONResponse(agreementOf(a, nil))
	raw, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Storage.PutAgreement(ctx, a, commitOp(ctx, http.StatusCreated, append(raw, '\n')))
	if errors.Is(err, ErrRevision) {
		return nil, retryLater(http.StatusConflict, api.ErrorCodeConflict, 1, "the agreement changed meanwhile; send the request again")
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}
