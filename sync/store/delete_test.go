package store

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestDelete runs the retention and deletion rules against both stores.
func TestDelete(t *testing.T) {
	for _, impl := range []struct {
		name string
		open opener
	}{{"bolt", openBolt}, {"memory", openMemory}} {
		t.Run(impl.name, func(t *testing.T) { deleteSuite(t, impl.open) })
	}
}

func deleteSuite(t *testing.T, open opener) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }

	t.Run("draft deletes freely, journal stays", func(t *testing.T) {
		s := open(t, Options{Now: now})
		d := docInState(t, s, StateDraft)
		keep, _ := s.AddDocument(ctx, NewDocument{Name: "keep.txt", Content: []byte("keep me")})
		del, err := s.DeleteDocument(ctx, d.ID, DeleteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if del.Forced || del.Versions != 1 || del.Entry.Action != ActionDelete {
			t.Errorf("deletion %+v", del)
		}
		if _, err := s.Document(ctx, d.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("document still there: %v", err)
		}
		if _, err := s.Content(ctx, d.ID, 1); !errors.Is(err, ErrNotFound) {
			t.Errorf("content still readable: %v", err)
		}
		entries, err := s.Journal(ctx, JournalQuery{Document: d.ID})
		if err != nil || len(entries) != 2 || entries[0].Action != ActionImport || entries[1].Action != ActionDelete {
			t.Fatalf("journal of the deleted document: %v %+v", err, entries)
		}
		page, _ := s.List(ctx, Query{})
		if len(page.Documents) != 1 || page.Documents[0].ID != keep.ID {
			t.Errorf("list after delete: %+v", page.Documents)
		}
		r := mustVerify(t, s)
		if r.Documents != 1 || r.Versions != 1 {
			t.Errorf("report %+v", r)
		}
	})

	t.Run("signed refused inside retention, forced deletion", func(t *testing.T) {
		s := open(t, Options{Now: now})
		d := docInState(t, s, StateSigned)
		_, err := s.DeleteDocument(ctx, d.ID, DeleteOptions{})
		var re *RetentionError
		if !errors.As(err, &re) || !errors.Is(err, ErrRetention) {
			t.Fatalf("err %v, want a RetentionError", err)
		}
		if want := clock.AddDate(5, 0, 0); !re.Until.Equal(want) {
			t.Errorf("retained until %s, want %s", re.Until, want)
		}
		if _, err := s.Document(ctx, d.ID); err != nil {
			t.Fatalf("refused deletion removed something: %v", err)
		}
		del, err := s.DeleteDocument(ctx, d.ID, DeleteOptions{ForceBeforeRetention: true, Reason: "court order 17"})
		if err != nil {
			t.Fatal(err)
		}
		if !del.Forced || del.Signatures != 1 {
			t.Errorf("deletion %+v", del)
		}
		mustVerify(t, s)
		entries, _ := s.Journal(ctx, JournalQuery{Document: d.ID})
		last := entries[len(entries)-1]
		if last.Action != ActionDelete || !contains(last.Detail, "forced") || !contains(last.Detail, "court order 17") {
			t.Errorf("delete entry %+v", last)
		}
	})

	t.Run("after retention no force needed", func(t *testing.T) {
		t0 := clock
		s := open(t, Options{Now: func() time.Time { return t0 }})
		d := docInState(t, s, StateAcknowledged)
		t0 = t0.AddDate(5, 0, 1)
		del, err := s.DeleteDocument(ctx, d.ID, DeleteOptions{})
		if err != nil || del.Forced {
			t.Fatalf("%v %+v", err, del)
		}
		mustVerify(t, s)
	})

	t.Run("shared content survives", func(t *testing.T) {
		s := open(t, Options{Now: now, InlineLimit: 8})
		content := []byte("the same bytes in two documents, large enough for a file")
		a, _ := s.AddDocument(ctx, NewDocument{Name: "a.txt", Content: content})
		b, _ := s.AddDocument(ctx, NewDocument{Name: "b.txt", Content: content})
		if _, err := s.DeleteDocument(ctx, a.ID, DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Content(ctx, b.ID, 1)
		if err != nil || string(got) != string(content) {
			t.Fatalf("shared content lost: %v", err)
		}
		if _, err := s.DeleteDocument(ctx, b.ID, DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, s)
		if bs, ok := s.(*Bolt); ok {
			if _, err := os.Stat(bs.files.path(b.SHA256)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("content file left behind: %v", err)
			}
		}
	})

	t.Run("missing document", func(t *testing.T) {
		s := open(t, Options{Now: now})
		id, _ := NewID(clock)
		if _, err := s.DeleteDocument(ctx, id, DeleteOptions{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("err %v", err)
		}
	})
}

// TestVersionRemovedBehindOurBack: a version record removed without a
// delete entry is reported; VerifyJournal knows deletions only from the journal.
func TestVersionRemovedBehindOurBack(t *testing.T) {
	s, err := OpenMemory(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, _ := s.AddDocument(ctx, NewDocument{Name: "a.txt", Content: []byte("a")})
	if err := s.kv.update(func(tx kvTx) error { return tx.bucket(bucketVersions).delete(verKey(d.ID, 1)) }); err != nil {
		t.Fatal(err)
	}
	r, _ := s.VerifyJournal(ctx)
	if r.OK || len(r.Problems) == 0 || !contains(r.Problems[len(r.Problems)-1], "journaled but missing") {
		t.Errorf("report %+v", r)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
