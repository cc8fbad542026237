package store

// The store's whole on-disk layout, schema version 2.
//
// A data folder (0700) holds:
//
//	qoltanba.db            the bbolt database (0600)
//	qoltanba.db.v1-….bak   automatic copies made before a migration
//	blobs/ab/ab12…ef       large contents, named by their SHA-256 (0600)
//	blobs/tmp-*            a content file being written (removed at Open)
//
// Top-level buckets in qoltanba.db (keys are raw bytes; "‖" concatenates;
// integers big-endian so that byte order is numeric order; ID is the
// 16-byte time-ordered document id of id.go):
//
//	meta
//	  "schema"          → uint32              the schema version (raw, not JSON)
//	  "created"         → RFC 3339 text       when the database was made
//	  "journal.head"    → seq uint64 ‖ hash[32]  the last journal entry
//	docs
//	  ID                → JSON Document       current metadata; reading the bucket
//	                                          backwards lists newest first
//	versions
//	  ID ‖ number u32   → JSON Version        immutable once written
//	sigs
//	  ID ‖ version u32 ‖ index u32 → JSON Signature
//	blobs
//	  sha256[32]        → content bytes       small contents (≤ Options.InlineLimit)
//	files
//	  sha256[32]        → size uint64         contents kept as files in blobs/
//	idx.state
//	  state u8 ‖ ID     → empty               one key per document, state codes in state.go
//	idx.kind            (added by schema 2; migration 1→2 builds it)
//	  kind u8 ‖ ID      → empty
//	idx.text
//	  ID                → state u8 ‖ kind u8 ‖ lower-case "title\x00counterparty\x00name"
//	journal
//	  seq u64           → canonical entry ‖ sha256[32]   (entry.go), append-only
//	idx.journal.doc
//	  ID ‖ seq u64      → empty               a document's history
//	x.accounts          (schema 3: the portal exchange, exchange.go)
//	  name              → JSON Account        a portal this store syncs with
//	x.links
//	  ID                → JSON Link           a document's portal copy and sync state
//	x.remote
//	  account ‖ 0 ‖ remote id → ID            the local document of a portal document
//	x.outbox
//	  seq u64           → JSON OutboxItem     writes waiting for a portal, oldest first
//	x.outbox.key
//	  account ‖ 0 ‖ Idempotency-Key → seq u64
//	x.receipts
//	  ID ‖ index u32    → JSON Receipt        the portal's signed receipts
//	x.cursors
//	  account           → the event cursor    saved with the events it applied
//
// Why contents above InlineLimit (16 KiB) live in files and not in bbolt:
// bbolt is copy-on-write with one writer and never shrinks its file; a 10 MB
// scan stored as a value becomes ~2,500 overflow pages that every later
// compaction, backup and page-cache warm-up drags along, the freelist
// fragments, and the mmap grows to the sum of everything ever stored. Kept
// as content-addressed files, the database holds only metadata (about a
// kilobyte per document), stays in the page cache and opens fast, while the
// contents are written once and never rewritten. Small contents (typical
// XML agreements, letters) stay inline so that one file holds most of the
// store and a lookup costs no extra open().
//
// Crash safety of file contents: the file is written to blobs/tmp-…,
// fsynced, renamed to its content name and the folder fsynced, all BEFORE
// the bbolt transaction that records it in "files" and references it from a
// version or signature. A crash in between leaves an unreferenced file (an
// orphan), which Open deletes: bbolt's exclusive lock guarantees no other
// writer is mid-import. A reference therefore never points at a missing or
// partial file. Contents are addressed by digest, so the same bytes imported
// twice are stored once and a file is never rewritten.
//
// Search: a text query is a case-folded substring match against idx.text,
// whose values are small and hold the state and kind, so a filtered or
// searched list reads one compact bucket newest first and decodes JSON only
// for the documents it returns. State and kind filters without text walk
// idx.state / idx.kind directly.
//
// Journal: entry Digest fields keep the SHA-256 of every version's content
// (import, edit) and every signature's bytes (sign); VerifyJournal checks
// the chain and then that every stored version and signature still hashes
// to what the journal recorded, so changing a signed version behind our
// back (in the database or in blobs/) is reported.
//
// Deletion (delete.go): DeleteDocument removes the docs, versions and
// sigs records and the index keys, and the contents no other version or
// signature shares (content files after the commit); the document's
// idx.journal.doc keys and journal entries stay, and a "delete" entry is
// added. That entry is the explicit mark VerifyJournal reads: it expects
// every journaled version and signature to be stored unless a delete entry
// for its document follows, so a record removed behind our back is
// reported while a deletion is not. Signed documents are kept
// RetentionYears from Document.SignedAt unless the deletion is forced.
//
// Backups: bbolt allows one process at a time, so a running GUI backs up
// from inside (Store.Backup: a read transaction's consistent snapshot via
// tx.WriteTo plus the files it references; contents are immutable and
// content-addressed, so copying them after the snapshot is consistent). The
// CLI can back up only when no other Qoltanba holds the database.
const (
	dbFileName    = "qoltanba.db"
	blobDirName   = "blobs"
	schemaVersion = 3
	// defaultInlineLimit: contents up to this size live in the blobs bucket.
	defaultInlineLimit = 16 << 10
)

var (
	bucketMeta       = []byte("meta")
	bucketDocs       = []byte("docs")
	bucketVersions   = []byte("versions")
	bucketSigs       = []byte("sigs")
	bucketBlobs      = []byte("blobs")
	bucketFiles      = []byte("files")
	bucketIdxState   = []byte("idx.state")
	bucketIdxKind    = []byte("idx.kind")
	bucketIdxText    = []byte("idx.text")
	bucketJournal    = []byte("journal")
	bucketIdxJournal = []byte("idx.journal.doc")
	// Schema 3: the portal exchange (exchange.go).
	bucketXAccounts = []byte("x.accounts")
	bucketXLinks    = []byte("x.links")
	bucketXRemote   = []byte("x.remote")
	bucketXOutbox   = []byte("x.outbox")
	bucketXOutKeys  = []byte("x.outbox.key")
	bucketXReceipts = []byte("x.receipts")
	bucketXCursors  = []byte("x.cursors")

	keySchema      = []byte("schema")
	keyCreated     = []byte("created")
	keyJournalHead = []byte("journal.head")
)

// schemaBuckets lists the buckets of each schema version.
var schemaBuckets = map[int][][]byte{
	1: {bucketMeta, bucketDocs, bucketVersions, bucketSigs, bucketBlobs, bucketFiles, bucketIdxState, bucketIdxText, bucketJournal, bucketIdxJournal},
	2: {bucketMeta, bucketDocs, bucketVersions, bucketSigs, bucketBlobs, bucketFiles, bucketIdxState, bucketIdxKind, bucketIdxText, bucketJournal, bucketIdxJournal},
	3: {bucketMeta, bucketDocs, bucketVersions, bucketSigs, bucketBlobs, bucketFiles, bucketIdxState, bucketIdxKind, bucketIdxText, bucketJournal, bucketIdxJournal,
		bucketXAccounts, bucketXLinks, bucketXRemote, bucketXOutbox, bucketXOutKeys, bucketXReceipts, bucketXCursors},
}
