package pkcs12

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"testing"
)

var sha1New = sha1.New

// TestPKCS12KDF checks the RFC 7292 appendix B KDF against known answers
// (the vectors of Go's x/crypto/pkcs12 tests, "sesame" and the empty
// password, which exercise the carry of I_j + B + 1).
func TestPKCS12KDF(t *testing.T) {
	tests := []struct {
		password []byte
		salt     string
		iter, n  int
		want     string
	}{
		{bmpPassword([]byte("sesame")), "ffffffffffffffff", 2048, 24, "7cd9fd3e2b3be7691a44e3bef0f9ea0fb9b897d4e325d9d1"},
		{[]byte{0, 0}, "f37e05b518324b4b", 2048, 24, "00f759ff47d14dd03665d5943cb3c4a39a2555c02aed66e1"},
	}
	for _, tt := range tests {
		salt, _ := hex.DecodeString(tt.salt)
		got := pkcs12KDF(sha1.New, kdfKey, tt.password, salt, tt.iter, tt.n)
		if hex.EncodeToString(got) != tt.want {
			t.Errorf("KDF(%x) = %x, want %s", tt.password, got, tt.want)
		}
	}
}

func TestBMPPassword(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
	}{
		{"", []byte{0, 0}},
		{"Aә𝄞", []byte{0, 'A', 0x04, 0xd9, 0xd8, 0x34, 0xdd, 0x1e, 0, 0}},
		{"a\xffb", []byte{0, 'a', 0xff, 0xfd, 0, 'b', 0, 0}}, // invalid UTF-8 → U+FFFD
	}
	for _, tt := range tests {
		if got := bmpPassword([]byte(tt.in)); !bytes.Equal(got, tt.want) {
			t.Errorf("bmpPassword(%q) = %x, want %x", tt.in, got, tt.want)
		}
	}
}
