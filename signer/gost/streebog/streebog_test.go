package streebog

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type rfcVector struct {
	name string
	size int
	msg  []byte // message bytes (already reversed from the RFC number)
	want []byte // hash output bytes (already reversed from the RFC number)
}

// loadRFCVectors reads testdata/rfc6986.vectors. The RFC prints a message and
// a hash as numbers whose least significant byte comes first in the byte
// string, so both are reversed here.
func loadRFCVectors(t *testing.T) []rfcVector {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "rfc6986.vectors"))
	if err != nil {
		t.Fatalf("open vectors: %v", err)
	}
	defer f.Close()
	var vs []rfcVector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) != 4 {
			t.Fatalf("bad vector line %q", line)
		}
		msg, err1 := hex.DecodeString(fs[2])
		want, err2 := hex.DecodeString(fs[3])
		if err1 != nil || err2 != nil {
			t.Fatalf("bad hex in %q", line)
		}
		size := Size512
		if fs[1] == "256" {
			size = Size256
		}
		vs = append(vs, rfcVector{fs[0] + "/" + fs[1], size, reversed(msg), reversed(want)})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	return vs
}

func TestRFC6986Examples(t *testing.T) {
	vs := loadRFCVectors(t)
	if len(vs) != 4 {
		t.Fatalf("got %d vectors, want 4", len(vs))
	}
	// M1 is the ASCII string "0123…012" of 63 bytes: a check that the
	// reversal of the RFC's number is the right reading.
	if !bytes.Equal(vs[0].msg, []byte("012345678901234567890123456789012345678901234567890123456789012")) {
		t.Fatalf("M1 does not read as the ASCII digits: %q", vs[0].msg)
	}
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			var got []byte
			if v.size == Size512 {
				s := Sum512(v.msg)
				got = s[:]
			} else {
				s := Sum256(v.msg)
				got = s[:]
			}
			if !bytes.Equal(got, v.want) {
				t.Errorf("Sum = %x\nwant  %x", got, v.want)
			}
			h := New512()
			if v.size == Size256 {
				h = New256()
			}
			h.Write(v.msg)
			if got := h.Sum(nil); !bytes.Equal(got, v.want) {
				t.Errorf("hash.Hash Sum = %x\nwant           %x", got, v.want)
			}
		})
	}
}

// TestKalkanVector checks the digest that Kalkan computed over msg in
// ../shared/testdata/kalkan/gost512.vectors. It equals Sum512(msg) as is, not
// reversed: Kalkan's digest bytes are Streebog's output bytes in the same
// order as OpenSSL's.
func TestKalkanVector(t *testing.T) {
	path := filepath.Join(sharedDir(t), "testdata", "kalkan", "gost512.vectors")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("../shared absent: %v", err)
	}
	var msg, digest string
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "msg="); ok {
			msg = v
		}
		if v, ok := strings.CutPrefix(line, "digest="); ok {
			digest = strings.TrimSpace(v)
		}
	}
	want, err := hex.DecodeString(digest)
	if err != nil || len(want) != Size512 || msg == "" {
		t.Fatalf("bad kalkan vector file: msg %q digest %q", msg, digest)
	}
	got := Sum512([]byte(msg))
	switch {
	case bytes.Equal(got[:], want):
		// The documented order.
	case bytes.Equal(reversed(got[:]), want):
		t.Fatalf("Kalkan's digest is Sum512 reversed; the package doc is wrong")
	default:
		t.Fatalf("Sum512(%q) = %x\nwant %x", msg, got, want)
	}
}

// TestStreaming checks that any split of the input into Write calls gives
// the one-shot result, including splits across block boundaries.
func TestStreaming(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 129, 200, 1000} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		want512, want256 := Sum512(data), Sum256(data)
		for trial := 0; trial < 20; trial++ {
			h512, h256 := New512(), New256()
			for rest := data; len(rest) > 0; {
				k := rng.IntN(len(rest) + 1)
				if trial == 0 {
					k = 1 // byte by byte
				}
				h512.Write(rest[:k])
				h256.Write(rest[:k])
				rest = rest[k:]
			}
			if got := h512.Sum(nil); !bytes.Equal(got, want512[:]) {
				t.Fatalf("n=%d trial %d: streamed 512 %x, one-shot %x", n, trial, got, want512)
			}
			if got := h256.Sum(nil); !bytes.Equal(got, want256[:]) {
				t.Fatalf("n=%d trial %d: streamed 256 %x, one-shot %x", n, trial, got, want256)
			}
		}
	}
}

func TestHashInterface(t *testing.T) {
	tests := []struct {
		name string
		new  func() interface {
			Write([]byte) (int, error)
			Sum([]byte) []byte
			Reset()
			Size() int
			BlockSize() int
		}
		size int
	}{
		{"512", func() interface {
			Write([]byte) (int, error)
			Sum([]byte) []byte
			Reset()
			Size() int
			BlockSize() int
		} {
			return New512()
		}, Size512},
		{"256", func() interface {
			Write([]byte) (int, error)
			Sum([]byte) []byte
			Reset()
			Size() int
			BlockSize() int
		} {
			return New256()
		}, Size256},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.new()
			if h.Size() != tc.size || h.BlockSize() != BlockSize {
				t.Fatalf("Size %d BlockSize %d", h.Size(), h.BlockSize())
			}
			h.Write([]byte("abc"))
			s1 := h.Sum([]byte("prefix"))
			if !bytes.HasPrefix(s1, []byte("prefix")) || len(s1) != 6+tc.size {
				t.Fatalf("Sum does not append: %x", s1)
			}
			// Sum must not disturb the state.
			h.Write([]byte("def"))
			s2 := h.Sum(nil)
			h.Reset()
			h.Write([]byte("abcdef"))
			if s3 := h.Sum(nil); !bytes.Equal(s2, s3) {
				t.Fatalf("Sum changed the state: %x vs %x", s2, s3)
			}
		})
	}
}

func TestWriteDoesNotAllocate(t *testing.T) {
	h := New512()
	buf := make([]byte, 1000)
	allocs := testing.AllocsPerRun(100, func() {
		h.Write(buf[:37])
		h.Write(buf)
	})
	if allocs != 0 {
		t.Fatalf("Write allocates %.1f times per run", allocs)
	}
	var out [Size512]byte
	allocs = testing.AllocsPerRun(100, func() { h.Sum(out[:0]) })
	if allocs != 0 {
		t.Fatalf("Sum into a large enough slice allocates %.1f times", allocs)
	}
}

// TestProperty checks, on random inputs, that the 256-bit variant is not a
// truncation of the 512-bit one (different IV) and that single-bit changes
// change the hash.
func TestProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 50; i++ {
		data := make([]byte, rng.IntN(300)+1)
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		a512, a256 := Sum512(data), Sum256(data)
		if bytes.Equal(a512[32:], a256[:]) {
			t.Fatalf("Streebog-256 equals half of Streebog-512 for %x", data)
		}
		data[rng.IntN(len(data))] ^= byte(1 << rng.IntN(8))
		if b := Sum512(data); b == a512 {
			t.Fatalf("bit flip did not change the hash")
		}
	}
}
