package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/qoltanba/qoltanba/sync/api"
)

// maxClockSkew: a statement may claim a time this far ahead of the portal's.
const maxClockSkew = 5 * time.Minute

// statement reads a signed statement and checks that it says what the
// request means: this portal, this document and its content, this action
// (and revocation), a time not in the future. The bytes are kept as sent:
// the signature is over them.
func (s *Server) statement(raw []byte, d api.Document, action api.StatementAction, revocation string) (api.Statement, *problem) {
	var st api.Statement
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return st, badRequest("the statement is not the JSON the API describes: %v", err)
	}
	switch {
	case st.Action != action:
		return st, badRequest("the statement says %q where %q is asked", st.Action, action)
	case st.Portal != s.cfg.URL:
		return st, badRequest("the statement names the portal %q, not this one (%s)", st.Portal, s.cfg.URL)
	case st.Document != d.Id:
		return st, badRequest("the statement is about document %s, not %s", st.Document, d.Id)
	case st.ContentSha256 != d.Sha256:
		return st, refuse(http.StatusConflict, api.ErrorCodeChanged, "the statement is about content %s; the document's is %s", st.ContentSha256, d.Sha256)
	case st.Revocation != revocation:
		return st, badRequest("the statement names revocation %q, not %q", st.Revocation, revocation)
	case st.At.After(s.now().Add(maxClockSkew)):
		return st, badRequest("the statement is dated in the future (%s)", st.At.Format(time.RFC3339))
	case action == api.StatementActionReject && st.Reason == "":
		return st, badRequest("a rejection needs a reason")
	}
	return st, nil
}

// RejectDocument records the user's signed refusal.
func (s *Server) RejectDocument(ctx context.Context, req api.RejectDocumentRequestObject) (api.RejectDocumentResponseObject, error) {
	defer s.lock(req.Id)()
	u := userOf(ctx)
	d, err := s.visible(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	if !maySign(u, d) {
		return nil, forbidden("this document is not for you to sign or reject")
	}
	if d.Status != api.DocumentStatusAwaitingSignature {
		return nil, refuse(http.StatusConflict, api.ErrorCodeConflict, "the document is %s: only a document waiting for a signature can be rejected", d.Status)
	}
	st, p := s.statement(req.Body.Statement, d, api.StatementActionReject, "")
	if p != nil {
		return nil, p
	}
	v, p := s.verifySigner(ctx, u, d, req.Body.Signature, req.Body.Statement)
	if p != nil {
		return nil, p
	}
	d.Status = api.DocumentStatusRejected
	e := api.Entry{Type: api.EntryTypeRejected, By: party(v.verdict.Signer), ContentVersion: d.ContentVersion,
		ContentSha256: d.Sha256, Reason: st.Reason, Signature: req.Body.Signature}
	resp, err := s.accept(ctx, d, e, nil, v, req.Body.Signature, req.Body.Statement, func(d api.Document, r []byte) any {
		return api.RejectDocument201JSONResponse(api.Submitted{Document: d, Receipt: r})
	})
	if err != nil {
		return nil, err
	}
	return resp.(api.RejectDocument201JSONResponse), nil
}

// ProposeRevocation: the user asks to annul a signed or submitted document.
func (s *Server) ProposeRevocation(ctx context.Context, req api.ProposeRevocationRequestObject) (api.ProposeRevocationResponseObject, error) {
	defer s.lock(req.Id)()
	u := userOf(ctx)
	d, err := s.visible(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	if d.Status != api.DocumentStatusSigned && d.Status != api.DocumentStatusSubmitted {
		return nil, refuse(http.StatusConflict, api.ErrorCodeConflict, "the document is %s: only a signed or submitted document can be revoked", d.Status)
	}
	if d.Direction == api.Incoming && !maySign(u, d) {
		return nil, forbidden("only a signer of this document can propose its revocation")
	}
	st, p := s.statement(req.Body.Statement, d, api.StatementActionProposeRevocation, "")
	if p != nil {
		return nil, p
	}
	v, p := s.verifySigner(ctx, u, d, req.Body.Signature, req.Body.Statement)
	if p != nil {
		return nil, p
	}
	rid, err := newID(s.now())
	if err != nil {
		return nil, err
	}
	d.Revocation = api.Revocation{Id: rid, ProposedBy: api.RevocationProposedByUser, State: api.RevocationStateRequested,
		Reason: st.Reason, PreviousStatus: d.Status}
	d.Status = api.DocumentStatusRevocationRequested
	e := api.Entry{Type: api.EntryTypeRevocationProposed, By: party(v.verdict.Signer), ContentVersion: d.ContentVersion,
		ContentSha256: d.Sha256, Reason: st.Reason, Signature: req.Body.Signature}
	resp, err := s.accept(ctx, d, e, nil, v, req.Body.Signature, req.Body.Statement, func(d api.Document, r []byte) any {
		return api.ProposeRevocation201JSONResponse(api.Submitted{Document: d, Receipt: r})
	})
	if err != nil {
		return nil, err
	}
	return resp.(api.ProposeRevocation201JSONResponse), nil
}

// AnswerRevocation: the user accepts or refuses the portal's proposal.
func (s *Server) AnswerRevocation(ctx context.Context, req api.AnswerRevocationRequestObject) (api.AnswerRevocationResponseObject, error) {
	defer s.lock(req.Id)()
	u := userOf(ctx)
	d, err := s.visible(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	if p := pendingRevocation(d, req.Revocation, api.RevocationProposedByPortal); p != nil {
		return nil, p
	}
	if d.Direction == api.Incoming && !maySign(u, d) {
		return nil, forbidden("only a signer of this document can answer its revocation")
	}
	var st api.Statement
	if err := json.Unmarshal(req.Body.Statement, &st); err != nil {
		return nil, badRequest("the statement is not the JSON the API describes: %v", err)
	}
	if st.Action != api.StatementActionAcceptRevocation && st.Action != api.StatementActionRefuseRevocation {
		return nil, badRequest("an answer to a revocation accepts or refuses it, not %q", st.Action)
	}
	if _, p := s.statement(req.Body.Statement, d, st.Action, req.Revocation); p != nil {
		return nil, p
	}
	v, p := s.verifySigner(ctx, u, d, req.Body.Signature, req.Body.Statement)
	if p != nil {
		return nil, p
	}
	e := answerRevocation(&d, st.Action, st.Reason)
	e.By, e.Signature = party(v.verdict.Signer), req.Body.Signature
	resp, err := s.accept(ctx, d, e, nil, v, req.Body.Signature, req.Body.Statement, func(d api.Document, r []byte) any {
		return api.AnswerRevocation201JSONResponse(api.Submitted{Document: d, Receipt: r})
	})
	if err != nil {
		return nil, err
	}
	return resp.(api.AnswerRevocation201JSONResponse), nil
}

// pendingRevocation: the revocation rid is waiting for an answer from the
// side that did not propose it.
func pendingRevocation(d api.Document, rid string, proposedBy api.RevocationProposedBy) *problem {
	switch {
	case d.Status != api.DocumentStatusRevocationRequested || d.Revocation.Id != rid:
		return refuse(http.StatusConflict, api.ErrorCodeConflict, "no revocation %s is waiting for an answer on document %s", rid, d.Id)
	case d.Revocation.ProposedBy != proposedBy:
		return refuse(http.StatusConflict, api.ErrorCodeConflict, "a revocation is answered by the other side, not by the side that proposed it")
	}
	return nil
}

// answerRevocation applies an accept or refuse to d and returns the entry.
func answerRevocation(d *api.Document, action api.StatementAction, reason string) api.Entry {
	e := api.Entry{ContentVersion: d.ContentVersion, ContentSha256: d.Sha256, Reason: reason}
	if action == api.StatementActionAcceptRevocation {
		d.Status, d.Revocation.State = api.DocumentStatusRevoked, api.RevocationStateAccepted
		e.Type = api.EntryTypeRevocationAccepted
	} else {
		d.Status, d.Revocation.State = d.Revocation.PreviousStatus, api.RevocationStateRefused
		e.Type = api.EntryTypeRevocationRefused
	}
	return e
}
