package portal

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/qoltanba/qoltanba/sync/api"
)

// The operator's side: publish documents, replace a document's content
// before anyone signed it, and take the portal's part in a revocation
// (signed with the portal's key, like its receipts).

func (s *Server) AdminListDocuments(ctx context.Context, req api.AdminListDocumentsRequestObject) (api.AdminListDocumentsResponseObject, error) {
	limit := req.Params.Limit
	if limit == 0 {
		limit = 100
	}
	docs, err := s.cfg.Storage.Documents(ctx, req.Params.Status, limit)
	if err != nil {
		return nil, err
	}
	if docs == nil {
		docs = []api.Document{}
	}
	return api.AdminListDocuments200JSONResponse(docs), nil
}

func (s *Server) AdminGetDocument(ctx context.Context, req api.AdminGetDocumentRequestObject) (api.AdminGetDocumentResponseObject, error) {
	d, err := s.cfg.Storage.Document(ctx, req.Id)
	if err != nil {
		return nil, notFound("document " + req.Id)
	}
	h, err := s.cfg.Storage.History(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return api.AdminGetDocument200JSONResponse(api.DocumentDetail{Document: d, History: h}), nil
}

func (s *Server) portalParty() api.Party { return api.Party{Name: s.cfg.Name} }

// AdminPublish sends a document to a person or a company.
func (s *Server) AdminPublish(ctx context.Context, req api.AdminPublishRequestObject) (api.AdminPublishResponseObject, error) {
	b := req.Body
	if b.To.Iin == "" && b.To.Bin == "" {
		return nil, badRequest("say whom the document is for: an IIN, a BIN, or both")
	}
	if len(b.Content) == 0 {
		return nil, badRequest("the document is empty")
	}
	now := s.now()
	id, err := newID(now)
	if err != nil {
		return nil, err
	}
	d := api.Document{Id: id, Revision: 1, Title: b.Title, Kind: b.Kind, Name: baseName(b.Name),
		MediaType: mediaType(b.MediaType, b.Name), Size: int64(len(b.Content)), Sha256: hexSHA256(b.Content),
		ContentVersion: 1, Direction: api.Incoming, From: s.portalParty(), To: b.To,
		Status: api.DocumentStatusAwaitingSignature, Created: now, Updated: now}
	e := api.Entry{Revision: 1, Type: api.EntryTypePublished, At: now, By: s.portalParty(), ContentVersion: 1, ContentSha256: d.Sha256}
	resp := api.AdminPublish201JSONResponse(d)
	if err := s.commit(ctx, d, e, b.Content, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// AdminReplaceContent publishes a new content version; only while nobody
// has signed (a signature is of fixed bytes, never silently moved).
func (s *Server) AdminReplaceContent(ctx context.Context, req api.AdminReplaceContentRequestObject) (api.AdminReplaceContentResponseObject, error) {
	defer s.lock(req.Id)()
	d, err := s.cfg.Storage.Document(ctx, req.Id)
	if err != nil {
		return nil, notFound("document " + req.Id)
	}
	if d.Status != api.DocumentStatusAwaitingSignature {
		return nil, refuse(http.StatusConflict, api.ErrorCodeConflict, "the document is %s: its content can no longer change", d.Status)
	}
	if len(req.Body.Content) == 0 {
		return nil, badRequest("the document is empty")
	}
	now := s.now()
	d.Revision++
	d.ContentVersion++
	d.Updated = now
	d.Name, d.MediaType = baseName(req.Body.Name), mediaType(req.Body.MediaType, req.Body.Name)
	d.Size, d.Sha256 = int64(len(req.Body.Content)), hexSHA256(req.Body.Content)
	e := api.Entry{Revision: d.Revision, Type: api.EntryTypeContentReplaced, At: now, By: s.portalParty(),
		ContentVersion: d.ContentVersion, ContentSha256: d.Sha256}
	resp := api.AdminReplaceContent201JSONResponse(d)
	if err := s.commit(ctx, d, e, req.Body.Content, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// AdminRevocation: the portal proposes, accepts or refuses a revocation,
// signing its statement with its own key.
func (s *Server) AdminRevocation(ctx context.Context, req api.AdminRevocationRequestObject) (api.AdminRevocationResponseObject, error) {
	defer s.lock(req.Id)()
	d, err := s.cfg.Storage.Document(ctx, req.Id)
	if err != nil {
		return nil, notFound("document " + req.Id)
	}
	b := req.Body
	now := s.now()
	st := api.Statement{Action: api.StatementAction(b.Action), Portal: s.cfg.URL, Document: d.Id,
		ContentSha256: d.Sha256, Revocation: b.Revocation, Reason: b.Reason, At: now}
	var e api.Entry
	switch b.Action {
	case api.AdminRevocationActionProposeRevocation:
		if d.Status != api.DocumentStatusSigned && d.Status != api.DocumentStatusSubmitted {
			return nil, refuse(http.StatusConflict, api.ErrorCodeConflict, "the document is %s: only a signed or submitted document can be revoked", d.Status)
		}
		rid, err := newID(now)
		if err != nil {
			return nil, err
		}
		st.Revocation = ""
		d.Revocation = api.Revocation{Id: rid, ProposedBy: api.RevocationProposedByPortal, State: api.RevocationStateRequested,
			Reason: b.Reason, PreviousStatus: d.Status}
		d.Status = api.DocumentStatusRevocationRequested
		e = api.Entry{Type: api.EntryTypeRevocationProposed, ContentVersion: d.ContentVersion, ContentSha256: d.Sha256, Reason: b.Reason}
	default:
		if p := pendingRevocation(d, b.Revocation, api.RevocationProposedByUser); p != nil {
			return nil, p
		}
		e = answerRevocation(&d, st.Action, b.Reason)
	}
	statement, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	sig, err := s.portalSign(statement)
	if err != nil {
		return nil, err
	}
	d.Revision++
	d.Updated = now
	e.Revision, e.At, e.By, e.Statement, e.Signature = d.Revision, now, s.portalParty(), statement, sig
	resp := api.AdminRevocation201JSONResponse(d)
	if err := s.commit(ctx, d, e, nil, resp); err != nil {
		return nil, err
	}
	return resp, nil
}
