package exchange

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// Operations in the outbox.
const (
	OpSign     = "sign"
	OpReject   = "reject"
	OpSubmit   = "submit"
	OpPropose  = "propose_revocation"
	OpAnswer   = "answer_revocation"
	maxReason  = 2000
	statusWait = string(api.DocumentStatusAwaitingSignature)
)

// Queued is a write that waits in the outbox (and may already be sent).
type Queued struct {
	Document store.ID
	Key      string
	// Sent: the portal accepted it at once and its receipt is stored;
	// otherwise it goes at the next sync (Err says why not now).
	Sent bool
	Err  error
	// Signed is the document signature made (sign and submit).
	Signed *core.DocumentSigned
}

// linked returns a document's link and account.
func (e *Engine) linked(ctx context.Context, id store.ID) (store.Link, store.Account, error) {
	st, err := e.store()
	if err != nil {
		return store.Link{}, store.Account{}, err
	}
	l, err := st.Link(ctx, id)
	if err != nil {
		return l, store.Account{}, fmt.Errorf("document %s: %w", id, ErrNotLinked)
	}
	a, err := st.Account(ctx, l.Account)
	return l, a, err
}

// linkedFree returns a linked document's link and account when no step
// of it is still waiting to be sent (one step at a time per document).
func (e *Engine) linkedFree(ctx context.Context, id store.ID) (store.Link, store.Account, error) {
	l, a, err := e.linked(ctx, id)
	if err == nil && l.Sync == store.SyncWaiting {
		err = fmt.Errorf("a step for this document is still waiting to be sent: %w", ErrState)
	}
	return l, a, err
}

// SignAndSend signs a document received from a portal (a detached CMS over
// the exact bytes the portal published, bound by their SHA-256) and queues
// the signature; the local signature and the outbox item are one write.
func (e *Engine) SignAndSend(ctx context.Context, id store.ID, keyURI string, ui signer.UI, opts docsign.Options) (*Queued, error) {
	l, a, err := e.linkedFree(ctx, id)
	if err != nil {
		return nil, err
	}
	if l.Direction != string(api.Incoming) || l.Status != statusWait {
		return nil, fmt.Errorf("the portal's copy is %s: only a document waiting for your signature can be signed and sent: %w", l.Status, ErrState)
	}
	st, _ := e.store()
	d, err := st.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	if hex.EncodeToString(d.SHA256[:]) != l.RemoteSHA256 {
		return nil, fmt.Errorf("the local version differs from the portal's (edited here?): only the portal's bytes can be signed for it: %w", ErrState)
	}
	l.Sync, l.Conflict = store.SyncWaiting, ""
	return e.signAndQueue(ctx, a, d, l, OpSign, keyURI, ui, opts, func(sig []byte) any {
		return api.SignatureSubmission{ContentVersion: l.ContentVersion, Sha256: l.RemoteSHA256, Signature: sig}
	})
}

// signAndQueue signs a stored document's current version through the core
// (a detached CMS) and writes the signature, the document's move to
// queued, its link and the outbox item carrying body(signature) in one
// store transaction; then it tries to send at once.
func (e *Engine) signAndQueue(ctx context.Context, a store.Account, d store.Document, l store.Link, op, keyURI string,
	ui signer.UI, opts docsign.Options, body func(sig []byte) any) (*Queued, error) {
	st, _ := e.store()
	key := newKey(op)
	opts.Format, opts.Detached = docsign.FormatCMS, true
	signed, err := e.Core.SignDocument(ctx, core.DocumentSignRequest{
		Origin: a.PortalURL, KeyURI: keyURI, ID: d.ID, Options: opts,
		Save: func(ctx context.Context, ns store.NewSignature) (store.Signature, error) {
			raw, err := json.Marshal(body(ns.Bytes))
			if err != nil {
				return store.Signature{}, err
			}
			res, err := st.Exchange(ctx, store.ExchangeBatch{Account: a.Name,
				Signatures: []store.BatchSignature{{Document: d.ID, Version: d.Version, Sig: ns}},
				States:     []store.BatchState{{Document: d.ID, To: store.StateQueued, Note: "to send to " + strconv.Quote(a.Name)}},
				Links:      []store.Link{l},
				Enqueue:    []store.OutboxItem{{Key: key, Document: d.ID, Op: op, Remote: l.Remote, Body: raw}},
			})
			if err != nil {
				return store.Signature{}, err
			}
			return res.Signatures[0], nil
		},
	}, ui)
	if err != nil {
		return nil, err
	}
	q := e.flushOne(ctx, a.Name, key, d.ID)
	q.Signed = signed
	return q, nil
}

// Submit signs a document of the user's (its current version) and queues
// it for the portal.
func (e *Engine) Submit(ctx context.Context, account string, id store.ID, keyURI string, ui signer.UI, opts docsign.Options) (*Queued, error) {
	a, err := e.Account(ctx, account)
	if err != nil {
		return nil, err
	}
	st, _ := e.store()
	if l, err := st.Link(ctx, id); err == nil {
		return nil, fmt.Errorf("the document is already linked to %s (%s): %w", l.Account, l.Status, ErrState)
	}
	d, err := st.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	content, err := st.Content(ctx, id, d.Version)
	if err != nil {
		return nil, err
	}
	sum := hex.EncodeToString(d.SHA256[:])
	l := store.Link{Document: id, Direction: string(api.Outgoing), ContentVersion: 1, RemoteSHA256: sum, Sync: store.SyncWaiting}
	return e.signAndQueue(ctx, a, d, l, OpSubmit, keyURI, ui, opts, func(sig []byte) any {
		return api.NewDocument{Title: d.Title, Kind: apiKind(d.Kind), Name: d.Name, MediaType: d.MediaType,
			Content: content, Sha256: sum, Signature: sig}
	})
}

func apiKind(k store.Kind) api.DocumentKind {
	if api.DocumentKind(k).Valid() {
		return api.DocumentKind(k)
	}
	return api.DocumentKindOther
}

// Reject refuses a received document with a signed reason.
func (e *Engine) Reject(ctx context.Context, id store.ID, reason, keyURI string, ui signer.UI) (*Queued, error) {
	l, a, err := e.linkedFree(ctx, id)
	if err != nil {
		return nil, err
	}
	if l.Direction != string(api.Incoming) || l.Status != statusWait {
		return nil, fmt.Errorf("the portal's copy is %s: only a document waiting for your signature can be rejected: %w", l.Status, ErrState)
	}
	if reason == "" || len(reason) > maxReason {
		return nil, fmt.Errorf("say why the document is rejected (1 to %d characters)", maxReason)
	}
	return e.statement(ctx, a, l, OpReject, api.Statement{Action: api.StatementActionReject, Reason: reason},
		"Rejection", []store.BatchState{{Document: id, To: store.StateRejected, Note: "rejected for " + strconv.Quote(a.Name) + ": " + reason}}, keyURI, ui)
}

// ProposeRevocation asks the portal to annul a signed or submitted document.
func (e *Engine) ProposeRevocation(ctx context.Context, id store.ID, reason, keyURI string, ui signer.UI) (*Queued, error) {
	l, a, err := e.linkedFree(ctx, id)
	if err != nil {
		return nil, err
	}
	if l.Status != string(api.DocumentStatusSigned) && l.Status != string(api.DocumentStatusSubmitted) {
		return nil, fmt.Errorf("the portal's copy is %s: only a signed or submitted document can be revoked: %w", l.Status, ErrState)
	}
	if reason == "" || len(reason) > maxReason {
		return nil, fmt.Errorf("say why the document should be annulled (1 to %d characters)", maxReason)
	}
	return e.statement(ctx, a, l, OpPropose, api.Statement{Action: api.StatementActionProposeRevocation, Reason: reason},
		"Revocation proposal", nil, keyURI, ui)
}

// AnswerRevocation accepts or refuses the portal's revocation proposal.
func (e *Engine) AnswerRevocation(ctx context.Context, id store.ID, accept bool, reason, keyURI string, ui signer.UI) (*Queued, error) {
	l, a, err := e.linkedFree(ctx, id)
	if err != nil {
		return nil, err
	}
	if l.Revocation == nil || l.Revocation.State != string(api.RevocationStateRequested) || l.Revocation.ProposedBy != string(api.RevocationProposedByPortal) {
		return nil, fmt.Errorf("the portal has proposed no revocation of this document: %w", ErrState)
	}
	st := api.Statement{Action: api.StatementActionRefuseRevocation, Reason: reason, Revocation: l.Revocation.ID}
	what := "Refusal to annul"
	if accept {
		st.Action, what = api.StatementActionAcceptRevocation, "Agreement to annul"
	}
	return e.statement(ctx, a, l, OpAnswer, st, what, nil, keyURI, ui)
}

// statement signs a statement about a linked document (the consent shows
// its JSON) and queues it, with the local state changes, in one write.
func (e *Engine) statement(ctx context.Context, a store.Account, l store.Link, op string, s api.Statement, what string,
	states []store.BatchState, keyURI string, ui signer.UI) (*Queued, error) {
	st, _ := e.store()
	d, err := st.Document(ctx, l.Document)
	if err != nil {
		return nil, err
	}
	s.Portal, s.Document, s.ContentSha256, s.At = a.PortalURL, l.Remote, l.RemoteSHA256, e.now()
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	res, err := e.Core.Sign(ctx, core.SignRequest{Origin: a.PortalURL, KeyURI: keyURI, Format: signer.FormatCMS, Detached: true,
		Items: []core.Item{{Name: what + ": " + d.Title, Data: raw, MediaType: "application/json"}}}, ui)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(api.SignedStatement{Statement: raw, Signature: res.Outputs[0].Bytes})
	if err != nil {
		return nil, err
	}
	key := newKey(op)
	l.Sync, l.Conflict = store.SyncWaiting, ""
	_, err = st.Exchange(ctx, store.ExchangeBatch{Account: a.Name, States: states, Links: []store.Link{l},
		Enqueue: []store.OutboxItem{{Key: key, Document: l.Document, Op: op, Remote: l.Remote, Revocation: s.Revocation, Body: body}},
		Notes:   []store.Note{{Document: l.Document, Detail: fmt.Sprintf("%s signed for %q: %s", what, a.Name, s.Reason)}},
	})
	if err != nil {
		return nil, err
	}
	e.Core.Changed(l.Document)
	return e.flushOne(ctx, a.Name, key, l.Document), nil
}
