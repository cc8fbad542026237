package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
)

// appendEntry adds e to the journal inside the caller's transaction, after
// the current head: the caller's change and its record commit together.
func appendEntry(tx kvTx, e Entry) (Entry, error) {
	meta, journal := tx.bucket(bucketMeta), tx.bucket(bucketJournal)
	var seq uint64
	if head := meta.get(keyJournalHead); head != nil {
		if len(head) != 8+32 {
			return Entry{}, fmt.Errorf("journal head: %w: %d bytes", ErrTampered, len(head))
		}
		seq = binary.BigEndian.Uint64(head)
		copy(e.Prev[:], head[8:])
	}
	e.Seq = seq + 1
	if journal.get(seqKey(e.Seq)) != nil {
		return Entry{}, fmt.Errorf("journal entry %d exists beyond the head: %w", e.Seq, ErrTampered)
	}
	e.Time = e.Time.UTC()
	e.Detail = truncate(e.Detail, maxDetailLen)
	if len(e.Action) > maxActionLen {
		return Entry{}, fmt.Errorf("journal action %q too long", e.Action)
	}
	val := e.seal()
	if err := journal.put(seqKey(e.Seq), val); err != nil {
		return Entry{}, err
	}
	if err := meta.put(keyJournalHead, append(seqKey(e.Seq), e.Hash[:]...)); err != nil {
		return Entry{}, err
	}
	if !e.Document.IsZero() {
		if err := tx.bucket(bucketIdxJournal).put(append(bytes.Clone(e.Document[:]), seqKey(e.Seq)...), nil); err != nil {
			return Entry{}, err
		}
	}
	return e, nil
}

// recordable are the actions Record accepts; the others come only with the
// change they describe.
var recordable = map[Action]bool{ActionVerify: true, ActionExport: true, ActionKey: true}

func (c *core) Record(ctx context.Context, ev Event) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	if !recordable[ev.Action] {
		return Entry{}, fmt.Errorf("record %q: only verify, export and key events are recorded directly", ev.Action)
	}
	var e Entry
	err := c.kv.update(func(tx kvTx) error {
		if !ev.Document.IsZero() {
			if _, err := getDoc(tx, ev.Document); err != nil {
				return err
			}
			if ev.Version != 0 {
				if _, err := getVersion(tx, ev.Document, ev.Version); err != nil {
					return err
				}
			}
		}
		var err error
		e, err = appendEntry(tx, Entry{Time: c.now(), Action: ev.Action, Document: ev.Document, Version: ev.Version,
			Digest: ev.Digest, Certificate: ev.Certificate, Detail: ev.Detail})
		return err
	})
	if err != nil {
		return Entry{}, fmt.Errorf("record %s: %w", ev.Action, err)
	}
	return e, nil
}

func (c *core) Journal(ctx context.Context, q JournalQuery) ([]Entry, error) {
	var out []Entry
	full := func() bool { return q.Limit > 0 && len(out) >= q.Limit }
	err := c.view(ctx, func(tx kvTx) error {
		journal := tx.bucket(bucketJournal)
		add := func(v []byte) error {
			e, err := decodeEntry(v)
			if err != nil {
				return err
			}
			out = append(out, e)
			return nil
		}
		if q.Document.IsZero() {
			cur := journal.cursor()
			for k, v := cur.seek(seqKey(q.AfterSeq + 1)); k != nil && !full(); k, v = cur.next() {
				if err := add(v); err != nil {
					return fmt.Errorf("journal entry %x: %w", k, err)
				}
			}
			return nil
		}
		prefix := q.Document[:]
		cur := tx.bucket(bucketIdxJournal).cursor()
		for k, _ := cur.seek(append(bytes.Clone(prefix), seqKey(q.AfterSeq+1)...)); k != nil && hasPrefix(k, prefix) && !full(); k, _ = cur.next() {
			seq := k[len(prefix):]
			v := journal.get(seq)
			if v == nil {
				return fmt.Errorf("journal entry %x: %w", seq, ErrNotFound)
			}
			if err := add(v); err != nil {
				return fmt.Errorf("journal entry %x: %w", seq, err)
			}
		}
		return nil
	})
	return out, err
}

// Err is nil for a sound journal and an error wrapping ErrTampered that
// names the first problem otherwise.
func (r JournalReport) Err() error {
	switch {
	case r.FirstBroken != 0:
		return fmt.Errorf("journal entry %d: %s: %w", r.FirstBroken, r.Reason, ErrTampered)
	case len(r.Problems) > 0:
		return fmt.Errorf("%s: %w", r.Problems[0], ErrTampered)
	}
	return nil
}

const maxProblems = 100

type verKeyT struct {
	id ID
	n  uint32
}

func (c *core) VerifyJournal(ctx context.Context) (JournalReport, error) {
	var r JournalReport
	err := c.view(ctx, func(tx kvTx) error {
		r = JournalReport{}
		problem := func(format string, a ...any) {
			if len(r.Problems) < maxProblems {
				r.Problems = append(r.Problems, fmt.Sprintf(format, a...))
			} else if len(r.Problems) == maxProblems {
				r.Problems = append(r.Problems, "… more problems not listed")
			}
		}
		broken := func(seq uint64, format string, a ...any) {
			if r.FirstBroken == 0 {
				r.FirstBroken, r.Reason = seq, fmt.Sprintf(format, a...)
			}
		}

		// 1. The chain.
		contents := map[verKeyT]Digest32{}
		sigs := map[verKeyT][]Digest32{}
		// deleted: documents whose removal the journal records; their
		// versions and signatures are gone on purpose.
		deleted := map[ID]bool{}
		seenVersions := map[verKeyT]bool{}
		seenSigs := map[verKeyT]int{}
		var prev Digest32
		var expect uint64 = 1
		cur := tx.bucket(bucketJournal).cursor()
		for k, v := cur.first(); k != nil; k, v = cur.next() {
			if expect%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if len(k) != 8 {
				broken(expect, "stray key %x in the journal", k)
				continue
			}
			seq := binary.BigEndian.Uint64(k)
			e, err := decodeEntry(v)
			switch {
			case seq != expect:
				broken(expect, "entry %d is missing (next is %d)", expect, seq)
			case err != nil:
				broken(seq, "unreadable: %v", err)
			case e.Seq != seq:
				broken(seq, "stored under %d but numbered %d", seq, e.Seq)
			case e.Prev != prev:
				broken(seq, "does not link to entry %d (an entry was changed, removed or inserted)", seq-1)
			case sha256.Sum256(e.encode()) != e.Hash:
				broken(seq, "changed after it was written: its hash does not match its contents")
			}
			if err == nil {
				prev = e.Hash
				key := verKeyT{e.Document, e.Version}
				switch e.Action {
				case ActionImport, ActionEdit:
					if e.Version != 0 {
						contents[key] = e.Digest
					}
				case ActionSign:
					sigs[key] = append(sigs[key], e.Digest)
				case ActionDelete:
					deleted[e.Document] = true
				}
			}
			r.Entries++
			expect = seq + 1
		}
		r.Head = prev
		head := tx.bucket(bucketMeta).get(keyJournalHead)
		switch {
		case head == nil && r.Entries > 0:
			broken(r.Entries, "the journal head record is missing")
		case head != nil && len(head) != 40:
			broken(r.Entries, "the journal head record is malformed")
		case head != nil:
			if hs := binary.BigEndian.Uint64(head); hs != expect-1 {
				broken(min(hs, expect), "the head says the journal ends at entry %d but it ends at %d (entries were removed)", hs, expect-1)
			} else if !bytes.Equal(head[8:], prev[:]) {
				broken(hs, "its hash differs from the journal head record")
			}
		}

		// 2. Documents, versions and signatures against the journal.
		docs := tx.bucket(bucketDocs).cursor()
		for k, v := docs.first(); k != nil; k, v = docs.next() {
			r.Documents++
			var d Document
			if err := unmarshalRecord(v, &d); err != nil {
				problem("document %x: unreadable record: %v", k, err)
				continue
			}
			if tx.bucket(bucketVersions).get(verKey(d.ID, d.Version)) == nil {
				problem("document %s: its current version %d is missing", d.ID, d.Version)
			}
		}
		vers := tx.bucket(bucketVersions).cursor()
		for k, v := vers.first(); k != nil; k, v = vers.next() {
			r.Versions++
			if err := ctx.Err(); err != nil {
				return err
			}
			var ver Version
			if err := unmarshalRecord(v, &ver); err != nil {
				problem("version %x: unreadable record: %v", k, err)
				continue
			}
			name := fmt.Sprintf("document %s version %d", ver.Document, ver.Number)
			seenVersions[verKeyT{ver.Document, ver.Number}] = true
			want, ok := contents[verKeyT{ver.Document, ver.Number}]
			switch {
			case !ok:
				problem("%s: no journal entry recorded its import", name)
			case want != ver.SHA256:
				problem("%s: its digest %s differs from the journal's %s (changed behind Qoltanba's back)", name, ver.SHA256, want)
			}
			data, err := c.readBlob(tx, ver.Storage, ver.SHA256)
			if err != nil {
				problem("%s: %v", name, err)
			} else if gost := digestGOST(data); gost != ver.Streebog512 {
				problem("%s: its Streebog-512 digest differs from the content", name)
			}
		}
		sc := tx.bucket(bucketSigs).cursor()
		for k, v := sc.first(); k != nil; k, v = sc.next() {
			r.Signs++
			var s Signature
			if err := unmarshalRecord(v, &s); err != nil {
				problem("signature %x: unreadable record: %v", k, err)
				continue
			}
			name := fmt.Sprintf("document %s version %d signature %d", s.Document, s.Version, s.Index)
			list := sigs[verKeyT{s.Document, s.Version}]
			seenSigs[verKeyT{s.Document, s.Version}]++
			switch {
			case s.Index == 0 || int(s.Index) > len(list):
				problem("%s: no journal entry recorded it", name)
			case list[s.Index-1] != s.SHA256:
				problem("%s: its digest differs from the journal's (changed behind Qoltanba's back)", name)
			}
			if _, err := c.readBlob(tx, s.Storage, s.SHA256); err != nil {
				problem("%s: %v", name, err)
			}
		}
		// 3. What the journal recorded and no delete entry explains must
		// still be there.
		var missing []string
		for key := range contents {
			if !deleted[key.id] && !seenVersions[key] {
				missing = append(missing, fmt.Sprintf("document %s version %d: journaled but missing (removed behind Qoltanba's back)", key.id, key.n))
			}
		}
		for key, list := range sigs {
			if !deleted[key.id] && seenSigs[key] < len(list) {
				missing = append(missing, fmt.Sprintf("document %s version %d: %d signature(s) journaled, %d stored (removed behind Qoltanba's back)", key.id, key.n, len(list), seenSigs[key]))
			}
		}
		sort.Strings(missing)
		for _, m := range missing {
			problem("%s", m)
		}
		return nil
	})
	if err != nil {
		return JournalReport{}, fmt.Errorf("verify journal: %w", err)
	}
	r.OK = r.FirstBroken == 0 && len(r.Problems) == 0
	return r, nil
}

func unmarshalRecord(v []byte, out any) error { return json.Unmarshal(v, out) }
