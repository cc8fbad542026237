package exchange

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/store"
)

// maxBackoff bounds the wait between attempts of one outbox item.
const maxBackoff = 5 * time.Minute

// answer is what one attempt got.
type answer struct {
	status int
	sub    *api.Submitted // a document's step; for an acceptance, its receipt and the agreement
	agreed *api.Agreement
	err    error // nil with sub set: accepted
}

// flushOne tries to send one freshly queued item now; whatever happens it
// stays safe in the outbox until settled.
func (e *Engine) flushOne(ctx context.Context, account, key string, id store.ID) *Queued {
	q := &Queued{Document: id, Key: key}
	a, err := e.loggedIn(ctx, account)
	if err != nil {
		q.Err = err
		return q
	}
	st, _ := e.store()
	items, err := st.Outbox(ctx, account)
	if err != nil {
		q.Err = err
		return q
	}
	for _, it := range items {
		if it.Key == key {
			q.Sent, q.Err = e.send(ctx, a, it)
		}
	}
	return q
}

// Flush sends every due outbox item of the account, oldest first, and
// returns how many were settled; it stops at the first sign that the
// portal is unreachable or the session is gone.
func (e *Engine) Flush(ctx context.Context, a store.Account) (settled int, err error) {
	st, err := e.store()
	if err != nil {
		return 0, err
	}
	items, err := st.Outbox(ctx, a.Name)
	if err != nil {
		return 0, err
	}
	now := e.now()
	for _, it := range items {
		if it.NextAttempt.After(now) {
			continue
		}
		done, err := e.send(ctx, a, it)
		if done {
			settled++
		}
		if errors.Is(err, ErrOffline) || errors.Is(err, ErrLogin) || errors.Is(err, context.Canceled) {
			return settled, err
		}
	}
	return settled, nil
}

// send makes one attempt at an item. An item that may have reached the
// portal before is first looked up by its key; an ambiguous failure marks
// it so, a refusal settles it as a conflict, a success stores the receipt.
func (e *Engine) send(ctx context.Context, a store.Account, it store.OutboxItem) (settled bool, err error) {
	c, err := e.client(a)
	if err != nil {
		return false, err
	}
	var ans answer
	if it.MayHaveArrived {
		ans = e.lookup(ctx, c, it.Key, it.Op)
	}
	if ans.status == 0 && ans.err == nil { // not looked up, or the portal never saw it
		ans = e.post(ctx, c, it)
	}
	switch {
	case ans.err == nil && ans.sub != nil:
		err := e.settle(ctx, a, it, ans)
		return err == nil, err
	case errors.Is(ans.err, ErrLogin):
		return false, ans.err
	}
	var r *refusal
	if errors.As(ans.err, &r) && r.RetryAfter == 0 && r.Status < 500 && r.Status != http.StatusTooManyRequests {
		return true, e.conflict(ctx, a, it, r)
	}
	// Transient: back off, honour Retry-After; unless the portal clearly
	// refused before acting, it may have acted.
	it.Attempts++
	wait := backoff(it.Attempts)
	if r != nil && r.RetryAfter > wait {
		wait = r.RetryAfter
	}
	it.NextAttempt = e.now().Add(wait)
	it.MayHaveArrived = it.MayHaveArrived || r == nil || r.Status >= 500
	it.LastError = ans.err.Error()
	st, _ := e.store()
	if _, werr := st.Exchange(ctx, store.ExchangeBatch{Account: a.Name, Update: []store.OutboxItem{it}}); werr != nil {
		return false, werr
	}
	return false, ans.err
}

// backoff: 1 s, 2 s, 4 s… up to maxBackoff, with ±25 % jitter so that many
// clients do not come back at the same second.
func backoff(attempt int) time.Duration {
	d := time.Second << min(attempt-1, 12)
	d = min(d, maxBackoff)
	return d*3/4 + rand.N(d/2+1)
}

// post sends the item's request exactly as queued.
func (e *Engine) post(ctx context.Context, c *api.ClientWithResponses, it store.OutboxItem) answer {
	body := bytes.NewReader(it.Body)
	const ct = "application/json"
	var resp *http.Response
	var err error
	switch it.Op {
	case OpSign:
		resp, err = c.SignDocumentWithBody(ctx, it.Remote, &api.SignDocumentParams{IdempotencyKey: it.Key}, ct, body)
	case OpReject:
		resp, err = c.RejectDocumentWithBody(ctx, it.Remote, &api.RejectDocumentParams{IdempotencyKey: it.Key}, ct, body)
	case OpSubmit:
		resp, err = c.SubmitDocumentWithBody(ctx, &api.SubmitDocumentParams{IdempotencyKey: it.Key}, ct, body)
	case OpPropose:
		resp, err = c.ProposeRevocationWithBody(ctx, it.Remote, &api.ProposeRevocationParams{IdempotencyKey: it.Key}, ct, body)
	case OpAnswer:
		resp, err = c.AnswerRevocationWithBody(ctx, it.Remote, it.Revocation, &api.AnswerRevocationParams{IdempotencyKey: it.Key}, ct, body)
	case OpAccept:
		resp, err = c.AcceptAgreementWithBody(ctx, it.Remote, &api.AcceptAgreementParams{IdempotencyKey: it.Key}, ct, body)
	default:
		return answer{err: fmt.Errorf("outbox item %s: unknown operation %q", it.Key, it.Op)}
	}
	if err != nil {
		return answer{err: offline(err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return answer{err: offline(err)}
	}
	retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return readAnswer(it.Op, resp.StatusCode, resp.Header.Get("Content-Type"), raw, retry)
}

// maxAnswer bounds an answer read into memory (a Submitted is a few KB).
const maxAnswer = 16 << 20

// readAnswer interprets a write's answer (live or replayed by
// GET /operations).
func readAnswer(op string, status int, contentType string, raw []byte, retry int) answer {
	ans := answer{status: status}
	if status == http.StatusCreated && op == OpAccept {
		var acc api.AgreementAccepted
		if err := json.Unmarshal(raw, &acc); err != nil || acc.Agreement.Id == "" || len(acc.Receipt) == 0 {
			ans.err = fmt.Errorf("%w: HTTP 201 without the agreement and its receipt", ErrPortal)
			return ans
		}
		ans.sub, ans.agreed = &api.Submitted{Document: api.Document{Id: acc.Agreement.Id}, Receipt: acc.Receipt}, &acc.Agreement
		return ans
	}
	if status == http.StatusCreated {
		var sub api.Submitted
		if err := json.Unmarshal(raw, &sub); err != nil || sub.Document.Id == "" || len(sub.Receipt) == 0 {
			ans.err = fmt.Errorf("%w: HTTP 201 without a document and its receipt", ErrPortal)
			return ans
		}
		ans.sub = &sub
		return ans
	}
	var body *api.Error
	var e api.Error
	if json.Unmarshal(raw, &e) == nil && e.Code != "" {
		body = &e
	}
	ans.err = asRefusal(status, body, retry, contentType)
	return ans
}

// lookup asks the portal what became of a key: status 0 and no error means
// it never arrived (send it); an answer in progress is a transient refusal.
func (e *Engine) lookup(ctx context.Context, c *api.ClientWithResponses, key, op string) answer {
	var ans answer
	err := e.retryRead(ctx, func() error {
		resp, err := c.GetOperationWithResponse(ctx, key)
		if err != nil {
			return offline(err)
		}
		switch {
		case resp.StatusCode() == http.StatusNotFound:
			ans = answer{}
			return nil
		case resp.JSON200 == nil:
			return asRefusal(resp.StatusCode(), resp.JSONDefault, resp.HeadersDefault.RetryAfter, resp.HTTPResponse.Header.Get("Content-Type"))
		case resp.JSON200.State != api.OperationStateCompleted:
			ans = answer{err: &refusal{Status: http.StatusConflict, Code: api.ErrorCodeInProgress, Message: "still running on the portal", RetryAfter: 2 * time.Second}}
			return nil
		}
		raw, err := json.Marshal(resp.JSON200.Result)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrPortal, err)
		}
		ans = readAnswer(op, resp.JSON200.Status, "application/json", raw, 0)
		return nil
	})
	if err != nil {
		return answer{err: err}
	}
	return ans
}

// settle stores an accepted write: the receipt checked against what was
// sent, the outbox item removed, the document's state and link updated,
// all in one transaction.
func (e *Engine) settle(ctx context.Context, a store.Account, it store.OutboxItem, ans answer) error {
	st, _ := e.store()
	body, err := e.checkReceipt(a, it, ans.sub)
	if err != nil {
		// Not acknowledged as sent: keep the item, say so; a later lookup
		// by key gets the portal's answer again.
		it.Attempts++
		it.MayHaveArrived, it.LastError, it.NextAttempt = true, err.Error(), e.now().Add(backoff(it.Attempts))
		if _, werr := st.Exchange(ctx, store.ExchangeBatch{Account: a.Name, Update: []store.OutboxItem{it}}); werr != nil {
			return werr
		}
		return err
	}
	l, err := st.Link(ctx, it.Document)
	if err != nil {
		return err
	}
	doc := ans.sub.Document
	if ans.agreed != nil {
		l.Status = store.LinkAccepted
	} else {
		linkFrom(&l, doc)
	}
	l.Sync, l.Conflict = store.SyncReceipt, ""
	verdict, _ := json.Marshal(body.Verdict)
	b := store.ExchangeBatch{Account: a.Name, Settle: []string{it.Key}, Links: []store.Link{l},
		Receipts: []store.Receipt{{Document: it.Document, Remote: doc.Id, Entry: string(body.Entry), Revision: body.Revision,
			ReceivedAt: body.ReceivedAt, Verdict: verdict, CMS: ans.sub.Receipt, Sent: it.Body}}}
	if it.Op == OpSign || it.Op == OpSubmit || it.Op == OpAccept {
		b.States = []store.BatchState{{Document: it.Document, To: store.StateSent, Note: "sent to " + strconv.Quote(a.Name)},
			{Document: it.Document, To: store.StateAcknowledged, Note: "receipt from " + strconv.Quote(a.Name)}}
	}
	if doc.Status == api.DocumentStatusRevoked {
		b.States = append(b.States, revokeState(ctx, st, it.Document, a.Name)...)
	}
	if _, err := st.Exchange(ctx, b); err != nil {
		return err
	}
	e.Core.Changed(it.Document)
	return nil
}

// linkFrom copies the portal's view of a document into its link.
func linkFrom(l *store.Link, d api.Document) {
	l.Remote, l.Revision, l.Direction, l.Status = d.Id, d.Revision, string(d.Direction), string(d.Status)
	l.ContentVersion, l.RemoteSHA256 = d.ContentVersion, d.Sha256
	l.Revocation = nil
	if d.Revocation.Id != "" {
		l.Revocation = &store.Revocation{ID: d.Revocation.Id, ProposedBy: string(d.Revocation.ProposedBy),
			State: string(d.Revocation.State), Reason: d.Revocation.Reason}
	}
}

// revokeState moves a local document to revoked when its state allows.
func revokeState(ctx context.Context, st store.Store, id store.ID, account string) []store.BatchState {
	d, err := st.Document(ctx, id)
	if err != nil || !store.CanBecome(d.State, store.StateRevoked) {
		return nil
	}
	return []store.BatchState{{Document: id, To: store.StateRevoked, Note: "annulled by agreement with " + strconv.Quote(account)}}
}

// checkReceipt verifies a receipt: a valid CMS by one of the portal's
// pinned receipt certificates, whose content acknowledges exactly what was
// sent (document, key, the bytes of our signature or statement).
func (e *Engine) checkReceipt(a store.Account, it store.OutboxItem, sub *api.Submitted) (*api.ReceiptBody, error) {
	ev, err := cms.Verify(sub.Receipt, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReceipt, err)
	}
	if len(ev) != 1 || !ev[0].DigestValid || !ev[0].SignatureValid || ev[0].Certificate == nil {
		return nil, fmt.Errorf("%w: the receipt's signature is not valid", ErrReceipt)
	}
	pinned := false
	for _, der := range a.ReceiptCertificates {
		pinned = pinned || bytes.Equal(der, ev[0].Certificate.Raw)
	}
	if !pinned {
		return nil, fmt.Errorf("%w: signed by %s, not by the portal's receipt key", ErrReceipt, ev[0].Certificate.Subject.CommonName)
	}
	content, err := cms.Content(sub.Receipt)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReceipt, err)
	}
	var body api.ReceiptBody
	if err := json.Unmarshal(content, &body); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReceipt, err)
	}
	sent, err := sentSignature(it)
	if err != nil {
		return nil, err
	}
	switch {
	case body.Document != sub.Document.Id || it.Remote != "" && body.Document != it.Remote:
		return nil, fmt.Errorf("%w: it is for document %s", ErrReceipt, body.Document)
	case body.IdempotencyKey != it.Key:
		return nil, fmt.Errorf("%w: it acknowledges request %q, not %q", ErrReceipt, body.IdempotencyKey, it.Key)
	case body.SignatureSha256 != hexSum(sent):
		return nil, fmt.Errorf("%w: it acknowledges another signature than the one sent", ErrReceipt)
	case body.Portal != a.PortalURL:
		return nil, fmt.Errorf("%w: it names the portal %q", ErrReceipt, body.Portal)
	}
	return &body, nil
}

// sentSignature is the signature an outbox item carries.
func sentSignature(it store.OutboxItem) ([]byte, error) {
	var b struct {
		Signature  []byte `json:"signature"`
		Acceptance []byte `json:"acceptance"` // an agreement's signed statement
	}
	if err := json.Unmarshal(it.Body, &b); err != nil || len(b.Signature)+len(b.Acceptance) == 0 {
		return nil, fmt.Errorf("outbox item %s carries no signature", it.Key)
	}
	if len(b.Acceptance) > 0 {
		return b.Acceptance, nil
	}
	return b.Signature, nil
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// conflict settles a write the portal refused for good: the item leaves
// the outbox, the local change stays (a signature made is never thrown
// away) and the document shows the conflict until the user acts.
func (e *Engine) conflict(ctx context.Context, a store.Account, it store.OutboxItem, r *refusal) error {
	st, _ := e.store()
	l, err := st.Link(ctx, it.Document)
	if err != nil {
		return err
	}
	l.Sync, l.Conflict = store.SyncConflict, r.Message
	b := store.ExchangeBatch{Account: a.Name, Settle: []string{it.Key}, Links: []store.Link{l},
		Notes: []store.Note{{Document: it.Document, Detail: fmt.Sprintf("%q refused %s: %s (%s)", a.Name, it.Op, r.Message, r.Code)}}}
	d, err := st.Document(ctx, it.Document)
	if err == nil && d.State == store.StateQueued {
		b.States = []store.BatchState{{Document: it.Document, To: store.StateSigned, Note: "not accepted by " + strconv.Quote(a.Name)}}
	}
	if _, err := st.Exchange(ctx, b); err != nil {
		return err
	}
	e.Core.Changed(it.Document)
	if l.Remote != "" {
		// The portal's copy moved on: fetch it so that the user sees why.
		_ = e.refresh(ctx, a, l.Remote)
	}
	return nil
}
