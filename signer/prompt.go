package signer

import (
	"crypto/x509"
	"time"
)

// SecretKind says what a SecretRequest asks for.
type SecretKind int

const (
	// SecretPassword is a key file's password.
	SecretPassword SecretKind = iota
	// SecretPIN is a token's user PIN.
	SecretPIN
	// SecretKeypad: the token's reader takes the PIN on its own keypad.
	// Nothing is typed into Qoltanba; the UI says so and returns nil.
	SecretKeypad
)

// PINState is what a token says about its user PIN (PKCS#11 CK_TOKEN_INFO
// flags). Tokens report no attempt counts, only these stages.
type PINState int

// The states, from the least to the most alarming.
const (
	PINOK         PINState = iota
	PINCountLow            // a wrong PIN was entered since the last good one
	PINFinalTry            // one more wrong PIN locks the token
	PINLocked              // the token refuses the user PIN
	PINMustChange          // the PIN is the initial one or expired: change it with the vendor tool
)

func (s PINState) String() string {
	return [...]string{"ok", "count-low", "final-try", "locked", "must-change"}[min(max(int(s), 0), 4)]
}

// SecretRequest is one request for a password or PIN, with what the face
// must show beside the entry.
type SecretRequest struct {
	Kind SecretKind
	// Key is the key being unlocked.
	Key KeyRef
	// PIN is the token's PIN state before this attempt (tokens only).
	PIN PINState
	// Attempt counts the asks for this key in this operation: 1 at first,
	// 2 and more after a wrong secret.
	Attempt int
}

// Retry reports whether the previous secret for this key was wrong.
func (r SecretRequest) Retry() bool { return r.Attempt > 1 }

// LocalUser is the Origin of a request made by the person at this computer
// (the CLI, the window); the bridge puts the web page's origin there.
const LocalUser = ""

// Format names the kind of signature a consent is about.
type Format string

// The formats Qoltanba makes.
const (
	FormatCMS  Format = "cms"  // CMS/CAdES, attached or detached
	FormatXML  Format = "xml"  // XMLDSig, enveloped
	FormatRaw  Format = "raw"  // a bare signature over the bytes
	FormatPDF  Format = "pdf"  // PAdES: a CMS inside the PDF, in an incremental update
	FormatAuth Format = "auth" // an authentication challenge
)

// Document is one thing to be signed, as the consent shows it.
type Document struct {
	Name string // a file name, a document title, or "data" for bytes
	// Version and FileName say which version of a stored document is
	// signed (Version 0: not a stored document).
	Version  uint32
	FileName string
	// MediaType is what the content is, when known (application/xml, …).
	MediaType string
	Size      int64
	SHA256    []byte
	// Preview is the beginning of text or XML content (at most a few KB,
	// valid UTF-8); empty for binary content.
	Preview string
	// Digest: the caller gives a digest, not content; only the digest is known.
	Digest bool
	// Format is this item's format when a batch mixes them ("" : the
	// consent's).
	Format Format
}

// Consent is what the user sees and accepts before the secret is asked.
type Consent struct {
	// Origin is who asks: LocalUser, or the web origin exactly as the
	// browser sent it.
	Origin string
	Format Format
	// Detached (CMS): the content is left out of the signature.
	Detached bool
	// CoSign: a signature is added to an existing signed file.
	CoSign bool
	// Documents are the items signed; Count is how many there are in all
	// (a batch may show only the first ones).
	Documents []Document
	Count     int
	// Key is the key that will sign; Key.Certificate names the signer when
	// it is known before the secret (tokens, .cer beside a file).
	Key KeyRef
	// Test: the key or its chain is a TEST one; faces mark it.
	Test bool
	// TSA is the time-stamp service that will be asked, empty for none;
	// RequireTimestamp says whether its failure fails the signing (else
	// the signature is kept without a timestamp and the user told).
	TSA              string
	RequireTimestamp bool
	// At is when the consent was asked.
	At time.Time
}

// Signer is the certificate that will sign, when known.
func (c Consent) Signer() *x509.Certificate { return c.Key.Certificate }
