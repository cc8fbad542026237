package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The portal exchange's state lives beside the documents so that a local
// change and the write that tells the portal about it, or the events
// received and the cursor after them, commit in one transaction: a crash
// loses neither and doubles neither. The rules of the exchange (what an
// event means for a document, when to retry) live in the sync engine; the
// store keeps its records and applies a batch atomically.

// Account is a portal this store syncs with.
type Account struct {
	// Name is the local name (unique), e.g. the portal's host.
	Name string `json:"name"`
	// API is the API's base address (…/api/v1).
	API string `json:"api"`
	// PortalName and PortalURL are what the portal says it is; statements
	// name PortalURL.
	PortalName string `json:"portalName"`
	PortalURL  string `json:"portalUrl"`
	// ReceiptCertificates are the DER certificates the portal signs
	// receipts with, pinned when the account was added.
	ReceiptCertificates [][]byte `json:"receiptCertificates"`
	Test                bool     `json:"test,omitempty"`
	// IIN, BIN, UserName: who logged in last.
	IIN      string `json:"iin,omitempty"`
	BIN      string `json:"bin,omitempty"`
	UserName string `json:"userName,omitempty"`
	// Session is the bearer token of the last login (not a secret of the
	// user's: it expires, and the database is private to the user).
	Session        string    `json:"session,omitempty"`
	SessionExpires time.Time `json:"sessionExpires,omitzero"`
	Added          time.Time `json:"added"`
	LastSync       time.Time `json:"lastSync,omitzero"`
	LastError      string    `json:"lastError,omitempty"`
}

// Sync states of a linked document, as the window filters them.
const (
	SyncWaiting  = "waiting"  // a write is in the outbox
	SyncSent     = "sent"     // the portal has it (no receipt of ours pending)
	SyncReceipt  = "receipt"  // the portal's receipt for our last write is stored
	SyncConflict = "conflict" // the portal's copy moved on; the user decides
)

// An agreement's acceptance is linked to the remote "<agreement>/v<version>"
// (status LinkAcceptance until the portal's receipt, then LinkAccepted),
// and the text it accepted to AcceptedTextRemote of that: the evidence
// package of the acceptance carries the text.
const (
	LinkAcceptance = "acceptance"
	LinkAccepted   = "accepted"
)

// AcceptedTextRemote is where the text an acceptance linked at remote accepted is linked.
func AcceptedTextRemote(remote string) string { return remote + "/text" }

// Link ties a local document to its copy on a portal.
type Link struct {
	Document ID     `json:"document"`
	Account  string `json:"account"`
	Remote   string `json:"remote"`
	// Revision is the portal revision last applied; an event with a
	// revision not above it is a duplicate.
	Revision       int64  `json:"revision"`
	Direction      string `json:"direction"` // incoming, outgoing
	Status         string `json:"status"`    // the portal's DocumentStatus
	ContentVersion int    `json:"contentVersion"`
	// RemoteSHA256 is the portal's current content digest (hex).
	RemoteSHA256 string      `json:"remoteSha256"`
	Revocation   *Revocation `json:"revocation,omitempty"`
	Sync         string      `json:"sync,omitempty"`
	Conflict     string      `json:"conflict,omitempty"`
	Updated      time.Time   `json:"updated"`
}

// Revocation is a revocation proposal on a portal document.
type Revocation struct {
	ID         string `json:"id"`
	ProposedBy string `json:"proposedBy"` // portal, user
	State      string `json:"state"`      // requested, accepted, refused
	Reason     string `json:"reason,omitempty"`
}

// OutboxItem is a write waiting for a portal. Body is the request exactly
// as it is sent every time, under the same Key: a retry can never become
// a second, different write.
type OutboxItem struct {
	Seq        uint64    `json:"seq"`
	Key        string    `json:"key"`
	Account    string    `json:"account"`
	Document   ID        `json:"document"`
	Op         string    `json:"op"`
	Remote     string    `json:"remote,omitempty"`
	Revocation string    `json:"revocation,omitempty"`
	Body       []byte    `json:"body"`
	Created    time.Time `json:"created"`
	Attempts   int       `json:"attempts"`
	// NextAttempt: not before (backoff, Retry-After).
	NextAttempt time.Time `json:"nextAttempt,omitzero"`
	// MayHaveArrived: an attempt ended without an answer; before sending
	// again, ask the portal what became of Key.
	MayHaveArrived bool   `json:"mayHaveArrived,omitempty"`
	LastError      string `json:"lastError,omitempty"`
}

// Receipt is a portal's signed receipt for one step, verified when stored.
type Receipt struct {
	Document   ID        `json:"document"`
	Index      uint32    `json:"index"`
	Account    string    `json:"account"`
	Remote     string    `json:"remote"`
	Entry      string    `json:"entry"`
	Revision   int64     `json:"revision"`
	ReceivedAt time.Time `json:"receivedAt"`
	// Verdict is the portal's verification (api.Verdict JSON).
	Verdict json.RawMessage `json:"verdict,omitempty"`
	// CMS is the receipt as the portal signed it; Sent the request it
	// acknowledges, as sent (with our signature or signed statement).
	CMS    []byte    `json:"cms"`
	Sent   []byte    `json:"sent,omitempty"`
	SHA256 Digest32  `json:"sha256"`
	Stored time.Time `json:"stored"`
}

// Received is a document that arrived from a portal, or one made here for
// it (an agreement's acceptance); Link.Document is filled in by Exchange.
// Sig, when set, is its first signature, made here; Queued moves it on to
// queued; Outbox is enqueued with the new document's id.
type Received struct {
	Doc    NewDocument
	Link   Link
	Sig    *NewSignature
	Queued bool
	Outbox *OutboxItem
}

// ReceivedVersion is new content for a linked document.
type ReceivedVersion struct {
	Document ID
	Name     string
	Content  []byte
	Note     string
}

// BatchSignature is a signature made here, added in the batch.
type BatchSignature struct {
	Document ID
	Version  uint32
	Sig      NewSignature
}

// BatchState is a state change in the batch.
type BatchState struct {
	Document ID
	To       State
	Note     string
}

// Note is a journal entry of the exchange about a document.
type Note struct {
	Document ID
	Version  uint32
	Digest   Digest32
	Detail   string
}

// ExchangeBatch is one transaction of the portal exchange, applied in the
// order of its fields. Links are written after the documents they name
// exist; Settle removes outbox items by key, Update rewrites them (by Seq).
type ExchangeBatch struct {
	Account    string
	Receive    []Received
	Versions   []ReceivedVersion
	Signatures []BatchSignature
	States     []BatchState
	Links      []Link
	Enqueue    []OutboxItem
	Update     []OutboxItem
	Settle     []string
	Receipts   []Receipt
	Notes      []Note
	// Cursor, when set, is saved as the account's event cursor.
	Cursor *string
}

// ExchangeResult says what Exchange made.
type ExchangeResult struct {
	Received   []ID
	Signatures []Signature
	Enqueued   []uint64
}

type stagedSig struct {
	storage string
	sum     Digest32
}

// ErrDuplicateKey: an outbox item with this Idempotency-Key exists.
var ErrDuplicateKey = errors.New("an outbox item with this key exists")

func remoteKey(account, remote string) []byte { return []byte(account + "\x00" + remote) }

// Exchange applies a batch atomically.
func (c *core) Exchange(ctx context.Context, b ExchangeBatch) (ExchangeResult, error) {
	var res ExchangeResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	// Stage contents and signatures outside the transaction, as imports do.
	preps := make([]prepared, len(b.Receive))
	for i, r := range b.Receive {
		p, err := c.prepare(r.Doc.Name, r.Doc.Content)
		if err != nil {
			return res, fmt.Errorf("receive %s: %w", displayName(r.Doc.Name), err)
		}
		preps[i] = p
	}
	vpreps := make([]prepared, len(b.Versions))
	for i, v := range b.Versions {
		p, err := c.prepare(v.Name, v.Content)
		if err != nil {
			return res, fmt.Errorf("receive a new version of %s: %w", v.Document, err)
		}
		vpreps[i] = p
	}
	rsigs := make([]stagedSig, len(b.Receive))
	for i, r := range b.Receive {
		if r.Sig == nil {
			continue
		}
		if r.Sig.Origin == "" {
			r.Sig.Origin = "made"
		}
		sum := Digest32(sha256.Sum256(r.Sig.Bytes))
		storage, err := c.stage(sum, r.Sig.Bytes)
		if err != nil {
			return res, err
		}
		rsigs[i] = stagedSig{storage, sum}
	}
	sigs := make([]stagedSig, len(b.Signatures))
	for i, s := range b.Signatures {
		if s.Sig.Origin == "" {
			b.Signatures[i].Sig.Origin = "made"
		}
		sum := Digest32(sha256.Sum256(s.Sig.Bytes))
		storage, err := c.stage(sum, s.Sig.Bytes)
		if err != nil {
			return res, err
		}
		sigs[i] = stagedSig{storage, sum}
	}
	err := c.kv.update(func(tx kvTx) error {
		res = ExchangeResult{}
		now := c.now()
		for i, r := range b.Receive {
			if r.Link.Remote != "" && tx.bucket(bucketXRemote).get(remoteKey(b.Account, r.Link.Remote)) != nil {
				return fmt.Errorf("portal document %s is already here", r.Link.Remote)
			}
			d, err := c.addDocumentTx(tx, r.Doc, preps[i])
			if err != nil {
				return err
			}
			l := r.Link
			l.Document, l.Account, l.Updated = d.ID, b.Account, now
			if err := putLink(tx, l); err != nil {
				return err
			}
			if r.Sig != nil {
				sig, err := c.addSignatureTx(tx, d.ID, 1, *r.Sig, rsigs[i].storage, rsigs[i].sum)
				if err != nil {
					return err
				}
				res.Signatures = append(res.Signatures, sig)
			}
			if r.Queued {
				if _, err := c.setStateTx(tx, d.ID, StateQueued, "to send to "+strconv.Quote(b.Account)); err != nil {
					return err
				}
			}
			if r.Outbox != nil {
				it := *r.Outbox
				it.Document = d.ID
				b.Enqueue = append(b.Enqueue, it)
			}
			res.Received = append(res.Received, d.ID)
		}
		for i, v := range b.Versions {
			if _, err := c.addVersionTx(tx, v.Document, vpreps[i], v.Note); err != nil {
				return err
			}
		}
		for i, s := range b.Signatures {
			sig, err := c.addSignatureTx(tx, s.Document, s.Version, s.Sig, sigs[i].storage, sigs[i].sum)
			if err != nil {
				return err
			}
			res.Signatures = append(res.Signatures, sig)
		}
		for _, s := range b.States {
			if _, err := c.setStateTx(tx, s.Document, s.To, s.Note); err != nil {
				return err
			}
		}
		for _, l := range b.Links {
			if _, err := getDoc(tx, l.Document); err != nil {
				return err
			}
			l.Account, l.Updated = b.Account, now
			if err := putLink(tx, l); err != nil {
				return err
			}
		}
		out, keys := tx.bucket(bucketXOutbox), tx.bucket(bucketXOutKeys)
		for _, it := range b.Enqueue {
			k := remoteKey(b.Account, it.Key)
			if keys.get(k) != nil {
				return fmt.Errorf("outbox %s: %w", it.Key, ErrDuplicateKey)
			}
			seq, err := nextOutboxSeq(out)
			if err != nil {
				return err
			}
			it.Seq, it.Account = seq, b.Account
			if it.Created.IsZero() {
				it.Created = now
			}
			if err := putJSON(out, seqKey(seq), it); err != nil {
				return err
			}
			if err := keys.put(k, seqKey(seq)); err != nil {
				return err
			}
			res.Enqueued = append(res.Enqueued, seq)
		}
		for _, it := range b.Update {
			if out.get(seqKey(it.Seq)) == nil {
				continue // settled meanwhile
			}
			if err := putJSON(out, seqKey(it.Seq), it); err != nil {
				return err
			}
		}
		for _, key := range b.Settle {
			k := remoteKey(b.Account, key)
			if seq := keys.get(k); seq != nil {
				if err := out.delete(seq); err != nil {
					return err
				}
				if err := keys.delete(k); err != nil {
					return err
				}
			}
		}
		for _, r := range b.Receipts {
			if _, err := getDoc(tx, r.Document); err != nil {
				return err
			}
			r.Account, r.Stored = b.Account, now
			r.SHA256 = Digest32(sha256.Sum256(r.CMS))
			r.Index = countPrefix(tx.bucket(bucketXReceipts), r.Document[:]) + 1
			if err := putJSON(tx.bucket(bucketXReceipts), binary.BigEndian.AppendUint32(r.Document[:], r.Index), r); err != nil {
				return err
			}
			if _, err := appendEntry(tx, Entry{Time: now, Action: ActionExchange, Document: r.Document,
				Digest: r.SHA256, Detail: truncate(fmt.Sprintf("receipt from %q: %s (portal revision %d, received %s)",
					b.Account, r.Entry, r.Revision, r.ReceivedAt.UTC().Format(time.RFC3339)), maxDetailLen)}); err != nil {
				return err
			}
		}
		for _, n := range b.Notes {
			if _, err := appendEntry(tx, Entry{Time: now, Action: ActionExchange, Document: n.Document, Version: n.Version,
				Digest: n.Digest, Detail: truncate(n.Detail, maxDetailLen)}); err != nil {
				return err
			}
		}
		if b.Cursor != nil {
			return tx.bucket(bucketXCursors).put([]byte(b.Account), []byte(*b.Cursor))
		}
		return nil
	})
	if err != nil {
		return ExchangeResult{}, fmt.Errorf("exchange with %s: %w", b.Account, err)
	}
	return res, nil
}

func nextOutboxSeq(out kvBucket) (uint64, error) {
	k, _ := out.cursor().last()
	if k == nil {
		return 1, nil
	}
	if len(k) != 8 {
		return 0, fmt.Errorf("outbox key %x is malformed", k)
	}
	return binary.BigEndian.Uint64(k) + 1, nil
}

func countPrefix(b kvBucket, prefix []byte) uint32 {
	var n uint32
	c := b.cursor()
	for k, _ := c.seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.next() {
		n++
	}
	return n
}

func putLink(tx kvTx, l Link) error {
	if err := putJSON(tx.bucket(bucketXLinks), l.Document[:], l); err != nil {
		return err
	}
	if l.Remote == "" { // a document of ours the portal has not numbered yet
		return nil
	}
	return tx.bucket(bucketXRemote).put(remoteKey(l.Account, l.Remote), l.Document[:])
}

// PutAccount adds or replaces an account.
func (c *core) PutAccount(ctx context.Context, a Account) error {
	if a.Name == "" {
		return errors.New("an account needs a name")
	}
	return c.kv.update(func(tx kvTx) error { return putJSON(tx.bucket(bucketXAccounts), []byte(a.Name), a) })
}

// Account returns one account (ErrNotFound if none).
func (c *core) Account(ctx context.Context, name string) (Account, error) {
	var a Account
	err := c.view(ctx, func(tx kvTx) error {
		return getJSON(tx.bucket(bucketXAccounts), []byte(name), &a, "portal account "+name)
	})
	return a, err
}

// Accounts lists the accounts by name.
func (c *core) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := c.view(ctx, func(tx kvTx) error {
		cur := tx.bucket(bucketXAccounts).cursor()
		for k, v := cur.first(); k != nil; k, v = cur.next() {
			var a Account
			if err := unmarshalRecord(v, &a); err != nil {
				return fmt.Errorf("account %q: %w", k, err)
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// Cursor is the account's saved event cursor ("" before the first sync).
func (c *core) Cursor(ctx context.Context, account string) (string, error) {
	var cur string
	err := c.view(ctx, func(tx kvTx) error {
		cur = string(tx.bucket(bucketXCursors).get([]byte(account)))
		return nil
	})
	return cur, err
}

// Link returns a document's link (ErrNotFound if it has none).
func (c *core) Link(ctx context.Context, id ID) (Link, error) {
	var l Link
	err := c.view(ctx, func(tx kvTx) error {
		return getJSON(tx.bucket(bucketXLinks), id[:], &l, "portal link of "+id.String())
	})
	return l, err
}

// LinkByRemote finds the local document of a portal document.
func (c *core) LinkByRemote(ctx context.Context, account, remote string) (Link, error) {
	var l Link
	err := c.view(ctx, func(tx kvTx) error {
		id := tx.bucket(bucketXRemote).get(remoteKey(account, remote))
		if id == nil {
			return fmt.Errorf("portal document %s: %w", remote, ErrNotFound)
		}
		return getJSON(tx.bucket(bucketXLinks), id, &l, "portal link of "+remote)
	})
	return l, err
}

// Links lists an account's links ("" for every account).
func (c *core) Links(ctx context.Context, account string) ([]Link, error) {
	var out []Link
	err := c.view(ctx, func(tx kvTx) error {
		cur := tx.bucket(bucketXLinks).cursor()
		for k, v := cur.first(); k != nil; k, v = cur.next() {
			var l Link
			if err := unmarshalRecord(v, &l); err != nil {
				return fmt.Errorf("link %x: %w", k, err)
			}
			if account == "" || l.Account == account {
				out = append(out, l)
			}
		}
		return nil
	})
	return out, err
}

// Outbox lists the writes waiting for an account ("" for all), oldest first.
func (c *core) Outbox(ctx context.Context, account string) ([]OutboxItem, error) {
	var out []OutboxItem
	err := c.view(ctx, func(tx kvTx) error {
		cur := tx.bucket(bucketXOutbox).cursor()
		for k, v := cur.first(); k != nil; k, v = cur.next() {
			var it OutboxItem
			if err := unmarshalRecord(v, &it); err != nil {
				return fmt.Errorf("outbox item %x: %w", k, err)
			}
			if account == "" || it.Account == account {
				out = append(out, it)
			}
		}
		return nil
	})
	return out, err
}

// Receipts lists a document's receipts in the order stored.
func (c *core) Receipts(ctx context.Context, id ID) ([]Receipt, error) {
	var out []Receipt
	err := c.view(ctx, func(tx kvTx) error {
		cur := tx.bucket(bucketXReceipts).cursor()
		for k, v := cur.seek(id[:]); k != nil && hasPrefix(k, id[:]); k, v = cur.next() {
			var r Receipt
			if err := unmarshalRecord(v, &r); err != nil {
				return fmt.Errorf("receipt %x: %w", k, err)
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}
