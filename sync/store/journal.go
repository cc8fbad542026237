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
		j := &journalCheck{c: c, tx: tx, contents: map[verKeyT]Digest32{}, sigs: map[verKeyT][]Digest32{},
			deleted: map[ID]bool{}, seenVersions: map[verKeyT]bool{}, seenSigs: map[verKeyT]int{}}
		// 1. The chain; 2. documents, versions and signatures against it;
		// 3. what it recorded and no delete explains must still be there.
		for _, step := range []func(context.Context) error{j.chain, j.documents, j.versions, j.signatures} {
			if err := step(ctx); err != nil {
				return err
			}
		}
		j.leftovers()
		r = j.r
		return nil
	})
	if err != nil {
		return JournalReport{}, fmt.Errorf("verify journal: %w", err)
	}
	r.OK = r.FirstBroken == 0 && len(r.Problems) == 0
	return r, nil
}

// journalCheck is one VerifyJournal run inside a read transaction: what the
// journal recorded, what the buckets hold, and the report being written.
type journalCheck struct {
	c  *core
	tx kvTx
	r  JournalReport
	// contents and sigs are the digests the journal recorded per version;
	// deleted the documents whose removal it records (their versions and
	// signatures are gone on purpose).
	contents map[verKeyT]Digest32
	sigs     map[verKeyT][]Digest32
	deleted  map[ID]bool
	// seenVersions and seenSigs are what the buckets hold.
	seenVersions map[verKeyT]bool
	seenSigs     map[verKeyT]int
}

// problem notes a store record that disagrees with the journal.
func (j *journalCheck) problem(format string, a ...any) {
	if len(j.r.Problems) < maxProblems {
		j.r.Problems = append(j.r.Problems, fmt.Sprintf(format, a...))
	} else if len(j.r.Problems) == maxProblems {
		j.r.Problems = append(j.r.Problems, "… more problems not listed")
	}
}

// broken notes the first entry where the chain breaks.
func (j *journalCheck) broken(seq uint64, format string, a ...any) {
	if j.r.FirstBroken == 0 {
		j.r.FirstBroken, j.r.Reason = seq, fmt.Sprintf(format, a...)
	}
}

// chain walks the journal: numbering, links, hashes and the head record,
// collecting the digests each entry recorded.
func (j *journalCheck) chain(ctx context.Context) error {
	var prev Digest32
	var expect uint64 = 1
	cur := j.tx.bucket(bucketJournal).cursor()
	for k, v := cur.first(); k != nil; k, v = cur.next() {
		if expect%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if len(k) != 8 {
			j.broken(expect, "stray key %x in the journal", k)
			continue
		}
		seq := binary.BigEndian.Uint64(k)
		e, err := decodeEntry(v)
		switch {
		case seq != expect:
			j.broken(expect, "entry %d is missing (next is %d)", expect, seq)
		case err != nil:
			j.broken(seq, "unreadable: %v", err)
		case e.Seq != seq:
			j.broken(seq, "stored under %d but numbered %d", seq, e.Seq)
		case e.Prev != prev:
			j.broken(seq, "does not link to entry %d (an entry was changed, removed or inserted)", seq-1)
		case sha256.Sum256(e.encode()) != e.Hash:
			j.broken(seq, "changed after it was written: its hash does not match its contents")
		}
		if err == nil {
			prev = e.Hash
			j.collect(e)
		}
		j.r.Entries++
		expect = seq + 1
	}
	j.r.Head = prev
	j.checkHead(prev, expect-1)
	return nil
}

// collect keeps what an entry recorded about a version's content or
// signatures, or a document's deletion.
func (j *journalCheck) collect(e Entry) {
	key := verKeyT{e.Document, e.Version}
	switch e.Action {
	case ActionImport, ActionEdit:
		if e.Version != 0 {
			j.contents[key] = e.Digest
		}
	case ActionSign:
		j.sigs[key] = append(j.sigs[key], e.Digest)
	case ActionDelete:
		j.deleted[e.Document] = true
	}
}

// checkHead compares the head record with the last entry, last, and its hash.
func (j *journalCheck) checkHead(hash Digest32, last uint64) {
	head := j.tx.bucket(bucketMeta).get(keyJournalHead)
	switch {
	case head == nil && j.r.Entries > 0:
		j.broken(j.r.Entries, "the journal head record is missing")
	case head != nil && len(head) != 40:
		j.broken(j.r.Entries, "the journal head record is malformed")
	case head != nil:
		if hs := binary.BigEndian.Uint64(head); hs != last {
			j.broken(min(hs, last+1), "the head says the journal ends at entry %d but it ends at %d (entries were removed)", hs, last)
		} else if !bytes.Equal(head[8:], hash[:]) {
			j.broken(hs, "its hash differs from the journal head record")
		}
	}
}

// documents checks that every document's current version exists.
func (j *journalCheck) documents(context.Context) error {
	docs := j.tx.bucket(bucketDocs).cursor()
	for k, v := docs.first(); k != nil; k, v = docs.next() {
		j.r.Documents++
		var d Document
		if err := unmarshalRecord(v, &d); err != nil {
			j.problem("document %x: unreadable record: %v", k, err)
			continue
		}
		if j.tx.bucket(bucketVersions).get(verKey(d.ID, d.Version)) == nil {
			j.problem("document %s: its current version %d is missing", d.ID, d.Version)
		}
	}
	return nil
}

// versions checks every version's digest against the journal and its
// content against both its digests.
func (j *journalCheck) versions(ctx context.Context) error {
	vers := j.tx.bucket(bucketVersions).cursor()
	for k, v := vers.first(); k != nil; k, v = vers.next() {
		j.r.Versions++
		if err := ctx.Err(); err != nil {
			return err
		}
		var ver Version
		if err := unmarshalRecord(v, &ver); err != nil {
			j.problem("version %x: unreadable record: %v", k, err)
			continue
		}
		name := fmt.Sprintf("document %s version %d", ver.Document, ver.Number)
		j.seenVersions[verKeyT{ver.Document, ver.Number}] = true
		want, ok := j.contents[verKeyT{ver.Document, ver.Number}]
		switch {
		case !ok:
			j.problem("%s: no journal entry recorded its import", name)
		case want != ver.SHA256:
			j.problem("%s: its digest %s differs from the journal's %s (changed behind Qoltanba's back)", name, ver.SHA256, want)
		}
		data, err := j.c.readBlob(j.tx, ver.Storage, ver.SHA256)
		if err != nil {
			j.problem("%s: %v", name, err)
		} else if gost := digestGOST(data); gost != ver.Streebog512 {
			j.problem("%s: its Streebog-512 digest differs from the content", name)
		}
	}
	return nil
}

// signatures checks every stored signature against the journal.
func (j *journalCheck) signatures(context.Context) error {
	sc := j.tx.bucket(bucketSigs).cursor()
	for k, v := sc.first(); k != nil; k, v = sc.next() {
		j.r.Signs++
		var s Signature
		if err := unmarshalRecord(v, &s); err != nil {
			j.problem("signature %x: unreadable record: %v", k, err)
			continue
		}
		name := fmt.Sprintf("document %s version %d signature %d", s.Document, s.Version, s.Index)
		list := j.sigs[verKeyT{s.Document, s.Version}]
		j.seenSigs[verKeyT{s.Document, s.Version}]++
		switch {
		case s.Index == 0 || int(s.Index) > len(list):
			j.problem("%s: no journal entry recorded it", name)
		case list[s.Index-1] != s.SHA256:
			j.problem("%s: its digest differs from the journal's (changed behind Qoltanba's back)", name)
		}
		if _, err := j.c.readBlob(j.tx, s.Storage, s.SHA256); err != nil {
			j.problem("%s: %v", name, err)
		}
	}
	return nil
}

// leftovers reports what the journal recorded, no delete entry explains,
// and the store no longer holds.
func (j *journalCheck) leftovers() {
	var missing []string
	for key := range j.contents {
		if !j.deleted[key.id] && !j.seenVersions[key] {
			missing = append(missing, fmt.Sprintf("document %s version %d: journaled but missing (removed behind Qoltanba's back)", key.id, key.n))
		}
	}
	for key, list := range j.sigs {
		if !j.deleted[key.id] && j.seenSigs[key] < len(list) {
			missing = append(missing, fmt.Sprintf("document %s version %d: %d signature(s) journaled, %d stored (removed behind Qoltanba's back)", key.id, key.n, len(list), j.seenSigs[key]))
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		j.problem("%s", m)
	}
}

func unmarshalRecord(v []byte, out any) error { return json.Unmarshal(v, out) }
