package store

import (
	"context"
	"fmt"
	"os"
	"time"
)

// ActionDelete journals a document's removal. Its Detail lists what went;
// the document's earlier entries stay, so the history of a deleted document
// (what was imported, signed and exported, with digests) remains provable.
// VerifyJournal reads delete entries as the explicit mark that the contents
// of that document are gone on purpose, not lost or removed behind
// Qoltanba's back.
const ActionDelete Action = "delete"

// RetentionYears is how long a signed document is kept from its first
// signature: the portals' agreements require journals of signed documents
// "at least 5 years together with the certificates and the means to verify
// them".
const RetentionYears = 5

// RetainedUntil is the first moment d may be deleted without force (zero
// for a document never signed).
func RetainedUntil(d Document) time.Time {
	if d.SignedAt.IsZero() {
		return time.Time{}
	}
	return d.SignedAt.AddDate(RetentionYears, 0, 0)
}

// DeleteOptions qualify DeleteDocument.
type DeleteOptions struct {
	// ForceBeforeRetention deletes a signed document inside its retention
	// period. The caller must have had the user confirm it explicitly.
	ForceBeforeRetention bool
	// Reason is journaled with the deletion.
	Reason string
}

// RetentionError is ErrRetention with the dates a user needs.
type RetentionError struct {
	ID       ID
	Title    string
	SignedAt time.Time
	Until    time.Time
}

func (e *RetentionError) Error() string {
	return fmt.Sprintf("document %s (%q) was signed %s and must be kept until %s",
		e.ID, e.Title, e.SignedAt.Format(time.DateOnly), e.Until.Format(time.DateOnly))
}

func (e *RetentionError) Unwrap() error { return ErrRetention }

// Deletion says what DeleteDocument removed.
type Deletion struct {
	Document   Document `json:"document"`
	Versions   int      `json:"versions"`
	Signatures int      `json:"signatures"`
	// Forced: deleted inside the retention period.
	Forced bool  `json:"forced"`
	Entry  Entry `json:"entry"`
}

// DeleteDocument removes a document, its versions, signatures and (when no
// other document shares them) contents, and journals the removal in the
// same transaction. A signed document inside its retention period is
// refused with a *RetentionError unless opts.ForceBeforeRetention.
func (c *core) DeleteDocument(ctx context.Context, id ID, opts DeleteOptions) (Deletion, error) {
	if err := ctx.Err(); err != nil {
		return Deletion{}, err
	}
	var del Deletion
	var goneFiles []Digest32
	err := c.kv.update(func(tx kvTx) error {
		d, err := getDoc(tx, id)
		if err != nil {
			return err
		}
		now := c.now()
		until := RetainedUntil(d)
		forced := !until.IsZero() && now.Before(until)
		if forced && !opts.ForceBeforeRetention {
			return &RetentionError{ID: id, Title: d.Title, SignedAt: d.SignedAt, Until: until}
		}
		del = Deletion{Document: d, Forced: forced}

		// What this document references, and what it alone references.
		mine := map[Digest32]string{}
		vb, sb := tx.bucket(bucketVersions), tx.bucket(bucketSigs)
		var keys [][]byte
		for n := uint32(1); n <= d.Version; n++ {
			k := verKey(id, n)
			var v Version
			if err := getJSON(vb, k, &v, fmt.Sprintf("document %s version %d", id, n)); err != nil {
				return err
			}
			mine[v.SHA256] = v.Storage
			keys = append(keys, k)
			del.Versions++
			prefix := verKey(id, n)
			cur := sb.cursor()
			for sk, sv := cur.seek(prefix); sk != nil && hasPrefix(sk, prefix); sk, sv = cur.next() {
				var s Signature
				if err := unmarshalRecord(sv, &s); err != nil {
					return fmt.Errorf("signature %x: %w", sk, err)
				}
				mine[s.SHA256] = s.Storage
				del.Signatures++
				if err := sb.delete(append([]byte(nil), sk...)); err != nil {
					return err
				}
			}
		}
		for _, k := range keys {
			if err := vb.delete(k); err != nil {
				return err
			}
		}
		shared, err := stillReferenced(tx, mine)
		if err != nil {
			return err
		}
		for sum, storage := range mine {
			if shared[sum] {
				continue
			}
			switch storage {
			case storageInline:
				err = tx.bucket(bucketBlobs).delete(sum[:])
			case storageFile:
				err = tx.bucket(bucketFiles).delete(sum[:])
				goneFiles = append(goneFiles, sum)
			}
			if err != nil {
				return err
			}
		}
		if err := tx.bucket(bucketIdxState).delete(append([]byte{d.State.code()}, id[:]...)); err != nil {
			return err
		}
		if err := tx.bucket(bucketIdxKind).delete(append([]byte{d.Kind.code()}, id[:]...)); err != nil {
			return err
		}
		if err := tx.bucket(bucketIdxText).delete(id[:]); err != nil {
			return err
		}
		if err := tx.bucket(bucketDocs).delete(id[:]); err != nil {
			return err
		}
		detail := fmt.Sprintf("%q (%s): %d version(s), %d signature(s) deleted", d.Title, d.State, del.Versions, del.Signatures)
		if forced {
			detail += fmt.Sprintf(", forced before retention ends %s", until.Format(time.DateOnly))
		}
		if opts.Reason != "" {
			detail += ": " + opts.Reason
		}
		del.Entry, err = appendEntry(tx, Entry{Time: now, Action: ActionDelete, Document: id, Version: d.Version,
			Digest: d.SHA256, Detail: truncate(detail, maxDetailLen)})
		return err
	})
	if err != nil {
		return Deletion{}, fmt.Errorf("delete document %s: %w", id, err)
	}
	// Files go after the commit: a crash before this leaves orphans, which
	// Open collects; removing them first could lose a committed reference.
	if c.files != nil {
		for _, sum := range goneFiles {
			_ = os.Remove(c.files.path(sum))
		}
	}
	return del, nil
}

// stillReferenced reports which of the digests in want another version or
// signature still uses (contents are shared by digest). It reads the
// version and signature records once: deletions are rare, and keeping a
// reference count would put a write on every import.
func stillReferenced(tx kvTx, want map[Digest32]string) (map[Digest32]bool, error) {
	out := map[Digest32]bool{}
	for _, name := range [][]byte{bucketVersions, bucketSigs} {
		cur := tx.bucket(name).cursor()
		for k, v := cur.first(); k != nil; k, v = cur.next() {
			var rec struct {
				SHA256 Digest32 `json:"sha256"`
			}
			if err := unmarshalRecord(v, &rec); err != nil {
				return nil, fmt.Errorf("record %x: %w", k, err)
			}
			if _, ok := want[rec.SHA256]; ok {
				out[rec.SHA256] = true
			}
		}
	}
	return out, nil
}
