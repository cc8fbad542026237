package evidence

import (
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// FormatV1 names this package layout in manifest.json.
const FormatV1 = "qoltanba-evidence/1"

// Fixed paths.
const (
	pathManifest   = "manifest.json"
	pathReadme     = "README.txt"
	pathDocument   = "document.json"
	pathChains     = "chains.json"
	pathRevocation = "revocation.json"
	pathReportJSON = "report.json"
	pathReportText = "report.txt"
	pathJournal    = "journal/journal.json"
	pathEncoding   = "journal/ENCODING.txt"
	pathReceipts   = "receipts.json"
	pathAgreement  = "agreement.json"
)

// Manifest lists every other file of the package with its digest.
type Manifest struct {
	Format   string         `json:"format"`
	Created  time.Time      `json:"created"`
	Document store.ID       `json:"document"`
	Title    string         `json:"title"`
	Files    []ManifestFile `json:"files"`
}

// ManifestFile is one file's path, size and SHA-256.
type ManifestFile struct {
	Path   string         `json:"path"`
	Size   int64          `json:"size"`
	SHA256 store.Digest32 `json:"sha256"`
}

// DocumentFile is document.json.
type DocumentFile struct {
	Document   store.Document    `json:"document"`
	Versions   []VersionFile     `json:"versions"`
	Signatures []SignatureRecord `json:"signatures"`
}

// VersionFile is a version and where its content is in the package.
type VersionFile struct {
	store.Version
	Path string `json:"path"`
}

// SignatureRecord is a signature and where its bytes are.
type SignatureRecord struct {
	store.Signature
	Path string `json:"path"`
}

// ChainFile is one entry of chains.json: the chain of each signature the
// stored signature holds (XML may carry several), as fingerprints leaf
// first; empty when no chain could be built.
type ChainFile struct {
	Version uint32     `json:"version"`
	Index   uint32     `json:"index"`
	Chains  [][]string `json:"chains"`
}

// RevocationFile is one entry of revocation.json.
type RevocationFile struct {
	Path      string    `json:"path"`
	Kind      string    `json:"kind"` // "ocsp" or "crl"
	URL       string    `json:"url"`
	Issuer    string    `json:"issuer"`  // certificate fingerprint
	Subject   string    `json:"subject"` // certificate fingerprint
	Extra     string    `json:"extra,omitempty"`
	FetchedAt time.Time `json:"fetchedAt"`
}

// ReportFile is one entry of report.json.
type ReportFile struct {
	Version uint32      `json:"version"`
	Index   uint32      `json:"index"`
	Report  *pki.Report `json:"report"`
}

// JournalFile is journal/journal.json.
type JournalFile struct {
	Document store.ID `json:"document"`
	// Prev is the hash of the entry before the first one here (zeros when
	// the extract starts at entry 1).
	Prev store.Digest32 `json:"prev"`
	// Head is the last entry when the package was written.
	HeadSeq  uint64         `json:"headSeq"`
	HeadHash store.Digest32 `json:"headHash"`
	Entries  []JournalEntry `json:"entries"`
}

// JournalEntry is one entry: Stored is what the journal keeps (encoding
// and hash, hex); the other fields repeat it for readers.
type JournalEntry struct {
	Stored string      `json:"stored"`
	Entry  store.Entry `json:"entry"`
}

// AgreementFile is agreement.json: the text an acceptance accepted.
type AgreementFile struct {
	Document store.ID `json:"document"`
	Title    string   `json:"title"`
	Path     string   `json:"path"`
	SHA256   string   `json:"sha256"` // hex, as the statement has it
}
