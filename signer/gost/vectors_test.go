package gost

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
	"github.com/qoltanba/qoltanba/signer/gost/streebog"
)

// vector is one block of key=value lines.
type vector struct {
	name   string
	fields map[string]string
}

// loadVectors reads "[name]" blocks of "key=value" lines; '#' starts a comment.
// A file without "[...]" headers is one unnamed block.
func loadVectors(t *testing.T, path string) []vector {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var out []vector
	cur := vector{fields: map[string]string{}}
	flush := func() {
		if len(cur.fields) > 0 {
			out = append(out, cur)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			flush()
			cur = vector{name: line[1 : len(line)-1], fields: map[string]string{}}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: bad line %q", path, line)
			}
			cur.fields[k] = v
		}
	}
	flush()
	return out
}

// beHex parses a big-endian hex number.
func beHex(t *testing.T, s string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	return v
}

func mustHexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

// sharedDir finds ../shared beside the repository root (the directory with
// go.mod), or skips the test.
func sharedDir(t *testing.T) string { return sharedtest.Dir(t) }

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

// TestRFCSignatures reproduces the RFC examples: d·G = Q, the signature with
// the RFC's nonce is the RFC's (r, s), and it verifies.
func TestRFCSignatures(t *testing.T) {
	curves := map[string]*Curve{"test256": curveTest256, "test512": curveTest512}
	for _, v := range loadVectors(t, filepath.Join("testdata", "rfc-signatures.txt")) {
		t.Run(v.name, func(t *testing.T) {
			c := curves[v.fields["curve"]]
			if c == nil {
				t.Fatalf("unknown curve %q", v.fields["curve"])
			}
			n := c.Size()
			le := func(key string) []byte { return bigToLE(beHex(t, v.fields[key]), n) }
			priv, err := NewPrivateKey(c, le("d"))
			if err != nil {
				t.Fatalf("NewPrivateKey: %v", err)
			}
			wantPub := append(le("qx"), le("qy")...)
			if !bytes.Equal(priv.PublicKey().Bytes(), wantPub) {
				t.Fatalf("d·G = %x, want %x", priv.PublicKey().Bytes(), wantPub)
			}
			digest := le("e") // the digest bytes whose little-endian value is e
			sig, err := signWithNonce(priv, le("k"), digest)
			if err != nil {
				t.Fatalf("signWithNonce: %v", err)
			}
			want := append(le("r"), le("s")...)
			if !bytes.Equal(sig, want) {
				t.Fatalf("sig = %x\nwant  %x", sig, want)
			}
			pub, err := NewPublicKey(c, wantPub)
			if err != nil {
				t.Fatalf("NewPublicKey: %v", err)
			}
			if !Verify(pub, digest, sig) {
				t.Fatal("Verify rejected the RFC signature")
			}
			sig[0] ^= 1
			if Verify(pub, digest, sig) {
				t.Fatal("Verify accepted a modified signature")
			}
		})
	}
}

// TestKalkanVector checks a real Kalkan (NCA) GOST 34.10-2015-512 signature.
// Byte order of the file's fields, established here:
//   - d, qx, qy: big-endian hex numbers (the SPKI holds x‖y little-endian,
//     i.e. qx and qy byte-reversed);
//   - digest: the Streebog-512 output bytes as produced by the hash (they are
//     read little-endian as the integer e);
//   - sig, cert_sig: the wire signature r‖s, each half little-endian.
func TestKalkanVector(t *testing.T) {
	path := filepath.Join(sharedDir(t), "testdata", "kalkan", "gost512.vectors")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("../shared absent: %v", err)
	}
	v := loadVectors(t, path)[0].fields
	c := Curve512A()
	d := reverse(mustHexBytes(t, v["d"]))
	xy := append(reverse(mustHexBytes(t, v["qx"])), reverse(mustHexBytes(t, v["qy"]))...)
	spki := mustHexBytes(t, v["spki"])
	if !bytes.HasSuffix(spki, xy) {
		t.Fatal("SPKI does not end with qx‖qy reversed: byte-order assumption wrong")
	}
	priv, err := NewPrivateKey(c, d)
	if err != nil {
		t.Fatalf("NewPrivateKey: %v", err)
	}
	if !bytes.Equal(priv.PublicKey().Bytes(), xy) {
		t.Fatal("d·G does not match (qx, qy)")
	}
	pub, err := NewPublicKey(c, xy)
	if err != nil {
		t.Fatalf("NewPublicKey: %v", err)
	}
	digest := mustHexBytes(t, v["digest"])
	sig := mustHexBytes(t, v["sig"])
	t.Run("verify", func(t *testing.T) {
		if !Verify(pub, digest, sig) {
			t.Fatal("Verify rejected the Kalkan signature")
		}
		for _, bit := range []int{0, 7, 8*64 + 3, 8*128 - 1} {
			bad := append([]byte(nil), sig...)
			bad[bit/8] ^= 1 << (bit % 8)
			if Verify(pub, digest, bad) {
				t.Fatalf("Verify accepted the signature with bit %d flipped", bit)
			}
		}
		badDigest := append([]byte(nil), digest...)
		badDigest[10] ^= 0x40
		if Verify(pub, badDigest, sig) {
			t.Fatal("Verify accepted a flipped digest")
		}
	})
	t.Run("reference", func(t *testing.T) {
		// The textbook reference, with the orders stated above, agrees.
		ref := newRefCurve(c.Params())
		r, s := leToBig(sig[:64]), leToBig(sig[64:])
		q := refPoint{x: beHex(t, v["qx"]), y: beHex(t, v["qy"])}
		if !ref.verify(q, leToBig(digest), r, s) {
			t.Fatal("reference rejects the Kalkan signature")
		}
	})
	t.Run("streebog", func(t *testing.T) {
		// The digest is Streebog-512 of msg, and the self-signed
		// certificate's signature verifies over Streebog-512 of its TBS.
		if got := streebog.Sum512([]byte(v["msg"])); !bytes.Equal(got[:], digest) {
			t.Fatalf("Sum512(msg) = %x, want digest", got)
		}
		tbsDigest := streebog.Sum512(mustHexBytes(t, v["cert_tbs"]))
		if !Verify(pub, tbsDigest[:], mustHexBytes(t, v["cert_sig"])) {
			t.Fatal("certificate signature does not verify")
		}
	})
	t.Run("sign-verify", func(t *testing.T) {
		mine, err := priv.Sign(nil, digest, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !Verify(pub, digest, mine) {
			t.Fatal("own signature does not verify")
		}
	})
}
