package gost

import (
	"bytes"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFuzzCorpus regenerates the seed corpora in testdata/fuzz (valid
// points and signatures on every curve, and their near misses) when
// GOST_WRITE_CORPUS=1; otherwise it checks they are there.
func TestWriteFuzzCorpus(t *testing.T) {
	write := os.Getenv("GOST_WRITE_CORPUS") == "1"
	seeds := map[string][]string{}
	for i, c := range fuzzCurves {
		n := c.Size()
		ref := newRefCurve(c.Params())
		point := refEncode(ref.mul(big.NewInt(7), ref.g()), n)
		offCurve := append([]byte(nil), point...)
		offCurve[n] ^= 1
		seeds["FuzzNewPublicKey"] = append(seeds["FuzzNewPublicKey"],
			corpusEntry(byte(i), point), corpusEntry(byte(i), offCurve), corpusEntry(byte(i), point[:n]))

		priv, err := NewPrivateKey(c, []byte{byte(i + 9)})
		if err != nil {
			t.Fatal(err)
		}
		digest := bytes.Repeat([]byte{0x5a}, n)
		sig, err := signWithNonce(priv, []byte{7}, digest)
		if err != nil {
			t.Fatal(err)
		}
		flipped := append([]byte(nil), sig...)
		flipped[0] ^= 0x80
		pub := priv.PublicKey().Bytes()
		seeds["FuzzVerify"] = append(seeds["FuzzVerify"],
			corpusEntry(byte(i), pub, digest, sig), corpusEntry(byte(i), pub, digest, flipped),
			corpusEntry(byte(i), pub, digest[:1], sig[:n]))
	}
	for target, entries := range seeds {
		dir := filepath.Join("testdata", "fuzz", target)
		for k, e := range entries {
			path := filepath.Join(dir, fmt.Sprintf("seed-%02d", k))
			if write {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(e), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("seed corpus missing (%v): run GOST_WRITE_CORPUS=1 go test -run TestWriteFuzzCorpus", err)
			}
		}
	}
}

// corpusEntry encodes one input in Go's fuzz corpus format: a byte selector
// followed by []byte arguments.
func corpusEntry(sel byte, args ...[]byte) string {
	s := fmt.Sprintf("go test fuzz v1\nbyte(%q)\n", sel)
	for _, a := range args {
		s += fmt.Sprintf("[]byte(%q)\n", a)
	}
	return s
}
