package pkcs11

import (
	"crypto"
	"encoding/asn1"
	"fmt"
	"math/big"
)

// digestInfoPrefix is the DER of DigestInfo up to the digest (RFC 8017
// section 9.2, note 1). CKM_RSA_PKCS signs whatever it is given, so a
// crypto.Signer asked to sign a digest must wrap it in DigestInfo itself.
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA224: {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// digestInfo wraps digest for CKM_RSA_PKCS. Hash 0 means the caller already
// built the block (crypto/rsa's convention), so digest is signed as it is.
func digestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	if h == 0 {
		return digest, nil
	}
	prefix, ok := digestInfoPrefix[h]
	if !ok {
		return nil, fmt.Errorf("%w: RSA PKCS#1 v1.5 with %v", ErrMechanism, h)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("sign: digest is %d bytes, %v needs %d", len(digest), h, h.Size())
	}
	return append(append(make([]byte, 0, len(prefix)+len(digest)), prefix...), digest...), nil
}

// ecdsaRawToDER turns CKM_ECDSA's r‖s (two equal halves, big-endian) into
// the ASN.1 Ecdsa-Sig-Value that crypto.Signer callers (crypto/x509, CMS,
// XMLDSig via ecdsa.VerifyASN1) expect.
func ecdsaRawToDER(raw []byte) ([]byte, error) {
	if len(raw) == 0 || len(raw)%2 != 0 {
		return nil, fmt.Errorf("sign: token returned an ECDSA signature of odd length %d", len(raw))
	}
	r := new(big.Int).SetBytes(raw[:len(raw)/2])
	s := new(big.Int).SetBytes(raw[len(raw)/2:])
	der, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	if err != nil {
		return nil, fmt.Errorf("sign: encode ECDSA signature: %w", err)
	}
	return der, nil
}
