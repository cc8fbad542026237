package store

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"
)

// ID names a document: 128 bits, the first 48 the creation time in
// milliseconds since 1970 (big-endian), the other 80 random. Sorting IDs
// bytewise sorts documents by creation time, so the documents bucket read
// backwards is the "newest first" list without any extra index. Its text
// form is 26 characters of Crockford's base32 (as ULIDs are written): short
// enough to type, case-insensitive, no I/L/O/U to misread.
type ID [16]byte

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var (
	idMu   sync.Mutex
	lastID ID
)

// NewID returns an ID for time t, strictly greater than every ID this
// process made before: within one millisecond (or if the clock steps back)
// the previous ID's random part is incremented, so bulk imports keep their
// order.
func NewID(t time.Time) (ID, error) {
	var id ID
	ms := uint64(t.UnixMilli())
	if t.UnixMilli() < 0 {
		ms = 0
	}
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(id[:6], ts[2:])
	if _, err := rand.Read(id[6:]); err != nil {
		return ID{}, fmt.Errorf("random id: %w", err)
	}
	idMu.Lock()
	defer idMu.Unlock()
	if id.Compare(lastID) <= 0 {
		id = lastID
		for i := len(id) - 1; i >= 0; i-- { // +1 with carry
			id[i]++
			if id[i] != 0 {
				break
			}
		}
	}
	lastID = id
	return id, nil
}

// Time is the creation time encoded in the ID.
func (id ID) Time() time.Time {
	var ts [8]byte
	copy(ts[2:], id[:6])
	return time.UnixMilli(int64(binary.BigEndian.Uint64(ts[:]))).UTC()
}

// IsZero reports whether id is the zero ID (journal entries about keys have no document).
func (id ID) IsZero() bool { return id == ID{} }

// Compare returns -1, 0 or +1 as id sorts before, with or after other.
func (id ID) Compare(other ID) int {
	for i := range id {
		switch {
		case id[i] < other[i]:
			return -1
		case id[i] > other[i]:
			return 1
		}
	}
	return 0
}

// String is the 26-character base32 form.
func (id ID) String() string {
	var out [26]byte
	// 128 bits as 26 groups of 5 bits, the first group holding 3 bits.
	hi := binary.BigEndian.Uint64(id[:8])
	lo := binary.BigEndian.Uint64(id[8:])
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// ParseID reads the 26-character form, accepting lower case and the
// Crockford aliases (O for 0, I and L for 1).
func ParseID(s string) (ID, error) {
	if len(s) != 26 {
		return ID{}, fmt.Errorf("document id %q: want 26 characters, got %d", s, len(s))
	}
	var hi, lo uint64
	for i := 0; i < 26; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		switch c {
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		v := strings.IndexByte(crockford, c)
		if v < 0 {
			return ID{}, fmt.Errorf("document id %q: invalid character %q", s, s[i])
		}
		if i == 0 && v > 7 {
			return ID{}, fmt.Errorf("document id %q: out of range", s)
		}
		hi = hi<<5 | lo>>59
		lo = lo<<5 | uint64(v)
	}
	var id ID
	binary.BigEndian.PutUint64(id[:8], hi)
	binary.BigEndian.PutUint64(id[8:], lo)
	return id, nil
}

// MarshalText makes IDs print as their string form in JSON.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses the string form.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}
