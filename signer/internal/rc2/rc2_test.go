package rc2

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"fmt"
	"testing"
)

// Test vectors of RFC 2268 section 5.
var vectors = []struct {
	key   string
	bits  int
	plain string
	ciph  string
}{
	{"0000000000000000", 63, "0000000000000000", "ebb773f993278eff"},
	{"ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"},
	{"3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"},
	{"88", 64, "0000000000000000", "61a8a244adacccf0"},
	{"88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"},
	{"88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"},
	{"88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"},
	{"88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", 129, "0000000000000000", "5b78d3a43dfff1f1"},
}

func TestRFC2268(t *testing.T) {
	for _, v := range vectors {
		t.Run(fmt.Sprintf("%s/%d", v.key, v.bits), func(t *testing.T) {
			key, _ := hex.DecodeString(v.key)
			plain, _ := hex.DecodeString(v.plain)
			want, _ := hex.DecodeString(v.ciph)
			c, err := New(key, v.bits)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]byte, 8)
			c.Encrypt(got, plain)
			if !bytes.Equal(got, want) {
				t.Fatalf("encrypt: got %x want %x", got, want)
			}
			c.Decrypt(got, want)
			if !bytes.Equal(got, plain) {
				t.Fatalf("decrypt: got %x want %x", got, plain)
			}
		})
	}
}

func TestPiTableIsPermutation(t *testing.T) {
	var seen [256]bool
	for _, b := range piTable {
		if seen[b] {
			t.Fatalf("duplicate %#x", b)
		}
		seen[b] = true
	}
}

func TestInvalidParameters(t *testing.T) {
	for _, tc := range []struct{ klen, bits int }{{0, 40}, {129, 40}, {5, 0}, {5, 1025}} {
		if _, err := New(make([]byte, tc.klen), tc.bits); err == nil {
			t.Errorf("New(%d bytes, %d bits) succeeded", tc.klen, tc.bits)
		}
	}
}

func TestCBCRoundTrip(t *testing.T) {
	c, err := New([]byte{1, 2, 3, 4, 5}, 40)
	if err != nil {
		t.Fatal(err)
	}
	iv := make([]byte, 8)
	msg := bytes.Repeat([]byte("qoltanba"), 9)
	ct := make([]byte, len(msg))
	cipher.NewCBCEncrypter(c, iv).CryptBlocks(ct, msg)
	pt := make([]byte, len(msg))
	cipher.NewCBCDecrypter(c, iv).CryptBlocks(pt, ct)
	if !bytes.Equal(pt, msg) {
		t.Fatal("CBC round trip failed")
	}
}

func BenchmarkEncrypt(b *testing.B) {
	c, _ := New(make([]byte, 16), 128)
	buf := make([]byte, 8)
	b.SetBytes(8)
	for b.Loop() {
		c.Encrypt(buf, buf)
	}
}
