package store

import "crypto/sha256"

// EntryEncoding describes the canonical encoding of journal entries for
// readers outside this package (the evidence package ships it so that a
// journal extract can be checked with nothing but this text and SHA-256).
const EntryEncoding = `Qoltanba journal entry, encoding version 1.
Every entry is stored as: encoding || SHA-256(encoding) (32 bytes).
encoding (integers big-endian; strings are a minimal unsigned LEB128 varint
length followed by that many UTF-8 bytes):
  "QJ" 0x01          3 bytes   magic and encoding version
  seq                uint64    entries are numbered from 1 without gaps
  time               int64     Unix nanoseconds, UTC
  action             string    at most 32 bytes: import, edit, sign, verify,
                               export, state, key, delete
  document           16 bytes  the document id (zeros: none)
  version            uint32    the document version (0: none)
  digest             32 bytes  SHA-256 of what the action concerns: the
                               version's content (import, edit, state,
                               delete), the signature bytes (sign), the
                               report (verify), the exported file (export)
  certificate        32 bytes  SHA-256 of the signer's certificate (DER)
  detail             string    at most 4096 bytes, for people
  prev               32 bytes  the previous entry's hash (zeros for entry 1)
The chain holds when every entry's hash is the SHA-256 of its encoding and
its prev equals the hash of the entry numbered one less.`

// Stored returns the entry's stored form, encoding || Hash, as kept in the
// journal bucket (Hash as recorded, not recomputed: a checker recomputes).
func (e Entry) Stored() []byte {
	return append(e.encode(), e.Hash[:]...)
}

// ParseEntry decodes a stored entry strictly (canonical form only, never
// panicking) without checking its hash; see ComputeHash.
func ParseEntry(stored []byte) (Entry, error) { return decodeEntry(stored) }

// ComputeHash is the SHA-256 of the entry's canonical encoding: equal to
// Hash for an entry nobody changed.
func (e Entry) ComputeHash() Digest32 { return sha256.Sum256(e.encode()) }
