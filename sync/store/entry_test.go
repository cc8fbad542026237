package store

import (
	"bytes"
	"testing"
	"time"
)

func sampleEntry() Entry {
	return Entry{Seq: 42, Time: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC), Action: ActionSign,
		Document: ID{1, 2, 3}, Version: 3, Digest: Digest32{9}, Certificate: Digest32{8}, Detail: "cms signature 1 by ТЕСТОВ", Prev: Digest32{7}}
}

func TestEntryRoundTrip(t *testing.T) {
	e := sampleEntry()
	v := e.seal()
	got, err := decodeEntry(v)
	if err != nil {
		t.Fatal(err)
	}
	if got != e {
		t.Fatalf("round trip:\n%+v\n%+v", got, e)
	}
	// Every truncation and a trailing byte are refused.
	for n := range len(v) {
		if _, err := decodeEntry(v[:n]); err == nil {
			t.Fatalf("truncated to %d accepted", n)
		}
	}
	// An overlong (non-minimal) length is not canonical.
	body := e.encode()
	i := bytes.Index(body, []byte{byte(len(e.Action))})
	overlong := append(append(bytes.Clone(body[:i]), 0x80|byte(len(e.Action)), 0x00), body[i+1:]...)
	if _, err := decodeEntry(append(overlong, e.Hash[:]...)); err == nil {
		t.Error("non-minimal length accepted")
	}
}

func TestEntryVector(t *testing.T) {
	// The canonical encoding is part of the evidence format: pin it.
	e := Entry{Seq: 1, Time: time.Unix(0, 0).UTC(), Action: ActionImport}
	v := e.seal()
	const want = "514a01" + "0000000000000001" + "0000000000000000" + "06696d706f7274"
	if got := bytesHex(v[:len(want)/2]); got != want {
		t.Errorf("encoding starts %s, want %s", got, want)
	}
	if len(v) != entryFixedSize+1+6+1+32 {
		t.Errorf("length %d", len(v))
	}
}

func bytesHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// FuzzDecodeEntry: stored journal bytes are untrusted (the file can be
// edited); decoding must never panic and what decodes must re-encode to
// exactly the same bytes.
func FuzzDecodeEntry(f *testing.F) {
	e := sampleEntry()
	f.Add(e.seal())
	e2 := Entry{Seq: 1, Action: ActionKey}
	f.Add(e2.seal())
	f.Add([]byte("QJ\x01"))
	f.Fuzz(func(t *testing.T, v []byte) {
		e, err := decodeEntry(v)
		if err != nil {
			return
		}
		again := append(e.encode(), e.Hash[:]...)
		if !bytes.Equal(again, v) {
			t.Fatalf("decoded entry re-encodes differently")
		}
	})
}
