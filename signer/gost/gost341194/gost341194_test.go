package gost341194

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

type vector struct {
	line int
	sbox *SBox
	name string
	msg  []byte
	want []byte // output bytes
}

// loadVectors reads testdata/vectors.txt (format described in the file).
func loadVectors(t *testing.T) []vector {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "vectors.txt"))
	if err != nil {
		t.Fatalf("open vectors: %v", err)
	}
	defer f.Close()
	var vs []vector
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || line[0] == '#' {
			continue
		}
		fs := strings.Split(line, "|")
		if len(fs) != 4 {
			t.Fatalf("line %d: want 4 fields: %q", n, line)
		}
		v := vector{line: n}
		switch fs[0] {
		case "test":
			v.sbox = &TestParamSet
		case "cryptopro":
			v.sbox = &CryptoProParamSet
		default:
			t.Fatalf("line %d: unknown param set %q", n, fs[0])
		}
		switch {
		case strings.HasPrefix(fs[1], "text:"):
			v.msg = []byte(fs[1][len("text:"):])
			v.name = fs[0] + "/" + strconv.Quote(string(v.msg))
		case strings.HasPrefix(fs[1], "repeat:"):
			parts := strings.Split(fs[1], ":")
			count, err := strconv.Atoi(parts[2])
			if len(parts) != 3 || len(parts[1]) != 1 || err != nil {
				t.Fatalf("line %d: bad repeat %q", n, fs[1])
			}
			v.msg = bytes.Repeat([]byte(parts[1]), count)
			v.name = fs[0] + "/" + parts[1] + "x" + parts[2]
		default:
			t.Fatalf("line %d: bad message %q", n, fs[1])
		}
		h, err := hex.DecodeString(fs[3])
		if err != nil || len(h) != Size {
			t.Fatalf("line %d: bad hash %q", n, fs[3])
		}
		switch fs[2] {
		case "num":
			for i, j := 0, len(h)-1; i < j; i, j = i+1, j-1 {
				h[i], h[j] = h[j], h[i]
			}
		case "bytes":
		default:
			t.Fatalf("line %d: bad order %q", n, fs[2])
		}
		v.want = h
		vs = append(vs, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	return vs
}

func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			if testing.Short() && len(v.msg) > 100000 {
				t.Skip("long message skipped in -short mode")
			}
			if got := Sum(v.sbox, v.msg); !bytes.Equal(got[:], v.want) {
				t.Errorf("line %d: Sum = %x\nwant  %x", v.line, got, v.want)
			}
		})
	}
}

// TestStreaming checks that any split of the input into Write calls gives
// the one-shot result.
func TestStreaming(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 31, 32, 33, 64, 65, 100, 257} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		want := Sum(&TestParamSet, data)
		for trial := 0; trial < 10; trial++ {
			h := New(&TestParamSet)
			for rest := data; len(rest) > 0; {
				k := rng.IntN(len(rest) + 1)
				h.Write(rest[:k])
				rest = rest[k:]
			}
			if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
				t.Fatalf("n=%d: streamed %x, one-shot %x", n, got, want)
			}
		}
	}
}

// TestProperty is a quick property check on random inputs: Sum does not
// disturb the state, Reset restores it, the two S-boxes give different
// hashes and a one-bit change changes the hash.
func TestProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 30; i++ {
		a := make([]byte, rng.IntN(200))
		b := make([]byte, rng.IntN(200))
		for j := range a {
			a[j] = byte(rng.Uint32())
		}
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		h := New(&TestParamSet)
		if h.Size() != Size || h.BlockSize() != BlockSize {
			t.Fatalf("Size %d BlockSize %d", h.Size(), h.BlockSize())
		}
		h.Write(a)
		if got, want := h.Sum(nil), Sum(&TestParamSet, a); !bytes.Equal(got, want[:]) {
			t.Fatalf("Sum mismatch")
		}
		h.Write(b)
		ab := append(append([]byte{}, a...), b...)
		if got, want := h.Sum(nil), Sum(&TestParamSet, ab); !bytes.Equal(got, want[:]) {
			t.Fatalf("Sum disturbed the state")
		}
		h.Reset()
		h.Write(b)
		if got, want := h.Sum(nil), Sum(&TestParamSet, b); !bytes.Equal(got, want[:]) {
			t.Fatalf("Reset did not restore the state")
		}
		if Sum(&TestParamSet, ab) == Sum(&CryptoProParamSet, ab) {
			t.Fatalf("S-box makes no difference")
		}
		if len(ab) > 0 {
			flipped := append([]byte{}, ab...)
			flipped[rng.IntN(len(flipped))] ^= byte(1 << rng.IntN(8))
			if Sum(&TestParamSet, flipped) == Sum(&TestParamSet, ab) {
				t.Fatalf("bit flip did not change the hash")
			}
		}
	}
}

func TestWriteDoesNotAllocate(t *testing.T) {
	h := New(&TestParamSet)
	buf := make([]byte, 100)
	if a := testing.AllocsPerRun(100, func() { h.Write(buf[:7]); h.Write(buf) }); a != 0 {
		t.Fatalf("Write allocates %.1f times", a)
	}
}

func TestNilSBoxIsTestParamSet(t *testing.T) {
	msg := []byte("Suppose the original message has length = 50 bytes")
	if Sum(nil, msg) != Sum(&TestParamSet, msg) {
		t.Fatal("nil S-box is not TestParamSet")
	}
	// A custom S-box (rows swapped) takes the slow path and still works.
	custom := TestParamSet
	custom[0], custom[1] = custom[1], custom[0]
	if Sum(&custom, msg) == Sum(&TestParamSet, msg) {
		t.Fatal("custom S-box ignored")
	}
	if got, want := New(&custom), Sum(&custom, msg); func() [Size]byte {
		got.Write(msg)
		return [Size]byte(got.Sum(nil))
	}() != want {
		t.Fatal("custom S-box: New and Sum disagree")
	}
}

func TestSumDoesNotAllocate(t *testing.T) {
	msg := make([]byte, 100)
	if a := testing.AllocsPerRun(50, func() { Sum(&CryptoProParamSet, msg) }); a != 0 {
		t.Fatalf("Sum allocates %.1f times", a)
	}
}
