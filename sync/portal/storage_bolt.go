package portal

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/qoltanba/qoltanba/sync/api"
)

// The portal's bbolt layout (keys raw bytes, integers big-endian, "‖"
// concatenates):
//
//	meta        "epoch" → 16 hex characters, made once
//	challenges  id → JSON Challenge
//	sessions    sha256(token)[32] → JSON Session
//	operations  scope ‖ 0x00 ‖ key → JSON Operation
//	documents   id → JSON api.Document (ids are time-ordered: backwards is newest first)
//	entries     id ‖ revision u64 → JSON api.Entry
//	contents    id ‖ version u32 → bytes
//	events      seq u64 → JSON api.Event
//	feed        audience ‖ 0x00 ‖ seq u64 → empty
//	agreements  id ‖ version u32 → JSON AgreementVersion
//	agreement.texts  id ‖ version u32 ‖ language → text
//	acceptances scope ‖ 0x00 ‖ agreement id ‖ version u32 → JSON Acceptance
//	compromised certificate fingerprint (hex) → JSON Compromise
var (
	bktMeta       = []byte("meta")
	bktChallenges = []byte("challenges")
	bktSessions   = []byte("sessions")
	bktOperations = []byte("operations")
	bktDocuments  = []byte("documents")
	bktEntries    = []byte("entries")
	bktContents   = []byte("contents")
	bktEvents     = []byte("events")
	bktFeed       = []byte("feed")
	bktAgreements = []byte("agreements")
	bktAgrTexts   = []byte("agreement.texts")
	bktAccepted   = []byte("acceptances")
	bktCompromise = []byte("compromised")
	allBuckets    = [][]byte{bktMeta, bktChallenges, bktSessions, bktOperations, bktDocuments, bktEntries,
		bktContents, bktEvents, bktFeed, bktAgreements, bktAgrTexts, bktAccepted, bktCompromise}
)

// Bolt is the portal's storage in one bbolt file.
type Bolt struct {
	db    *bolt.DB
	epoch string
}

// OpenBolt opens (or creates) the portal database at path, private to the
// user running the portal.
func OpenBolt(path string) (*Bolt, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open portal database %s: it is in use (is another qoltanba-portal running?)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open portal database %s: %w", path, err)
	}
	b := &Bolt{db: db}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bktMeta)
		if e := meta.Get([]byte("epoch")); e != nil {
			b.epoch = string(e)
			return nil
		}
		b.epoch = newEpoch()
		return meta.Put([]byte("epoch"), []byte(b.epoch))
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open portal database %s: %w", path, err)
	}
	_ = os.Chmod(path, 0o600)
	return b, nil
}

func newEpoch() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (b *Bolt) Epoch() string { return b.epoch }
func (b *Bolt) Close() error  { return b.db.Close() }

func putJSON(bkt *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return bkt.Put(key, raw)
}

func getJSON(bkt *bolt.Bucket, key []byte, v any) error {
	raw := bkt.Get(key)
	if raw == nil {
		return ErrNotFound
	}
	return json.Unmarshal(raw, v)
}

func (b *Bolt) PutChallenge(ctx context.Context, c Challenge) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bktChallenges), []byte(c.ID), c)
	})
}

func (b *Bolt) TakeChallenge(ctx context.Context, id string) (Challenge, error) {
	var c Challenge
	err := b.db.Update(func(tx *bolt.Tx) error {
		bkt := tx.Bucket(bktChallenges)
		if err := getJSON(bkt, []byte(id), &c); err != nil {
			return err
		}
		return bkt.Delete([]byte(id))
	})
	return c, err
}

func (b *Bolt) PutSession(ctx context.Context, s Session) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bktSessions), s.TokenHash[:], s)
	})
}

func (b *Bolt) Session(ctx context.Context, h [32]byte) (Session, error) {
	var s Session
	err := b.db.View(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bktSessions), h[:], &s) })
	s.TokenHash = h
	return s, err
}

func (b *Bolt) DeleteSession(ctx context.Context, h [32]byte) error {
	return b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bktSessions).Delete(h[:]) })
}

func opKey(scope, key string) []byte { return []byte(scope + "\x00" + key) }

func (b *Bolt) BeginOperation(ctx context.Context, op Operation, staleAfter time.Duration) (*Operation, error) {
	var found *Operation
	err := b.db.Update(func(tx *bolt.Tx) error {
		bkt := tx.Bucket(bktOperations)
		var old Operation
		switch err := getJSON(bkt, opKey(op.Scope, op.Key), &old); {
		case err == nil && (old.Done || op.Started.Sub(old.Started) < staleAfter):
			found = &old
			return nil
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
		return putJSON(bkt, opKey(op.Scope, op.Key), op)
	})
	return found, err
}

func (b *Bolt) FinishOperation(ctx context.Context, op Operation) error {
	op.Done = true
	return b.db.Update(func(tx *bolt.Tx) error { return putJSON(tx.Bucket(bktOperations), opKey(op.Scope, op.Key), op) })
}

func (b *Bolt) ReleaseOperation(ctx context.Context, scope, key string) error {
	return b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bktOperations).Delete(opKey(scope, key)) })
}

func (b *Bolt) Operation(ctx context.Context, scope, key string) (Operation, error) {
	var op Operation
	err := b.db.View(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bktOperations), opKey(scope, key), &op) })
	return op, err
}

func (b *Bolt) Document(ctx context.Context, id string) (api.Document, error) {
	var d api.Document
	err := b.db.View(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bktDocuments), []byte(id), &d) })
	return d, err
}

func (b *Bolt) History(ctx context.Context, id string) ([]api.Entry, error) {
	var out []api.Entry
	err := b.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bktDocuments).Get([]byte(id)) == nil {
			return ErrNotFound
		}
		prefix := []byte(id)
		c := tx.Bucket(bktEntries).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var e api.Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

func contentKey(id string, version int) []byte {
	return binary.BigEndian.AppendUint32([]byte(id), uint32(version))
}

func (b *Bolt) Content(ctx context.Context, id string, version int) ([]byte, error) {
	var out []byte
	err := b.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bktContents).Get(contentKey(id, version))
		if v == nil {
			return ErrNotFound
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

func (b *Bolt) Documents(ctx context.Context, status api.DocumentStatus, limit int) ([]api.Document, error) {
	var out []api.Document
	err := b.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktDocuments).Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			var d api.Document
			if err := json.Unmarshal(v, &d); err != nil {
				return err
			}
			if status == "" || d.Status == status {
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

func (b *Bolt) Commit(ctx context.Context, ch Change) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		docs := tx.Bucket(bktDocuments)
		id := []byte(ch.Document.Id)
		var stored int64
		if raw := docs.Get(id); raw != nil {
			var old api.Document
			if err := json.Unmarshal(raw, &old); err != nil {
				return err
			}
			stored = old.Revision
		}
		if stored != ch.Document.Revision-1 {
			return ErrRevision
		}
		if err := putJSON(docs, id, ch.Document); err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(bktEntries), binary.BigEndian.AppendUint64(bytes.Clone(id), uint64(ch.Entry.Revision)), ch.Entry); err != nil {
			return err
		}
		if ch.Content != nil {
			if err := tx.Bucket(bktContents).Put(contentKey(ch.Document.Id, ch.Document.ContentVersion), ch.Content); err != nil {
				return err
			}
		}
		events := tx.Bucket(bktEvents)
		seq, err := events.NextSequence()
		if err != nil {
			return err
		}
		ev := api.Event{Type: api.EventTypeDocument, At: ch.Entry.At, Document: ch.Document, Entry: ch.Entry}
		if err := putJSON(events, binary.BigEndian.AppendUint64(nil, seq), ev); err != nil {
			return err
		}
		feed := tx.Bucket(bktFeed)
		for _, a := range ch.Audiences {
			if err := feed.Put(binary.BigEndian.AppendUint64([]byte(a+"\x00"), seq), nil); err != nil {
				return err
			}
		}
		return finishOp(tx, ch.Op)
	})
}

func (b *Bolt) Events(ctx context.Context, audiences []string, after uint64, limit int) ([]Event, error) {
	var seqs []uint64
	var out []Event
	err := b.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktFeed).Cursor()
		for _, a := range audiences {
			prefix := []byte(a + "\x00")
			n := 0
			for k, _ := c.Seek(binary.BigEndian.AppendUint64(bytes.Clone(prefix), after+1)); k != nil && bytes.HasPrefix(k, prefix) && n < limit; k, _ = c.Next() {
				seqs = append(seqs, binary.BigEndian.Uint64(k[len(prefix):]))
				n++
			}
		}
		slices.Sort(seqs)
		seqs = slices.Compact(seqs)
		if len(seqs) > limit {
			seqs = seqs[:limit]
		}
		events := tx.Bucket(bktEvents)
		for _, s := range seqs {
			var e api.Event
			if err := getJSON(events, binary.BigEndian.AppendUint64(nil, s), &e); err != nil {
				return fmt.Errorf("event %d: %w", s, err)
			}
			out = append(out, Event{Seq: s, Event: e})
		}
		return nil
	})
	return out, err
}

func agreementKey(id string, version int) []byte {
	return binary.BigEndian.AppendUint32([]byte(id), uint32(version))
}

func finishOp(tx *bolt.Tx, op *Operation) error {
	if op == nil {
		return nil
	}
	done := *op
	done.Done = true
	return putJSON(tx.Bucket(bktOperations), opKey(done.Scope, done.Key), done)
}

func (b *Bolt) PutAgreement(ctx context.Context, a AgreementVersion, op *Operation) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		bkt := tx.Bucket(bktAgreements)
		if a.Version < 1 || bkt.Get(agreementKey(a.ID, a.Version)) != nil ||
			(a.Version > 1 && bkt.Get(agreementKey(a.ID, a.Version-1)) == nil) {
			return ErrRevision
		}
		if err := putJSON(bkt, agreementKey(a.ID, a.Version), a); err != nil {
			return err
		}
		for lang, text := range a.Bodies {
			if err := tx.Bucket(bktAgrTexts).Put(append(agreementKey(a.ID, a.Version), lang...), text); err != nil {
				return err
			}
		}
		return finishOp(tx, op)
	})
}

func (b *Bolt) Agreements(ctx context.Context) ([]AgreementVersion, error) {
	var out []AgreementVersion
	err := b.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktAgreements).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var a AgreementVersion
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			if n := len(out); n > 0 && out[n-1].ID == a.ID {
				out[n-1] = a // a later version of the same agreement
				continue
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

func (b *Bolt) AgreementVersion(ctx context.Context, id string, version int) (AgreementVersion, error) {
	var a AgreementVersion
	err := b.db.View(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bktAgreements), agreementKey(id, version), &a) })
	return a, err
}

func (b *Bolt) AgreementText(ctx context.Context, id string, version int, language string) ([]byte, error) {
	var out []byte
	err := b.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bktAgrTexts).Get(append(agreementKey(id, version), language...))
		if v == nil {
			return ErrNotFound
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

func (b *Bolt) PutAcceptance(ctx context.Context, a Acceptance, op *Operation) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		key := append([]byte(a.Scope+"\x00"), agreementKey(a.Agreement, a.Version)...)
		if err := putJSON(tx.Bucket(bktAccepted), key, a); err != nil {
			return err
		}
		return finishOp(tx, op)
	})
}

func (b *Bolt) Acceptances(ctx context.Context, scope string) (map[string]Acceptance, error) {
	out := map[string]Acceptance{}
	err := b.db.View(func(tx *bolt.Tx) error {
		prefix := []byte(scope + "\x00")
		c := tx.Bucket(bktAccepted).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var a Acceptance
			if err := json.Unmarshal(v, &a); err != nil {
				return err
			}
			out[a.Agreement] = a // versions ascend: the last is the latest
		}
		return nil
	})
	return out, err
}

func (b *Bolt) PutCompromise(ctx context.Context, c Compromise, op *Operation) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bktCompromise), []byte(c.Fingerprint), c); err != nil {
			return err
		}
		return finishOp(tx, op)
	})
}

func (b *Bolt) Compromises(ctx context.Context) ([]Compromise, error) {
	var out []Compromise
	err := b.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktCompromise).ForEach(func(_, v []byte) error {
			var c Compromise
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	})
	sortCompromises(out)
	return out, err
}

func (b *Bolt) Compromise(ctx context.Context, fingerprint string) (Compromise, error) {
	var c Compromise
	err := b.db.View(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bktCompromise), []byte(fingerprint), &c) })
	return c, err
}
