package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// core is the one implementation of Store's rules over a kvDB; *Bolt and
// *Memory embed it.
type core struct {
	kv    kvDB
	files *fileBlobs // nil: every content inline
	opts  Options
}

func (c *core) now() time.Time { return c.opts.Now().UTC().Round(0) }

func verKey(id ID, n uint32) []byte { return binary.BigEndian.AppendUint32(id[:], n) }

func sigKey(id ID, v, i uint32) []byte {
	return binary.BigEndian.AppendUint32(verKey(id, v), i)
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func getJSON(b kvBucket, key []byte, v any, what string) error {
	raw := b.get(key)
	if raw == nil {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: decode record: %w", what, err)
	}
	return nil
}

func putJSON(b kvBucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.put(key, raw)
}

func getDoc(tx kvTx, id ID) (Document, error) {
	var d Document
	err := getJSON(tx.bucket(bucketDocs), id[:], &d, "document "+id.String())
	return d, err
}

func getVersion(tx kvTx, id ID, n uint32) (Version, error) {
	var v Version
	err := getJSON(tx.bucket(bucketVersions), verKey(id, n), &v, fmt.Sprintf("document %s version %d", id, n))
	if err == nil {
		v.Signatures = countSigs(tx, id, n)
	}
	return v, err
}

func countSigs(tx kvTx, id ID, n uint32) uint32 {
	prefix := verKey(id, n)
	var count uint32
	c := tx.bucket(bucketSigs).cursor()
	for k, _ := c.seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.next() {
		count++
	}
	return count
}

func hasPrefix(k, prefix []byte) bool {
	return len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix)
}

// putDoc writes a document and keeps its index entries in step; old is the
// record before the change (nil for a new document).
func putDoc(tx kvTx, d *Document, old *Document) error {
	if old != nil && old.State != d.State {
		if err := tx.bucket(bucketIdxState).delete(append([]byte{old.State.code()}, d.ID[:]...)); err != nil {
			return err
		}
	}
	if old != nil && old.Kind != d.Kind {
		if err := tx.bucket(bucketIdxKind).delete(append([]byte{old.Kind.code()}, d.ID[:]...)); err != nil {
			return err
		}
	}
	if err := tx.bucket(bucketIdxState).put(append([]byte{d.State.code()}, d.ID[:]...), nil); err != nil {
		return err
	}
	if err := tx.bucket(bucketIdxKind).put(append([]byte{d.Kind.code()}, d.ID[:]...), nil); err != nil {
		return err
	}
	if err := tx.bucket(bucketIdxText).put(d.ID[:], textIndexValue(d)); err != nil {
		return err
	}
	return putJSON(tx.bucket(bucketDocs), d.ID[:], d)
}

// prepared is one content checked and staged outside any transaction.
type prepared struct {
	name      string
	mediaType string
	content   []byte
	sha       Digest32
	gost      Digest64
	storage   string
}

func (c *core) prepare(name string, content []byte) (prepared, error) {
	mt, err := checkContent(name, content, c.opts.MaxContentSize)
	if err != nil {
		return prepared{}, err
	}
	p := prepared{name: baseName(name), mediaType: mt, content: content}
	p.sha, p.gost = digests(content)
	if p.storage, err = c.stage(p.sha, content); err != nil {
		return prepared{}, err
	}
	return p, nil
}

func (c *core) AddDocument(ctx context.Context, nd NewDocument) (Document, error) {
	docs, err := c.AddDocuments(ctx, []NewDocument{nd})
	if err != nil {
		return Document{}, err
	}
	return docs[0], nil
}

func (c *core) AddDocuments(ctx context.Context, nds []NewDocument) ([]Document, error) {
	preps := make([]prepared, len(nds))
	for i, nd := range nds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if nd.Kind != "" && nd.Kind.code() == kindCodeNone {
			return nil, fmt.Errorf("import %s: unknown kind %q", displayName(nd.Name), nd.Kind)
		}
		p, err := c.prepare(nd.Name, nd.Content)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		preps[i] = p
	}
	out := make([]Document, len(nds))
	err := c.kv.update(func(tx kvTx) error {
		for i, nd := range nds {
			d, err := c.addDocumentTx(tx, nd, preps[i])
			if err != nil {
				return err
			}
			out[i] = d
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	return out, nil
}

// addDocumentTx stores a new document from a prepared content, journaled
// as an import (detail: the file name and type, and the note when given).
func (c *core) addDocumentTx(tx kvTx, nd NewDocument, p prepared) (Document, error) {
	now := c.now()
	id, err := NewID(now)
	if err != nil {
		return Document{}, err
	}
	d := Document{
		ID: id, Title: nd.Title, Kind: nd.Kind, Counterparty: nd.Counterparty, State: StateDraft,
		Created: now, Modified: now, Version: 1,
		Name: p.name, MediaType: p.mediaType, Size: int64(len(p.content)), SHA256: p.sha,
	}
	if d.Title == "" {
		d.Title = p.name
	}
	if d.Kind == "" {
		d.Kind = defaultKind(p.mediaType)
	}
	if err := c.putVersion(tx, &d, p, now); err != nil {
		return Document{}, err
	}
	if err := putDoc(tx, &d, nil); err != nil {
		return Document{}, err
	}
	detail := p.name + " (" + p.mediaType + ")"
	if nd.Note != "" {
		detail = truncate(detail+", "+nd.Note, maxDetailLen)
	}
	_, err = appendEntry(tx, Entry{Time: now, Action: ActionImport, Document: id, Version: 1, Digest: p.sha, Detail: detail})
	return d, err
}

func (c *core) putVersion(tx kvTx, d *Document, p prepared, now time.Time) error {
	if err := putBlob(tx, p.storage, p.sha, p.content); err != nil {
		return err
	}
	v := Version{Document: d.ID, Number: d.Version, Name: p.name, MediaType: p.mediaType,
		Size: int64(len(p.content)), SHA256: p.sha, Streebog512: p.gost, Created: now, Storage: p.storage}
	b := tx.bucket(bucketVersions)
	key := verKey(d.ID, d.Version)
	if b.get(key) != nil { // versions are write-once
		return fmt.Errorf("document %s version %d already exists", d.ID, d.Version)
	}
	return putJSON(b, key, v)
}

func (c *core) AddVersion(ctx context.Context, id ID, name string, content []byte) (Version, error) {
	if err := ctx.Err(); err != nil {
		return Version{}, err
	}
	p, err := c.prepare(name, content)
	if err != nil {
		return Version{}, fmt.Errorf("edit document %s: %w", id, err)
	}
	var v Version
	err = c.kv.update(func(tx kvTx) (err error) {
		v, err = c.addVersionTx(tx, id, p, "")
		return err
	})
	if err != nil {
		return Version{}, fmt.Errorf("edit document %s: %w", id, err)
	}
	return v, nil
}

// addVersionTx stores p as the document's next version (draft again),
// journaled as an edit with the note appended to the detail.
func (c *core) addVersionTx(tx kvTx, id ID, p prepared, note string) (Version, error) {
	d, err := getDoc(tx, id)
	if err != nil {
		return Version{}, err
	}
	if !editable[d.State] {
		return Version{}, &TransitionError{ID: id, From: d.State, To: StateDraft, Allowed: transitions[d.State],
			Why: "only draft, ready, signed or rejected documents can be edited"}
	}
	old := d
	now := c.now()
	d.Version++
	d.Modified, d.State = now, StateDraft
	d.Name, d.MediaType, d.Size, d.SHA256 = p.name, p.mediaType, int64(len(p.content)), p.sha
	if err := c.putVersion(tx, &d, p, now); err != nil {
		return Version{}, err
	}
	if err := putDoc(tx, &d, &old); err != nil {
		return Version{}, err
	}
	detail := p.name + " (" + p.mediaType + ")"
	if old.State != StateDraft {
		detail += fmt.Sprintf(", %s→draft", old.State)
	}
	if note != "" {
		detail += ", " + note
	}
	if _, err := appendEntry(tx, Entry{Time: now, Action: ActionEdit, Document: id, Version: d.Version,
		Digest: p.sha, Detail: truncate(detail, maxDetailLen)}); err != nil {
		return Version{}, err
	}
	return getVersion(tx, id, d.Version)
}

func (c *core) UpdateDocument(ctx context.Context, id ID, u DocumentUpdate) (Document, error) {
	if err := ctx.Err(); err != nil {
		return Document{}, err
	}
	var d Document
	err := c.kv.update(func(tx kvTx) error {
		var err error
		if d, err = getDoc(tx, id); err != nil {
			return err
		}
		old := d
		var changed []string
		if u.Title != nil && *u.Title != d.Title {
			d.Title = *u.Title
			changed = append(changed, "title")
		}
		if u.Kind != nil && *u.Kind != d.Kind {
			if u.Kind.code() == kindCodeNone {
				return fmt.Errorf("unknown kind %q", *u.Kind)
			}
			d.Kind = *u.Kind
			changed = append(changed, "kind "+string(old.Kind)+"→"+string(d.Kind))
		}
		if u.Counterparty != nil && *u.Counterparty != d.Counterparty {
			d.Counterparty = *u.Counterparty
			changed = append(changed, "counterparty")
		}
		if len(changed) == 0 {
			return nil
		}
		d.Modified = c.now()
		if err := putDoc(tx, &d, &old); err != nil {
			return err
		}
		_, err = appendEntry(tx, Entry{Time: d.Modified, Action: ActionEdit, Document: id,
			Detail: "metadata: " + joinComma(changed)})
		return err
	})
	if err != nil {
		return Document{}, fmt.Errorf("update document %s: %w", id, err)
	}
	return d, nil
}

func (c *core) SetState(ctx context.Context, id ID, to State, note string) (Document, error) {
	if err := ctx.Err(); err != nil {
		return Document{}, err
	}
	var d Document
	err := c.kv.update(func(tx kvTx) (err error) {
		d, err = c.setStateTx(tx, id, to, note)
		return err
	})
	if err != nil {
		return Document{}, fmt.Errorf("change state: %w", err)
	}
	return d, nil
}

// setStateTx moves a document along the transition table, journaled.
func (c *core) setStateTx(tx kvTx, id ID, to State, note string) (Document, error) {
	d, err := getDoc(tx, id)
	if err != nil {
		return d, err
	}
	if err := checkTransition(id, d.State, to); err != nil {
		return d, err
	}
	old := d
	d.State, d.Modified = to, c.now()
	if err := putDoc(tx, &d, &old); err != nil {
		return d, err
	}
	detail := fmt.Sprintf("%s→%s", old.State, to)
	if note != "" {
		detail += ": " + note
	}
	_, err = appendEntry(tx, Entry{Time: d.Modified, Action: ActionState, Document: id, Version: d.Version,
		Digest: d.SHA256, Detail: truncate(detail, maxDetailLen)})
	return d, err
}

func (c *core) Document(ctx context.Context, id ID) (Document, error) {
	var d Document
	err := c.view(ctx, func(tx kvTx) (err error) { d, err = getDoc(tx, id); return err })
	return d, err
}

func (c *core) Version(ctx context.Context, id ID, n uint32) (Version, error) {
	var v Version
	err := c.view(ctx, func(tx kvTx) (err error) { v, err = getVersion(tx, id, n); return err })
	return v, err
}

func (c *core) Versions(ctx context.Context, id ID) ([]Version, error) {
	var vs []Version
	err := c.view(ctx, func(tx kvTx) error {
		d, err := getDoc(tx, id)
		if err != nil {
			return err
		}
		for n := uint32(1); n <= d.Version; n++ {
			v, err := getVersion(tx, id, n)
			if err != nil {
				return err
			}
			vs = append(vs, v)
		}
		return nil
	})
	return vs, err
}

func (c *core) Content(ctx context.Context, id ID, n uint32) ([]byte, error) {
	var data []byte
	err := c.view(ctx, func(tx kvTx) error {
		v, err := getVersion(tx, id, n)
		if err != nil {
			return err
		}
		if data, err = c.readBlob(tx, v.Storage, v.SHA256); err != nil {
			return fmt.Errorf("document %s version %d: %w", id, n, err)
		}
		return nil
	})
	return data, err
}

func (c *core) view(ctx context.Context, fn func(kvTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.kv.view(fn)
}

func (c *core) Close() error { return c.kv.close() }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// cut on a rune boundary
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func joinComma(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}
