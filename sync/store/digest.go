package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/qoltanba/qoltanba/signer/gost/streebog"
)

// Digest32 is a SHA-256 digest, printed as lower-case hex.
type Digest32 [32]byte

// Digest64 is a Streebog-512 digest (in the byte order of signer/gost/streebog
// and OpenSSL's GOST engine), printed as lower-case hex.
type Digest64 [64]byte

func (d Digest32) String() string { return hex.EncodeToString(d[:]) }
func (d Digest64) String() string { return hex.EncodeToString(d[:]) }

func (d Digest32) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
func (d Digest64) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Digest32) UnmarshalText(b []byte) error { return unhex(d[:], b) }
func (d *Digest64) UnmarshalText(b []byte) error { return unhex(d[:], b) }

func unhex(dst, src []byte) error {
	if hex.DecodedLen(len(src)) != len(dst) {
		return fmt.Errorf("digest: want %d hex characters, got %d", 2*len(dst), len(src))
	}
	if _, err := hex.Decode(dst, src); err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	return nil
}

// digests computes both digests a version records: SHA-256 (what the
// content-addressed blobs and the journal use) and Streebog-512 (what a
// GOST signature over the document hashes).
func digests(content []byte) (Digest32, Digest64) {
	return sha256.Sum256(content), streebog.Sum512(content)
}

func digestGOST(content []byte) Digest64 { return streebog.Sum512(content) }
