package portal

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/qoltanba/qoltanba/sync/api"
)

// ListEvents pages through the user's feed. The cursor is opaque to
// clients: the database's epoch and a sequence number, so that a cursor
// from another database is recognised (410) rather than misread.
func (s *Server) ListEvents(ctx context.Context, req api.ListEventsRequestObject) (api.ListEventsResponseObject, error) {
	limit := req.Params.Limit
	if limit == 0 {
		limit = 100
	}
	var after uint64
	if req.Params.After != "" {
		var ok bool
		if after, ok = s.parseCursor(req.Params.After); !ok {
			return nil, refuse(http.StatusGone, api.ErrorCodeGone, "unknown cursor: read the feed again from the start")
		}
	}
	events, err := s.cfg.Storage.Events(ctx, audiences(userOf(ctx)), after, limit+1)
	if err != nil {
		return nil, err
	}
	page := api.EventPage{Events: []api.Event{}, Next: req.Params.After}
	if len(events) > limit {
		events, page.HasMore = events[:limit], true
	}
	for _, e := range events {
		page.Events = append(page.Events, e.Event)
		page.Next = s.cursor(e.Seq)
	}
	return api.ListEvents200JSONResponse(page), nil
}

func (s *Server) cursor(seq uint64) string {
	return base64.RawURLEncoding.EncodeToString(binary.BigEndian.AppendUint64([]byte(s.cfg.Storage.Epoch()), seq))
}

func (s *Server) parseCursor(c string) (uint64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	epoch := s.cfg.Storage.Epoch()
	if err != nil || len(raw) != len(epoch)+8 || string(raw[:len(epoch)]) != epoch {
		return 0, false
	}
	return binary.BigEndian.Uint64(raw[len(epoch):]), true
}

// visible loads a document the user may see; anything else is not found.
func (s *Server) visible(ctx context.Context, id string) (api.Document, error) {
	d, err := s.cfg.Storage.Document(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && !sees(userOf(ctx), d) {
		return d, notFound("document " + id)
	}
	return d, err
}

func (s *Server) GetDocument(ctx context.Context, req api.GetDocumentRequestObject) (api.GetDocumentResponseObject, error) {
	d, err := s.visible(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	h, err := s.cfg.Storage.History(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return api.GetDocument200JSONResponse(api.DocumentDetail{Document: d, History: h}), nil
}

func (s *Server) GetContent(ctx context.Context, req api.GetContentRequestObject) (api.GetContentResponseObject, error) {
	d, err := s.visible(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	v := req.Params.Version
	if v == 0 {
		v = d.ContentVersion
	}
	data, err := s.cfg.Storage.Content(ctx, d.Id, v)
	if errors.Is(err, ErrNotFound) {
		return nil, notFound(fmt.Sprintf("version %d of document %s", v, d.Id))
	} else if err != nil {
		return nil, err
	}
	digest := "sha-256=" + base64.StdEncoding.EncodeToString(sha256Sum(data))
	return api.GetContent200ApplicationoctetStreamResponse{Body: bytes.NewReader(data), ContentLength: int64(len(data)),
		Headers: api.GetContent200ResponseHeaders{Digest: digest}}, nil
}

// SignDocument accepts the user's signature over the current content.
func (s *Server) SignDocument(ctx context.Context, req api.SignDocumentRequestObject) (api.SignDocumentResponseObject, error) {
	defer s.lock(req.Id)()
	u := userOf(ctx)
	d, err := s.visible(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	b := req.Body
	switch {
	case !maySign(u, d):
		return nil, forbidden("this document is not for you to sign")
	case d.Status == api.DocumentStatusRevoked || d.Status == api.DocumentStatusRevocationRequested:
		return nil, refuse(http.StatusConflict, api.ErrorCodeRevoked, "the document is revoked or its revocation is pending: it can no longer be signed")
	case b.ContentVersion != d.ContentVersion || b.Sha256 != d.Sha256:
		return nil, refuse(http.StatusConflict, api.ErrorCodeChanged,
			"the document changed: version %d (SHA-256 %s) is current, the signature is of version %d", d.ContentVersion, d.Sha256, b.ContentVersion)
	case d.Status != api.DocumentStatusAwaitingSignature:
		return nil, refuse(http.StatusConflict, api.ErrorCodeConflict, "the document is %s: it is not waiting for a signature", d.Status)
	}
	content, err := s.cfg.Storage.Content(ctx, d.Id, d.ContentVersion)
	if err != nil {
		return nil, err
	}
	v, p := s.verifySigner(ctx, u, d, b.Signature, content)
	if p != nil {
		return nil, p
	}
	d.Status = api.DocumentStatusSigned
	e := api.Entry{Type: api.EntryTypeSigned, By: party(v.verdict.Signer), ContentVersion: d.ContentVersion,
		ContentSha256: d.Sha256, Signature: b.Signature}
	resp, err := s.accept(ctx, d, e, nil, v, b.Signature, nil, signed201)
	if err != nil {
		return nil, err
	}
	return resp.(api.SignDocument201JSONResponse), nil
}

// verifySigner verifies a user's signature and that it is the user's: the
// signing certificate names the logged-in IIN (and the document's BIN for
// a company's document), and is a signing key, not the AUTH one.
func (s *Server) verifySigner(ctx context.Context, u api.User, d api.Document, sig, data []byte) (*verified, *problem) {
	v, p := s.verify(ctx, sig, data)
	if p != nil {
		return nil, p
	}
	switch {
	case v.id.IIN != u.Iin:
		return nil, forbidden("the signature is by %s (IIN %s), not by the logged-in user", v.id.CommonName, v.id.IIN)
	case d.To.Bin != "" && v.id.BIN != d.To.Bin && d.Direction == api.Incoming:
		return nil, forbidden("the document is for the company with BIN %s; the signing key is not that company's", d.To.Bin)
	case v.id.Purpose == "auth":
		return nil, forbidden("documents are signed with the signing key, not the authentication (AUTH) key")
	}
	return v, nil
}

// respond builds a write's 201 answer from the document and its receipt.
type respond func(d api.Document, receipt []byte) any

func signed201(d api.Document, receipt []byte) any {
	return api.SignDocument201JSONResponse(api.Submitted{Document: d, Receipt: receipt})
}

// accept appends an entry to a document with the portal's receipt and
// answers. statement is the signed statement's bytes (nil for a content
// signature); content a new document's first version.
func (s *Server) accept(ctx context.Context, d api.Document, e api.Entry, content []byte, v *verified,
	sig, statement []byte, answer respond) (any, error) {
	now := s.now()
	d.Revision++
	d.Updated = now
	e.Revision, e.At = d.Revision, now
	if statement != nil {
		e.Statement = statement
	}
	body := api.ReceiptBody{Portal: s.cfg.URL, Document: d.Id, Revision: d.Revision, Entry: e.Type,
		ReceivedAt: now, ContentSha256: d.Sha256, SignatureSha256: hexSHA256(sig), Verdict: v.verdict}
	if op, _ := ctx.Value(ctxOperation).(*Operation); op != nil {
		body.IdempotencyKey = op.Key
	}
	if statement != nil {
		body.StatementSha256 = hexSHA256(statement)
	}
	var err error
	if body.Id, err = newID(now); err != nil {
		return nil, err
	}
	receipt, p := s.receipt(ctx, body)
	if p != nil {
		return nil, p
	}
	e.Receipt = receipt
	resp := answer(d, receipt)
	if err := s.commit(ctx, d, e, content, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// commit stores one history step and, in the same transaction, the
// answer the write is about to send under its Idempotency-Key.
func (s *Server) commit(ctx context.Context, d api.Document, e api.Entry, content []byte, resp any) error {
	raw, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	ch := Change{Document: d, Entry: e, Content: content, Audiences: docAudiences(d),
		Op: commitOp(ctx, http.StatusCreated, append(raw, '\n'))}
	err = s.cfg.Storage.Commit(ctx, ch)
	if errors.Is(err, ErrRevision) {
		return retryLater(http.StatusConflict, api.ErrorCodeConflict, 1, "the document changed meanwhile; send the request again")
	}
	return err
}

// SubmitDocument accepts the user's own signed document.
func (s *Server) SubmitDocument(ctx context.Context, req api.SubmitDocumentRequestObject) (api.SubmitDocumentResponseObject, error) {
	u := userOf(ctx)
	b := req.Body
	if hexSHA256(b.Content) != b.Sha256 {
		return nil, badRequest("the content's SHA-256 is %s, not %s as the request says", hexSHA256(b.Content), b.Sha256)
	}
	if len(b.Content) == 0 {
		return nil, badRequest("the document is empty")
	}
	now := s.now()
	id, err := newID(now)
	if err != nil {
		return nil, err
	}
	d := api.Document{Id: id, Title: b.Title, Kind: b.Kind, Name: baseName(b.Name), MediaType: mediaType(b.MediaType, b.Name),
		Size: int64(len(b.Content)), Sha256: b.Sha256, ContentVersion: 1, Direction: api.Outgoing,
		From: party(u), To: api.Party{Name: s.cfg.Name}, Status: api.DocumentStatusSubmitted, Created: now}
	v, p := s.verifySigner(ctx, u, d, b.Signature, b.Content)
	if p != nil {
		return nil, p
	}
	e := api.Entry{Type: api.EntryTypeSubmitted, By: party(v.verdict.Signer), ContentVersion: 1,
		ContentSha256: d.Sha256, Signature: b.Signature}
	resp, err := s.accept(ctx, d, e, b.Content, v, b.Signature, nil, func(d api.Document, r []byte) any {
		return api.SubmitDocument201JSONResponse(api.Submitted{Document: d, Receipt: r})
	})
	if err != nil {
		return nil, err
	}
	return resp.(api.SubmitDocument201JSONResponse), nil
}

func baseName(name string) string {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	if name == "" {
		return "document"
	}
	return name
}

func mediaType(given, name string) string {
	if given != "" {
		return given
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		if t := mime.TypeByExtension(name[i:]); t != "" {
			return t
		}
	}
	return "application/octet-stream"
}
