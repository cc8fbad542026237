package portal_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/internal/pgtest"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/portal"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

func doc(id string, rev int64, to api.Party) api.Document {
	return api.Document{Id: id, Revision: rev, Title: id, Kind: api.DocumentKindOther, Name: id, Sha256: "00", ContentVersion: 1,
		Direction: api.Incoming, To: to, Status: api.DocumentStatusAwaitingSignature}
}

// TestStorage is the one suite both storages pass.
func TestStorage(t *testing.T) {
	for _, backend := range portaltest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := portaltest.OpenStorage(t, backend)
			t.Cleanup(func() { st.Close() })
			if st.Epoch() == "" {
				t.Fatal("no epoch")
			}
			t.Run("challenge once", func(t *testing.T) {
				c := portal.Challenge{ID: "c1", Data: []byte("nonce"), Expires: time.Now().Add(time.Minute).UTC().Truncate(time.Millisecond)}
				if err := st.PutChallenge(ctx, c); err != nil {
					t.Fatal(err)
				}
				got, err := st.TakeChallenge(ctx, "c1")
				if err != nil || string(got.Data) != "nonce" || !got.Expires.Equal(c.Expires) {
					t.Fatalf("take: %+v %v", got, err)
				}
				if _, err := st.TakeChallenge(ctx, "c1"); !errors.Is(err, portal.ErrNotFound) {
					t.Fatalf("second take: %v", err)
				}
			})
			t.Run("sessions", func(t *testing.T) {
				h := [32]byte{1}
				if err := st.PutSession(ctx, portal.Session{TokenHash: h, User: api.User{Iin: "900101300017", Name: "A"}, Expires: time.Now().Add(time.Hour)}); err != nil {
					t.Fatal(err)
				}
				if s, err := st.Session(ctx, h); err != nil || s.User.Iin != "900101300017" {
					t.Fatalf("session: %+v %v", s, err)
				}
				if err := st.DeleteSession(ctx, h); err != nil {
					t.Fatal(err)
				}
				if _, err := st.Session(ctx, h); !errors.Is(err, portal.ErrNotFound) {
					t.Fatalf("deleted session: %v", err)
				}
			})
			t.Run("compromises", func(t *testing.T) {
				now := time.Now().UTC().Truncate(time.Millisecond)
				for i, fp := range []string{strings.Repeat("b", 64), strings.Repeat("a", 64)} {
					c := portal.Compromise{Fingerprint: fp, IIN: "900101300017", Since: now, Reported: now.Add(time.Duration(i) * time.Second)}
					if err := st.PutCompromise(ctx, c, nil); err != nil {
						t.Fatal(err)
					}
				}
				c, err := st.Compromise(ctx, strings.Repeat("a", 64))
				if err != nil || !c.Suspended() {
					t.Fatalf("compromise: %+v %v", c, err)
				}
				c.Resumption = api.Resumption{State: api.ResumptionStateResumed, Requested: now, Reason: "found", Decided: now}
				if err := st.PutCompromise(ctx, c, nil); err != nil {
					t.Fatal(err)
				}
				all, err := st.Compromises(ctx)
				if err != nil || len(all) != 2 || all[0].Fingerprint != strings.Repeat("b", 64) || all[1].Suspended() {
					t.Fatalf("compromises (oldest first, the second resumed): %+v %v", all, err)
				}
				if _, err := st.Compromise(ctx, strings.Repeat("c", 64)); !errors.Is(err, portal.ErrNotFound) {
					t.Fatalf("an unknown one: %v", err)
				}
			})
			t.Run("operations", func(t *testing.T) {
				now := time.Now().UTC()
				op := portal.Operation{Scope: "u", Key: "k", BodyHash: [32]byte{9}, Started: now}
				if old, err := st.BeginOperation(ctx, op, time.Minute); err != nil || old != nil {
					t.Fatalf("begin: %+v %v", old, err)
				}
				if old, err := st.BeginOperation(ctx, op, time.Minute); err != nil || old == nil || old.Done {
					t.Fatalf("begin while running: %+v %v", old, err)
				}
				later := op
				later.Started = now.Add(2 * time.Minute)
				if old, err := st.BeginOperation(ctx, later, time.Minute); err != nil || old != nil {
					t.Fatalf("begin after a stale one: %+v %v", old, err)
				}
				op.Status, op.Body = 400, []byte(`{"code":"bad_request"}`)
				if err := st.FinishOperation(ctx, op); err != nil {
					t.Fatal(err)
				}
				if got, err := st.Operation(ctx, "u", "k"); err != nil || !got.Done || got.Status != 400 {
					t.Fatalf("finished: %+v %v", got, err)
				}
				if _, err := st.Operation(ctx, "other", "k"); !errors.Is(err, portal.ErrNotFound) {
					t.Fatalf("another scope: %v", err)
				}
				if err := st.ReleaseOperation(ctx, "u", "k"); err != nil {
					t.Fatal(err)
				}
			})
			t.Run("commit and events", func(t *testing.T) {
				a := api.Party{Iin: "900101300017"}
				co := api.Party{Bin: "123456789012"}
				d1 := doc("d1", 1, a)
				op := &portal.Operation{Scope: "admin", Key: "p1", Status: 201, Body: []byte("{}")}
				if err := st.Commit(ctx, portal.Change{Document: d1, Entry: api.Entry{Revision: 1, Type: api.EntryTypePublished},
					Content: []byte("one"), Audiences: []string{"iin:900101300017"}, Op: op}); err != nil {
					t.Fatal(err)
				}
				if got, err := st.Operation(ctx, "admin", "p1"); err != nil || !got.Done {
					t.Fatalf("operation with the commit: %+v %v", got, err)
				}
				if err := st.Commit(ctx, portal.Change{Document: d1, Entry: api.Entry{Revision: 1}}); !errors.Is(err, portal.ErrRevision) {
					t.Fatalf("same revision again: %v", err)
				}
				d1.Revision, d1.Status = 2, api.DocumentStatusSigned
				if err := st.Commit(ctx, portal.Change{Document: d1, Entry: api.Entry{Revision: 2, Type: api.EntryTypeSigned},
					Audiences: []string{"iin:900101300017"}}); err != nil {
					t.Fatal(err)
				}
				if err := st.Commit(ctx, portal.Change{Document: doc("d2", 1, co), Entry: api.Entry{Revision: 1},
					Content: []byte("two"), Audiences: []string{"bin:123456789012"}}); err != nil {
					t.Fatal(err)
				}
				if c, err := st.Content(ctx, "d1", 1); err != nil || string(c) != "one" {
					t.Fatalf("content: %q %v", c, err)
				}
				if h, err := st.History(ctx, "d1"); err != nil || len(h) != 2 || h[1].Type != api.EntryTypeSigned {
					t.Fatalf("history: %+v %v", h, err)
				}
				if d, err := st.Document(ctx, "d1"); err != nil || d.Revision != 2 {
					t.Fatalf("document: %+v %v", d, err)
				}
				if ds, err := st.Documents(ctx, api.DocumentStatusSigned, 10); err != nil || len(ds) != 1 {
					t.Fatalf("documents signed: %+v %v", ds, err)
				}
				both, err := st.Events(ctx, []string{"iin:900101300017", "bin:123456789012"}, 0, 10)
				if err != nil || len(both) != 3 || both[0].Seq >= both[1].Seq || both[1].Seq >= both[2].Seq {
					t.Fatalf("events of both: %+v %v", both, err)
				}
				only, _ := st.Events(ctx, []string{"bin:123456789012"}, 0, 10)
				if len(only) != 1 || only[0].Event.Document.Id != "d2" {
					t.Fatalf("company's events: %+v", only)
				}
				after, _ := st.Events(ctx, []string{"iin:900101300017", "bin:123456789012"}, both[0].Seq, 1)
				if len(after) != 1 || after[0].Seq != both[1].Seq {
					t.Fatalf("paged: %+v", after)
				}
				if _, err := st.Document(ctx, "nope"); !errors.Is(err, portal.ErrNotFound) {
					t.Fatalf("missing document: %v", err)
				}
			})
			t.Run("concurrent commits keep event order", func(t *testing.T) {
				const writers, each = 8, 25
				var wg sync.WaitGroup
				errs := make(chan error, writers)
				for w := range writers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range each {
							id := fmt.Sprintf("c%d-%d", w, i)
							if err := st.Commit(ctx, portal.Change{Document: doc(id, 1, api.Party{Iin: "111111111111"}),
								Entry: api.Entry{Revision: 1}, Audiences: []string{"iin:111111111111"}}); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				// A reader following the feed while the writers write must
				// see every event exactly once.
				seen := map[string]bool{}
				var cursor uint64
				deadline := time.Now().Add(30 * time.Second)
				for len(seen) < writers*each && time.Now().Before(deadline) {
					evs, err := st.Events(ctx, []string{"iin:111111111111"}, cursor, 7)
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range evs {
						if seen[e.Event.Document.Id] {
							t.Fatalf("event of %s twice", e.Event.Document.Id)
						}
						seen[e.Event.Document.Id] = true
						cursor = e.Seq
					}
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Fatal(err)
				}
				if len(seen) != writers*each {
					t.Fatalf("the reader saw %d of %d events", len(seen), writers*each)
				}
			})
		})
	}
}
