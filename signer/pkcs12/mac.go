package pkcs12

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"hash"
)

// macHash maps a MAC digest OID to its hash.
func macHash(oid asn1.ObjectIdentifier) (func() hash.Hash, bool) {
	switch {
	case oid.Equal(oidSHA1):
		return sha1.New, true
	case oid.Equal(oidSHA224):
		return sha256.New224, true
	case oid.Equal(oidSHA256):
		return sha256.New, true
	case oid.Equal(oidSHA384):
		return sha512.New384, true
	case oid.Equal(oidSHA512):
		return sha512.New, true
	}
	return nil, false
}

// computeMAC returns the PKCS#12 MAC of data: HMAC keyed by the PKCS#12 KDF
// (purpose 3) with the same hash, as RFC 7292 appendix B and OpenSSL do for
// SHA-1 and the SHA-2 family alike.
func computeMAC(newHash func() hash.Hash, password []byte, salt []byte, iterations int, data []byte) []byte {
	pw := bmpPassword(password)
	defer clear(pw)
	key := pkcs12KDF(newHash, kdfMAC, pw, salt, iterations, newHash().Size())
	defer clear(key)
	m := hmac.New(newHash, key)
	m.Write(data)
	return m.Sum(nil)
}
