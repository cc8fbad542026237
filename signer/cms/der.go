package cms

import (
	"bytes"
	"encoding/asn1"
	"math/big"
	"slices"
	"time"
)

// DER tags the builders write.
const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagNull        = 0x05
	tagSequence    = 0x30
	tagSet         = 0x31
	tagUTCTime     = 0x17
	tagGenTime     = 0x18
	tagCtx0        = 0xa0 // [0] constructed
	tagCtx1        = 0xa1 // [1] constructed
)

// tlv encodes one element with a definite, minimal length.
func tlv(tag byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n+6)
	out = append(out, tag)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	case n < 0x1000000:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		out = append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func seq(parts ...[]byte) []byte { return tlv(tagSequence, parts...) }

// derSet encodes a SET OF with its elements sorted as X.690 11.6 asks:
// compared as octet strings, the shorter padded with zero octets.
func derSet(tag byte, elems [][]byte) []byte {
	sorted := slices.Clone(elems)
	slices.SortStableFunc(sorted, compareDER)
	return tlv(tag, sorted...)
}

func compareDER(a, b []byte) int {
	n := min(len(a), len(b))
	if c := bytes.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	// The longer one is greater unless its tail is all zero octets.
	tail := a[n:]
	sign := 1
	if len(b) > len(a) {
		tail, sign = b[n:], -1
	}
	for _, x := range tail {
		if x != 0 {
			return sign
		}
	}
	return 0
}

func octets(b []byte) []byte { return tlv(tagOctetString, b) }

func oidDER(oid asn1.ObjectIdentifier) []byte {
	b, err := asn1.Marshal(oid)
	if err != nil {
		// Only OIDs with fewer than two arcs fail, and all ours are constants.
		panic("cms: bad constant OID " + oid.String())
	}
	return b
}

func intDER(v *big.Int) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic("cms: nil integer") // callers pass non-nil values
	}
	return b
}

func smallInt(v int) []byte { return intDER(big.NewInt(int64(v))) }

// algID encodes an AlgorithmIdentifier; withNull adds NULL parameters.
func algID(oid asn1.ObjectIdentifier, withNull bool) []byte {
	if withNull {
		return seq(oidDER(oid), []byte{tagNull, 0})
	}
	return seq(oidDER(oid))
}

// timeDER encodes t as UTCTime for 1950–2049, GeneralizedTime otherwise
// (RFC 5652 11.3), to whole seconds.
func timeDER(t time.Time) []byte {
	t = t.UTC()
	if y := t.Year(); y >= 1950 && y < 2050 {
		return tlv(tagUTCTime, []byte(t.Format("060102150405Z")))
	}
	return tlv(tagGenTime, []byte(t.Format("20060102150405Z")))
}

// attribute encodes Attribute ::= SEQUENCE { attrType, attrValues SET OF }.
func attribute(oid asn1.ObjectIdentifier, values ...[]byte) []byte {
	return seq(oidDER(oid), derSet(tagSet, values))
}
