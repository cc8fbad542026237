package store

import (
	"context"
	"io"
	"time"
)

// Store keeps documents, their versions and signatures, and the journal.
// Every method that changes something writes its journal entry in the same
// transaction: either both happen or neither.
//
// Two implementations share this behaviour and one test suite: *Bolt (the
// program's, on disk) and *Memory (for tests of code above the store).
type Store interface {
	// AddDocument imports content as a new document (version 1, draft).
	AddDocument(ctx context.Context, d NewDocument) (Document, error)
	// AddDocuments imports many in one transaction: all or none.
	AddDocuments(ctx context.Context, ds []NewDocument) ([]Document, error)
	// AddVersion stores edited content as the next version; the document
	// goes back to draft. Earlier versions, signed or not, stay as they are.
	AddVersion(ctx context.Context, id ID, name string, content []byte) (Version, error)
	// AddSignedVersion stores content that carries its signatures inside
	// (a PDF signed as an incremental update) as the next version with
	// those signatures, in one transaction: the version and its
	// signatures exist together or not at all.
	AddSignedVersion(ctx context.Context, id ID, name, note string, content []byte, sigs []NewSignature) (Version, []Signature, error)
	// UpdateDocument changes title, kind or counterparty (journaled as edit).
	UpdateDocument(ctx context.Context, id ID, u DocumentUpdate) (Document, error)
	// SetState moves the document along the transition table (state.go).
	SetState(ctx context.Context, id ID, to State, note string) (Document, error)

	Document(ctx context.Context, id ID) (Document, error)
	Version(ctx context.Context, id ID, number uint32) (Version, error)
	Versions(ctx context.Context, id ID) ([]Version, error)
	// Content returns a version's bytes after checking them against the
	// recorded SHA-256 (ErrTampered if they differ).
	Content(ctx context.Context, id ID, number uint32) ([]byte, error)
	List(ctx context.Context, q Query) (Page, error)

	// AddSignature attaches a signature to the current version; the
	// document becomes signed.
	AddSignature(ctx context.Context, id ID, version uint32, s NewSignature) (Signature, error)
	// AddSignatures adds many in one transaction: all or none.
	AddSignatures(ctx context.Context, adds []SignatureAdd) ([]Signature, error)
	Signatures(ctx context.Context, id ID, version uint32) ([]Signature, error)
	// SignatureBytes returns a signature's bytes, checked like Content.
	SignatureBytes(ctx context.Context, id ID, version, index uint32) ([]byte, error)

	// DeleteDocument removes a document with its versions, signatures and
	// unshared contents; its journal entries stay and a delete entry is
	// added. Signed documents are kept RetentionYears from their first
	// signature unless forced (delete.go).
	DeleteDocument(ctx context.Context, id ID, opts DeleteOptions) (Deletion, error)

	// Record journals an event that changes no document: a verification,
	// an export, a key event.
	Record(ctx context.Context, e Event) (Entry, error)
	// Journal lists entries, oldest first.
	Journal(ctx context.Context, q JournalQuery) ([]Entry, error)
	// VerifyJournal checks the hash chain and that every stored version and
	// signature still matches the digests the journal recorded.
	VerifyJournal(ctx context.Context) (JournalReport, error)

	Exchange

	// Backup writes a consistent copy (see backup.go for the format) while
	// the store stays in use.
	Backup(ctx context.Context, w io.Writer) error
	Close() error
}

// Exchange is the portal exchange's state (exchange.go).
type Exchange interface {
	// Exchange applies a batch of the portal sync in one transaction.
	Exchange(ctx context.Context, b ExchangeBatch) (ExchangeResult, error)
	PutAccount(ctx context.Context, a Account) error
	Account(ctx context.Context, name string) (Account, error)
	Accounts(ctx context.Context) ([]Account, error)
	Cursor(ctx context.Context, account string) (string, error)
	Link(ctx context.Context, id ID) (Link, error)
	LinkByRemote(ctx context.Context, account, remote string) (Link, error)
	Links(ctx context.Context, account string) ([]Link, error)
	Outbox(ctx context.Context, account string) ([]OutboxItem, error)
	Receipts(ctx context.Context, id ID) ([]Receipt, error)
}

// Event is a journal entry that Record writes (Action: verify, export or
// key). Document may be zero for key events.
type Event struct {
	Action      Action
	Document    ID
	Version     uint32
	Digest      Digest32
	Certificate Digest32
	Detail      string
}

// Query selects documents for List, newest first. Zero fields do not filter.
type Query struct {
	State State
	Kind  Kind
	// Text is matched case-insensitively as a substring of the title, the
	// counterparty and the file name.
	Text string
	// Limit is the page size (default 50, at most 1000).
	Limit int
	// After continues a listing: pass the previous Page.Next.
	After ID
}

// Page is one page of a listing; Next is zero on the last page.
type Page struct {
	Documents []Document `json:"documents"`
	Next      ID         `json:"next,omitzero"`
}

// JournalQuery selects journal entries; zero fields do not filter.
type JournalQuery struct {
	Document ID
	// AfterSeq lists entries with a larger sequence number.
	AfterSeq uint64
	Limit    int // default: all
}

// JournalReport is VerifyJournal's finding.
type JournalReport struct {
	OK      bool   `json:"ok"`
	Entries uint64 `json:"entries"`
	// Head is the last entry's hash: write it down (or print it on paper)
	// to detect a later truncation of the whole tail.
	Head Digest32 `json:"head"`
	// FirstBroken is the sequence number of the first entry that fails
	// (0 if the chain holds); Reason says how.
	FirstBroken uint64 `json:"firstBroken,omitempty"`
	Reason      string `json:"reason,omitempty"`
	// Problems are stored documents, versions and signatures that no longer
	// match the journal, one line each.
	Problems  []string `json:"problems,omitempty"`
	Documents int      `json:"documents"`
	Versions  int      `json:"versions"`
	Signs     int      `json:"signatures"`
}

// Options tune a store; the zero value is the program's defaults.
type Options struct {
	// Timeout bounds the wait for the database lock (default 1 s); after it
	// Open fails with ErrLocked.
	Timeout time.Duration
	// MaxContentSize limits imported contents (default 10 MB).
	MaxContentSize int64
	// InlineLimit: contents up to this size are kept in the database,
	// larger ones as files (default 16 KiB; layout.go says why).
	InlineLimit int
	// NoSync skips fsync (bulk loads in benchmarks only: a crash can then
	// lose or corrupt data).
	NoSync bool
	// Now is the clock (default time.Now); tests fix it.
	Now func() time.Time
	// ReadOnly opens without writing (no migration, no orphan collection);
	// used to check a file before restoring it.
	ReadOnly bool
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.MaxContentSize <= 0 {
		o.MaxContentSize = DefaultMaxContentSize
	}
	if o.InlineLimit <= 0 {
		o.InlineLimit = defaultInlineLimit
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
