package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Action names what a journal entry records.
type Action string

const (
	ActionImport Action = "import" // a document and its first version
	ActionEdit   Action = "edit"   // a new version, or changed metadata (Version 0 then)
	ActionSign   Action = "sign"   // a signature added to a version
	ActionVerify Action = "verify" // a verification done and its outcome
	ActionExport Action = "export" // a document left the store (evidence package, file)
	ActionState  Action = "state"  // a state change, Detail "from→to"
	ActionKey    Action = "key"    // a key event: opened, used, imported, renewed…
	// ActionExchange: a step with a portal (received, sent, receipt, conflict).
	ActionExchange Action = "exchange"
)

// Entry is one journal entry. Entries are numbered from 1 without gaps; each
// carries the hash of the one before (zeros for the first) and its own hash,
// SHA-256 over its canonical encoding (below), so changing, removing or
// reordering any entry breaks the chain from there on.
type Entry struct {
	Seq      uint64    `json:"seq"`
	Time     time.Time `json:"time"`
	Action   Action    `json:"action"`
	Document ID        `json:"document,omitzero"`
	Version  uint32    `json:"version,omitempty"`
	// Digest is the SHA-256 of what the action concerns: the version's
	// content (import, edit, export, state), the signature bytes (sign),
	// the report (verify). Zero when nothing applies.
	Digest Digest32 `json:"digest,omitzero"`
	// Certificate is the SHA-256 fingerprint of the key's certificate (sign,
	// verify, key events).
	Certificate Digest32 `json:"certificate,omitzero"`
	// Detail is a short human line: "draft→ready", "cms", a file name.
	Detail string   `json:"detail,omitempty"`
	Prev   Digest32 `json:"prev"`
	Hash   Digest32 `json:"hash"`
}

// Canonical encoding of an entry (all integers big-endian, strings as a
// uvarint length then UTF-8 bytes, minimal uvarints only):
//
//	"QJ" 0x01              magic and encoding version
//	seq        uint64
//	time       int64       Unix nanoseconds, UTC
//	action     string      ≤ 32 bytes
//	document   [16]byte
//	version    uint32
//	digest     [32]byte
//	certificate [32]byte
//	detail     string      ≤ 4096 bytes
//	prev       [32]byte
//
// Hash = SHA-256(encoding). The stored value is the encoding followed by
// the 32-byte hash, so the journal can be checked with nothing but this
// description (the evidence package ships it).
const (
	entryMagic     = "QJ\x01"
	maxActionLen   = 32
	maxDetailLen   = 4096
	entryFixedSize = len(entryMagic) + 8 + 8 + 16 + 4 + 32 + 32 + 32
)

var errBadEntry = errors.New("malformed journal entry")

// encode returns the canonical encoding (without the hash).
func (e *Entry) encode() []byte {
	b := make([]byte, 0, entryFixedSize+len(e.Action)+len(e.Detail)+4)
	b = append(b, entryMagic...)
	b = binary.BigEndian.AppendUint64(b, e.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixNano()))
	b = appendString(b, string(e.Action))
	b = append(b, e.Document[:]...)
	b = binary.BigEndian.AppendUint32(b, e.Version)
	b = append(b, e.Digest[:]...)
	b = append(b, e.Certificate[:]...)
	b = appendString(b, e.Detail)
	b = append(b, e.Prev[:]...)
	return b
}

// seal sets Hash and returns the stored form: encoding ‖ hash.
func (e *Entry) seal() []byte {
	enc := e.encode()
	e.Hash = sha256.Sum256(enc)
	return append(enc, e.Hash[:]...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeEntry parses a stored entry without trusting it: it never panics,
// rejects anything that is not exactly the canonical form, and does not
// check the hash (VerifyJournal does: a decodable entry with a wrong hash
// is a tampered one, which must be named, not hidden as garbage).
func decodeEntry(v []byte) (Entry, error) {
	var e Entry
	if len(v) < entryFixedSize+2+32 || !bytes.HasPrefix(v, []byte(entryMagic)) {
		return e, fmt.Errorf("%w: bad magic or too short (%d bytes)", errBadEntry, len(v))
	}
	body, hash := v[:len(v)-32], v[len(v)-32:]
	r := reader{b: body[len(entryMagic):]}
	e.Seq = r.uint64()
	e.Time = time.Unix(0, int64(r.uint64())).UTC()
	e.Action = Action(r.string(maxActionLen))
	r.bytes(e.Document[:])
	e.Version = r.uint32()
	r.bytes(e.Digest[:])
	r.bytes(e.Certificate[:])
	e.Detail = r.string(maxDetailLen)
	r.bytes(e.Prev[:])
	if r.err != nil {
		return Entry{}, fmt.Errorf("%w: %v", errBadEntry, r.err)
	}
	if len(r.b) != 0 {
		return Entry{}, fmt.Errorf("%w: %d trailing bytes", errBadEntry, len(r.b))
	}
	copy(e.Hash[:], hash)
	// Canonical: one entry has one encoding (no overlong lengths).
	if !bytes.Equal(e.encode(), body) {
		return Entry{}, fmt.Errorf("%w: not in canonical form", errBadEntry)
	}
	return e, nil
}

// reader consumes fixed-size fields; the first failure sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = errors.New("truncated")
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) uint64() uint64 {
	if v := r.take(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (r *reader) uint32() uint32 {
	if v := r.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *reader) bytes(dst []byte) {
	if v := r.take(len(dst)); v != nil {
		copy(dst, v)
	}
}

func (r *reader) string(limit int) string {
	if r.err != nil {
		return ""
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.err = errors.New("bad length")
		return ""
	}
	if n > uint64(limit) {
		r.err = fmt.Errorf("string of %d bytes exceeds %d", n, limit)
		return ""
	}
	r.b = r.b[k:]
	return string(r.take(int(n)))
}
