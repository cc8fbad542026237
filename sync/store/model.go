package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
)

// Kind is what a document is, as accountants file them.
type Kind string

const (
	KindAgreement Kind = "agreement"
	KindContract  Kind = "contract"
	KindInvoice   Kind = "invoice"
	KindAct       Kind = "act"
	KindLetter    Kind = "letter"
	KindScan      Kind = "scan"
	KindOther     Kind = "other"
)

// Index codes: a kind's or state's one-byte code is its position in Kinds
// or States plus one; zero means unknown.
const (
	kindCodeNone   = 0
	firstKindCode  = 1
	stateCodeNone  = 0
	firstStateCode = 1
)

// Kinds lists every kind, in the order the GUI offers them. A kind's
// position+1 is its one-byte code in the index keys (layout.go): append
// only, never reorder.
var Kinds = []Kind{KindAgreement, KindContract, KindInvoice, KindAct, KindLetter, KindScan, KindOther}

// ParseKind accepts a kind's name in any case.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if k.code() == kindCodeNone {
		return "", fmt.Errorf("unknown document kind %q (kinds: %s)", s, joinKinds(Kinds))
	}
	return k, nil
}

func (k Kind) code() byte {
	for i, v := range Kinds {
		if v == k {
			return byte(i + firstKindCode)
		}
	}
	return kindCodeNone
}

func joinKinds(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Document is one document's current metadata. Its contents live in
// Versions; the fields Name…SHA256 repeat the current version's so that
// lists need one read per row.
type Document struct {
	ID           ID        `json:"id"`
	Title        string    `json:"title"`
	Kind         Kind      `json:"kind"`
	Counterparty string    `json:"counterparty,omitempty"`
	State        State     `json:"state"`
	Created      time.Time `json:"created"`
	Modified     time.Time `json:"modified"`
	// Version is the current version's number (1 for a fresh import).
	Version   uint32   `json:"version"`
	Name      string   `json:"name"`
	MediaType string   `json:"mediaType"`
	Size      int64    `json:"size"`
	SHA256    Digest32 `json:"sha256"`
	// SignedAt is when the first signature was added to any version
	// (zero if never): retention counts from it.
	SignedAt time.Time `json:"signedAt,omitzero"`
}

// Version is one immutable content of a document. Editing a document makes
// a new version; nothing ever rewrites a version, signed or not.
type Version struct {
	Document ID     `json:"document"`
	Number   uint32 `json:"number"`
	// Name is the file name the content came from (base name only).
	Name        string    `json:"name"`
	MediaType   string    `json:"mediaType"`
	Size        int64     `json:"size"`
	SHA256      Digest32  `json:"sha256"`
	Streebog512 Digest64  `json:"streebog512"`
	Created     time.Time `json:"created"`
	// Signatures is how many signatures this version carries.
	Signatures uint32 `json:"signatures"`
	// Storage says where the content lives: "inline" (in the database) or
	// "file" (a content-addressed file beside it); see layout.go.
	Storage string `json:"storage"`
}

// Signer summarizes the certificate that made a signature: what a reader
// of the journal or the GUI needs without parsing the certificate again.
type Signer struct {
	CommonName   string   `json:"commonName"`
	IIN          string   `json:"iin,omitempty"`
	BIN          string   `json:"bin,omitempty"`
	Organization string   `json:"organization,omitempty"`
	Roles        []string `json:"roles,omitempty"`
	Algorithm    string   `json:"algorithm"`
	SerialNumber string   `json:"serialNumber"`
	Issuer       string   `json:"issuer"`
	// Fingerprint is the SHA-256 of the DER certificate, lower-case hex.
	Fingerprint string    `json:"fingerprint"`
	NotBefore   time.Time `json:"notBefore,omitzero"`
	NotAfter    time.Time `json:"notAfter,omitzero"`
}

// SignerOf summarizes a pki.Identity.
func SignerOf(id pki.Identity) Signer {
	roles := make([]string, len(id.Roles))
	for i, r := range id.Roles {
		roles[i] = string(r)
	}
	return Signer{
		CommonName: id.CommonName, IIN: id.IIN, BIN: id.BIN, Organization: id.Organization,
		Roles: roles, Algorithm: id.Algorithm, SerialNumber: id.SerialNumber, Issuer: id.Issuer,
		Fingerprint: id.Fingerprint, NotBefore: id.NotBefore, NotAfter: id.NotAfter,
	}
}

// Signature is one signature over one document version, as made here or
// received from a portal, with the verification report of that moment.
type Signature struct {
	Document ID     `json:"document"`
	Version  uint32 `json:"version"`
	// Index numbers the version's signatures from 1 in the order added.
	Index uint32 `json:"index"`
	// Format is "cms", "xmldsig" or "raw" (as pki.Evidence.Format).
	Format string `json:"format"`
	// Detached: Bytes do not embed the content (CMS detached, XML enveloping
	// a reference); attached formats carry the content inside.
	Detached bool   `json:"detached"`
	Signer   Signer `json:"signer"`
	// SigningTime is the signer's claimed or timestamped time.
	SigningTime time.Time `json:"signingTime"`
	// Origin is "made" (signed here) or "received".
	Origin string `json:"origin"`
	// Report is the verification report (JSON, pki's Report) at the time
	// the signature was made or received; kept as given.
	Report []byte    `json:"report,omitempty"`
	Added  time.Time `json:"added"`
	Size   int64     `json:"size"`
	// SHA256 is the digest of the signature bytes; the bytes themselves are
	// a blob read with Store.SignatureBytes.
	SHA256  Digest32 `json:"sha256"`
	Storage string   `json:"storage"`
}

// NewDocument is what AddDocument needs. Kind defaults to scan for images
// and PDFs named like scans, other otherwise; Title defaults to Name.
type NewDocument struct {
	Name         string // the file name, for the media type and the default title
	Title        string
	Kind         Kind
	Counterparty string
	Content      []byte
	// Note is added to the import's journal entry (e.g. where it came from).
	Note string
}

// NewSignature is what AddSignature needs.
type NewSignature struct {
	Format      string
	Detached    bool
	Bytes       []byte
	Signer      Signer
	SigningTime time.Time
	Origin      string // "made" (default) or "received"
	Report      []byte
}

// DocumentUpdate changes metadata; nil fields stay.
type DocumentUpdate struct {
	Title        *string
	Kind         *Kind
	Counterparty *string
}
