package exchange

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/store"
)

// Summary is what one sync did.
type Summary struct {
	Account   string     `json:"account"`
	Received  []store.ID `json:"received,omitempty"`
	Updated   int        `json:"updated"`
	Settled   int        `json:"settled"`
	Conflicts int        `json:"conflicts"`
	Pending   int        `json:"pending"`
	Resynced  bool       `json:"resynced,omitempty"`
}

// fetchers bounds the content downloads of one page running at once.
const fetchers = 4

// Sync sends what waits in the outbox, then applies the portal's events
// page by page: the documents, their new versions and states, and the
// cursor after them are one transaction per page, so a sync interrupted at
// any point resumes without losing or doubling anything.
func (e *Engine) Sync(ctx context.Context, name string) (Summary, error) {
	a, err := e.loggedIn(ctx, name)
	if err != nil {
		return Summary{Account: a.Name}, err
	}
	sum := Summary{Account: a.Name}
	sum.Settled, err = e.Flush(ctx, a)
	if err == nil {
		err = e.pull(ctx, a, &sum)
	}
	if err == nil {
		var n int
		n, err = e.Flush(ctx, a)
		sum.Settled += n
	}
	st, _ := e.store()
	if items, oerr := st.Outbox(ctx, a.Name); oerr == nil {
		sum.Pending = len(items)
	}
	if links, lerr := st.Links(ctx, a.Name); lerr == nil {
		for _, l := range links {
			if l.Sync == store.SyncConflict {
				sum.Conflicts++
			}
		}
	}
	if fresh, ferr := st.Account(ctx, a.Name); ferr == nil {
		a = fresh
	}
	a.LastError = ""
	if err != nil {
		a.LastError = err.Error()
	} else {
		a.LastSync = e.now()
	}
	if perr := st.PutAccount(context.WithoutCancel(ctx), a); perr != nil && err == nil {
		err = perr
	}
	return sum, err
}

func (e *Engine) pull(ctx context.Context, a store.Account, sum *Summary) error {
	st, _ := e.store()
	c, err := e.client(a)
	if err != nil {
		return err
	}
	cursor, err := st.Cursor(ctx, a.Name)
	if err != nil {
		return err
	}
	limit := e.PageSize
	if limit == 0 {
		limit = 200
	}
	// Pages are pipelined: the next page and its contents download while
	// the current one is written to the store.
	f := e.fetchPage(ctx, a, c, cursor, limit)
	for {
		if f.err != nil {
			return f.err
		}
		if f.gone {
			if cursor == "" || sum.Resynced {
				return fmt.Errorf("%w: the event feed refuses even a fresh start", ErrPortal)
			}
			// The portal does not know our cursor (its database was
			// restored or replaced): read everything again; the links
			// make every known document a duplicate.
			cursor, sum.Resynced = "", true
			f = e.fetchPage(ctx, a, c, cursor, limit)
			continue
		}
		page := f.page
		if page.HasMore && (page.Next == "" || page.Next == cursor) {
			return fmt.Errorf("%w: the event feed says there is more but does not advance", ErrPortal)
		}
		var next chan fetched
		if page.HasMore {
			next = make(chan fetched, 1)
			go func() { next <- e.fetchPage(ctx, a, c, page.Next, limit) }()
		}
		if err := e.applyPage(ctx, a, c, page.Events, page.Next, f.contents, sum); err != nil {
			if next != nil {
				<-next
			}
			return err
		}
		if next == nil {
			return nil
		}
		cursor = page.Next
		f = <-next
	}
}

// fetched is one page of events and the contents it will need.
type fetched struct {
	page     *api.EventPage
	gone     bool
	contents map[string][]byte // by "id/version"
	err      error
}

func contentKey(d api.Document) string { return fmt.Sprintf("%s/%d", d.Id, d.ContentVersion) }

// fetchPage downloads a page of events, then the contents of the documents
// that are new here or have a newer version, a few at a time.
func (e *Engine) fetchPage(ctx context.Context, a store.Account, c *api.ClientWithResponses, cursor string, limit int) fetched {
	var f fetched
	f.err = e.retryRead(ctx, func() error {
		resp, err := c.ListEventsWithResponse(ctx, &api.ListEventsParams{After: cursor, Limit: limit})
		switch {
		case err != nil:
			return offline(err)
		case resp.StatusCode() == http.StatusGone:
			f.gone = true
			return nil
		case resp.JSON200 == nil:
			return asRefusal(resp.StatusCode(), resp.JSONDefault, resp.HeadersDefault.RetryAfter, resp.HTTPResponse.Header.Get("Content-Type"))
		}
		f.page = resp.JSON200
		return nil
	})
	if f.err != nil || f.gone {
		return f
	}
	st, _ := e.store()
	var need []api.Document
	seen := map[string]bool{}
	for _, ev := range f.page.Events {
		d := ev.Document
		if d.Id == "" || seen[contentKey(d)] {
			continue
		}
		seen[contentKey(d)] = true
		if l, err := st.LinkByRemote(ctx, a.Name, d.Id); err == nil && d.ContentVersion <= l.ContentVersion {
			continue
		}
		need = append(need, d)
	}
	f.contents = make(map[string][]byte, len(need))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, fetchers)
	for _, d := range need {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			body, err := e.content(ctx, c, d)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if f.err == nil {
					f.err = err
				}
				return
			}
			f.contents[contentKey(d)] = body
		}()
	}
	wg.Wait()
	return f
}

// refresh applies the portal's current copy of one document (after a
// conflict) without moving the cursor.
func (e *Engine) refresh(ctx context.Context, a store.Account, remote string) error {
	c, err := e.client(a)
	if err != nil {
		return err
	}
	var doc api.Document
	err = e.retryRead(ctx, func() error {
		resp, err := c.GetDocumentWithResponse(ctx, remote)
		if err != nil {
			return offline(err)
		}
		if resp.JSON200 == nil {
			return asRefusal(resp.StatusCode(), resp.JSONDefault, resp.HeadersDefault.RetryAfter, resp.HTTPResponse.Header.Get("Content-Type"))
		}
		doc = resp.JSON200.Document
		return nil
	})
	if err != nil {
		return err
	}
	var sum Summary
	return e.applyPage(ctx, a, c, []api.Event{{Type: api.EventTypeDocument, Document: doc}}, "", nil, &sum)
}

// applyPage turns a page of events into one store transaction. Events are
// snapshots of documents: only the newest per document matters, one older
// than what was applied is a duplicate, and applying a snapshot twice
// changes nothing, so redelivery and reordering are harmless.
func (e *Engine) applyPage(ctx context.Context, a store.Account, c *api.ClientWithResponses, events []api.Event, next string,
	prefetched map[string][]byte, sum *Summary) error {
	st, _ := e.store()
	latest := map[string]api.Document{}
	var order []string
	for _, ev := range events {
		d := ev.Document
		if d.Id == "" {
			return fmt.Errorf("%w: an event without a document", ErrPortal)
		}
		old, seen := latest[d.Id]
		if !seen {
			order = append(order, d.Id)
		}
		if !seen || d.Revision > old.Revision {
			latest[d.Id] = d
		}
	}
	var pendingSubmits map[string]bool // content digests of our submits not yet numbered, read when needed
	pendingSubmit := func(sha string) (bool, error) {
		if pendingSubmits == nil {
			links, err := st.Links(ctx, a.Name)
			if err != nil {
				return false, err
			}
			pendingSubmits = map[string]bool{}
			for _, l := range links {
				if l.Remote == "" && l.Sync == store.SyncWaiting {
					pendingSubmits[l.RemoteSHA256] = true
				}
			}
		}
		return pendingSubmits[sha], nil
	}
	type job struct {
		d       api.Document
		link    *store.Link
		content []byte
		err     error
	}
	jobs := make([]*job, 0, len(order))
	for _, id := range order {
		d := latest[id]
		j := &job{d: d}
		l, err := st.LinkByRemote(ctx, a.Name, id)
		switch {
		case err == nil:
			if d.Revision < l.Revision {
				continue // older than what we have
			}
			j.link = &l
		case errors.Is(err, store.ErrNotFound):
			if d.Direction == api.Outgoing {
				ours, err := pendingSubmit(d.Sha256)
				if err != nil {
					return err
				}
				if ours {
					continue // ours, its receipt is on the way: settling links it
				}
			}
		default:
			return err
		}
		jobs = append(jobs, j)
	}
	// The contents needed: prefetched with the page, or downloaded now.
	var wg sync.WaitGroup
	sem := make(chan struct{}, fetchers)
	for _, j := range jobs {
		if j.link != nil && j.d.ContentVersion <= j.link.ContentVersion {
			continue
		}
		if body, ok := prefetched[contentKey(j.d)]; ok {
			j.content = body
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			j.content, j.err = e.content(ctx, c, j.d)
		}()
	}
	wg.Wait()
	b := store.ExchangeBatch{Account: a.Name}
	if next != "" {
		b.Cursor = &next
	}
	var touched []store.ID
	for _, j := range jobs {
		if j.err != nil {
			return j.err
		}
		d := j.d
		if j.link == nil {
			var l store.Link
			linkFrom(&l, d)
			b.Receive = append(b.Receive, store.Received{Link: l, Doc: store.NewDocument{
				Name: d.Name, Title: d.Title, Kind: store.Kind(d.Kind), Counterparty: a.PortalName, Content: j.content,
				Note: fmt.Sprintf("from %q, document %s revision %d (%s)", a.Name, d.Id, d.Revision, d.Status)}})
			continue
		}
		e.applyKnown(ctx, a, *j.link, d, j.content, &b)
		touched = append(touched, j.link.Document)
		if d.Revision > j.link.Revision {
			sum.Updated++
		}
	}
	res, err := st.Exchange(ctx, b)
	if err != nil {
		return err
	}
	sum.Received = append(sum.Received, res.Received...)
	for _, id := range append(touched, res.Received...) {
		e.Core.Changed(id)
	}
	return nil
}

// applyKnown adds to b what a newer snapshot of a linked document means
// here: new content as a new version (unless a write of ours about the old
// one is waiting: a conflict the user sees), its status, a revocation.
func (e *Engine) applyKnown(ctx context.Context, a store.Account, l store.Link, d api.Document, content []byte, b *store.ExchangeBatch) {
	st, _ := e.store()
	local, err := st.Document(ctx, l.Document)
	if err != nil {
		return
	}
	nl := l
	linkFrom(&nl, d)
	if content != nil {
		if l.Sync == store.SyncWaiting || !editableHere(local.State) {
			nl.ContentVersion, nl.RemoteSHA256 = l.ContentVersion, l.RemoteSHA256
			nl.Sync = store.SyncConflict
			nl.Conflict = fmt.Sprintf("the portal replaced the document with version %d after it was signed here; review the new version", d.ContentVersion)
		} else {
			b.Versions = append(b.Versions, store.ReceivedVersion{Document: l.Document, Name: d.Name, Content: content,
				Note: fmt.Sprintf("version %d from %q (revision %d)", d.ContentVersion, a.Name, d.Revision)})
			if nl.Sync == store.SyncConflict {
				nl.Sync, nl.Conflict = "", ""
			}
		}
	}
	if l.Status != string(d.Status) {
		b.Notes = append(b.Notes, store.Note{Document: l.Document,
			Detail: fmt.Sprintf("%q: %s → %s (revision %d)", a.Name, statusOrDash(l.Status), d.Status, d.Revision)})
		switch d.Status {
		case api.DocumentStatusRevoked:
			b.States = append(b.States, revokeState(ctx, st, l.Document, a.Name)...)
		case api.DocumentStatusRejected:
			if store.CanBecome(local.State, store.StateRejected) {
				b.States = append(b.States, store.BatchState{Document: l.Document, To: store.StateRejected, Note: "rejected on " + strconv.Quote(a.Name)})
			}
		}
	}
	b.Links = append(b.Links, nl)
}

func editableHere(s store.State) bool {
	return s == store.StateDraft || s == store.StateReady || s == store.StateSigned || s == store.StateRejected
}

// content downloads a document's content version and checks its digest.
func (e *Engine) content(ctx context.Context, c *api.ClientWithResponses, d api.Document) ([]byte, error) {
	var body []byte
	err := e.retryRead(ctx, func() error {
		resp, err := c.GetContentWithResponse(ctx, d.Id, &api.GetContentParams{Version: d.ContentVersion})
		if err != nil {
			return offline(err)
		}
		if resp.StatusCode() != http.StatusOK {
			return asRefusal(resp.StatusCode(), resp.JSONDefault, 0, resp.HTTPResponse.Header.Get("Content-Type"))
		}
		sum := sha256.Sum256(resp.Body)
		if hex.EncodeToString(sum[:]) != d.Sha256 {
			return fmt.Errorf("%w: document %s version %d: the content's SHA-256 is not the one the portal announced", ErrPortal, d.Id, d.ContentVersion)
		}
		body = resp.Body
		return nil
	})
	return body, err
}

func statusOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
