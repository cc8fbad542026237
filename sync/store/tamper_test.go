package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

var bigPDF = append(bytes.Clone(pdfBytes), bytes.Repeat([]byte("stream "), 20)...)

// tamperFixture is a closed store with an inline signed document (a), a
// file-backed signed one (b), a draft (c) and a few events: 7 entries.
type tamperFixture struct {
	dir     string
	a, b, c Document
}

func newTamperFixture(t *testing.T) tamperFixture {
	ctx := context.Background()
	f := tamperFixture{dir: t.TempDir()}
	s, err := Open(f.dir, Options{InlineLimit: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f.a, _ = s.AddDocument(ctx, NewDocument{Name: "a.txt", Content: []byte("inline content")}) // 1
	f.b, _ = s.AddDocument(ctx, NewDocument{Name: "b.pdf", Content: bigPDF})                   // 2
	f.c, _ = s.AddDocument(ctx, NewDocument{Name: "c.txt", Content: []byte("draft")})          // 3
	s.AddSignature(ctx, f.a.ID, 1, fakeSignature(1))                                           // 4
	s.AddSignature(ctx, f.b.ID, 1, fakeSignature(2))                                           // 5
	s.Record(ctx, Event{Action: ActionVerify, Document: f.b.ID, Version: 1, Detail: "ok"})     // 6
	s.SetState(ctx, f.c.ID, StateReady, "")                                                    // 7
	mustVerify(t, s)
	return f
}

func TestTamperDetected(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		tamper      func(t *testing.T, f tamperFixture)
		firstBroken uint64
		reason      string // in Reason or a Problem
	}{
		{"journal entry changed", func(t *testing.T, f tamperFixture) {
			editJournal(t, f.dir, 2, func(v []byte) { v[len(entryMagic)+3] ^= 1 }) // a bit of the sequence number's high bytes
		}, 2, ""},
		{"journal entry detail rewritten", func(t *testing.T, f tamperFixture) {
			rewriteEntry(t, f.dir, 6, false, func(e *Entry) { e.Detail = "all fine, trust me" })
		}, 6, "hash does not match"},
		{"journal entry rewritten with a new hash", func(t *testing.T, f tamperFixture) {
			rewriteEntry(t, f.dir, 4, true, func(e *Entry) { e.Certificate = Digest32{} })
		}, 5, "does not link to entry 4"},
		{"journal entry removed", func(t *testing.T, f tamperFixture) {
			rawEdit(t, f.dir, func(tx *bolt.Tx) error { return tx.Bucket(bucketJournal).Delete(seqKey(3)) })
		}, 3, "entry 3 is missing"},
		{"journal tail removed", func(t *testing.T, f tamperFixture) {
			rawEdit(t, f.dir, func(tx *bolt.Tx) error { return tx.Bucket(bucketJournal).Delete(seqKey(7)) })
		}, 7, "entries were removed"},
		{"signed inline version changed with its digests", func(t *testing.T, f tamperFixture) {
			replaceContent(t, f.dir, f.a.ID, []byte("INLINE CONTENT"))
		}, 0, "differs from the journal"},
		{"inline content changed in place", func(t *testing.T, f tamperFixture) {
			rawEdit(t, f.dir, func(tx *bolt.Tx) error {
				return tx.Bucket(bucketBlobs).Put(f.a.SHA256[:], []byte("inline c0ntent"))
			})
		}, 0, "does not hash"},
		{"content file replaced", func(t *testing.T, f tamperFixture) {
			path := (&fileBlobs{dir: f.dir + "/blobs"}).path(f.b.SHA256)
			if err := os.WriteFile(path, bytes.ToUpper(bigPDF), 0o600); err != nil {
				t.Fatal(err)
			}
		}, 0, "does not hash"},
		{"content file deleted", func(t *testing.T, f tamperFixture) {
			os.Remove((&fileBlobs{dir: f.dir + "/blobs"}).path(f.b.SHA256))
		}, 0, "missing"},
		{"signature record changed", func(t *testing.T, f tamperFixture) {
			rawEdit(t, f.dir, func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketSigs)
				var s Signature
				json.Unmarshal(b.Get(sigKey(f.a.ID, 1, 1)), &s)
				forged := []byte("forged signature")
				s.SHA256, s.Storage = sha256.Sum256(forged), storageInline
				tx.Bucket(bucketBlobs).Put(s.SHA256[:], forged)
				v, _ := json.Marshal(s)
				return b.Put(sigKey(f.a.ID, 1, 1), v)
			})
		}, 0, "signature 1: its digest differs"},
		{"version record removed", func(t *testing.T, f tamperFixture) {
			rawEdit(t, f.dir, func(tx *bolt.Tx) error { return tx.Bucket(bucketVersions).Delete(verKey(f.c.ID, 1)) })
		}, 0, "current version 1 is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTamperFixture(t)
			tt.tamper(t, f)
			s, err := Open(f.dir, Options{InlineLimit: 64})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			r, err := s.VerifyJournal(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK || !errors.Is(r.Err(), ErrTampered) {
				t.Fatalf("tampering not detected: %+v", r)
			}
			if r.FirstBroken != tt.firstBroken {
				t.Errorf("first broken = %d (%s), want %d", r.FirstBroken, r.Reason, tt.firstBroken)
			}
			all := r.Reason + "\n" + strings.Join(r.Problems, "\n")
			if !strings.Contains(all, tt.reason) {
				t.Errorf("report does not say %q:\n%s", tt.reason, all)
			}
		})
	}
}

func TestContentReadDetectsTampering(t *testing.T) {
	f := newTamperFixture(t)
	rawEdit(t, f.dir, func(tx *bolt.Tx) error { return tx.Bucket(bucketBlobs).Put(f.a.SHA256[:], []byte("changed")) })
	s, _ := Open(f.dir, Options{InlineLimit: 64})
	defer s.Close()
	if _, err := s.Content(context.Background(), f.a.ID, 1); !errors.Is(err, ErrTampered) {
		t.Fatalf("err = %v", err)
	}
}

// rewriteEntry decodes entry seq, edits it and stores it back, recomputing
// its hash when rehash is set (a careful forger).
func rewriteEntry(t *testing.T, dir string, seq uint64, rehash bool, edit func(*Entry)) {
	rawEdit(t, dir, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJournal)
		e, err := decodeEntry(b.Get(seqKey(seq)))
		if err != nil {
			return err
		}
		edit(&e)
		var v []byte
		if rehash {
			v = e.seal()
		} else {
			v = append(e.encode(), e.Hash[:]...)
		}
		return b.Put(seqKey(seq), v)
	})
}

// replaceContent swaps a version's content and fixes up every digest the
// database itself holds — what the journal recorded is what catches it.
func replaceContent(t *testing.T, dir string, id ID, content []byte) {
	rawEdit(t, dir, func(tx *bolt.Tx) error {
		sha, gost := digests(content)
		tx.Bucket(bucketBlobs).Put(sha[:], content)
		var v Version
		json.Unmarshal(tx.Bucket(bucketVersions).Get(verKey(id, 1)), &v)
		v.SHA256, v.Streebog512 = sha, gost
		raw, _ := json.Marshal(v)
		if err := tx.Bucket(bucketVersions).Put(verKey(id, 1), raw); err != nil {
			return err
		}
		var d Document
		json.Unmarshal(tx.Bucket(bucketDocs).Get(id[:]), &d)
		d.SHA256 = sha
		raw, _ = json.Marshal(d)
		return tx.Bucket(bucketDocs).Put(id[:], raw)
	})
}
