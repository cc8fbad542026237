package exchange_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/sync/api"
)

// FuzzEventApply feeds the sync engine event pages as a portal might send
// them, damaged or hostile: whatever the bytes, the engine returns (no
// panic), never links one portal document twice, and leaves a journal
// that verifies. Contents are served for any id, matching the digest of
// "content".
func FuzzEventApply(f *testing.F) {
	good := func(docs ...api.Document) []byte {
		var p api.EventPage
		for _, d := range docs {
			p.Events = append(p.Events, api.Event{Type: api.EventTypeDocument, Document: d})
		}
		p.Next = "c1"
		b, _ := json.Marshal(p)
		return b
	}
	d1 := docJSON("01aaaaaaaaaaaaaaaaaaaaaaaa", "content", 1)
	d1b := d1
	d1b.Revision, d1b.Status = 2, api.DocumentStatusRevoked
	d2 := docJSON("01bbbbbbbbbbbbbbbbbbbbbbbb", "content", 3)
	d2.ContentVersion = 2
	f.Add(good(d1))
	f.Add(good(d1, d1b, d2))
	f.Add(good(d1b, d1))
	f.Add([]byte(`{"events":[],"next":"","hasMore":false}`))
	f.Add([]byte(`{"events":[{"type":"document","document":{"id":"","revision":-1}}],"next":"x","hasMore":false}`))
	f.Add([]byte(`<html>`))
	f.Add([]byte(`{"events":[],"next":"","hasMore":true}`)) // a feed that never advances
	f.Fuzz(func(t *testing.T, page []byte) {
		srv := stubPortal(t, func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/content") {
				w.Header().Set("Content-Type", "application/octet-stream")
				w.Write([]byte("content"))
				return
			}
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Query().Get("after") != "" { // one page only
				w.Write([]byte(`{"events":[],"next":"end","hasMore":false}`))
				return
			}
			w.Write(page)
		})
		d := bareDesktop(t, t.TempDir())
		d.engine.ReadAttempts = 1
		loggedInTo(t, d, srv.URL)
		ctx := context.Background()
		_, _ = d.engine.Sync(ctx, "test")
		_, _ = d.engine.Sync(ctx, "test")
		links, err := d.store.Links(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, l := range links {
			if seen[l.Remote] {
				t.Fatalf("portal document %s linked twice", l.Remote)
			}
			seen[l.Remote] = true
		}
		if r, err := d.store.VerifyJournal(ctx); err != nil || !r.OK {
			t.Fatalf("journal: %+v %v", r, err)
		}
	})
}
