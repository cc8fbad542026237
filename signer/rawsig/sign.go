package rawsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// Sign hashes data with the key's natural hash and signs the digest.
func Sign(key crypto.Signer, data []byte) ([]byte, error) {
	d, err := NaturalDigest(key.Public())
	if err != nil {
		return nil, err
	}
	return SignDigest(key, d, d.Sum(data))
}

// SignReader is Sign over a stream, in constant memory.
func SignReader(key crypto.Signer, r io.Reader) ([]byte, error) {
	d, err := NaturalDigest(key.Public())
	if err != nil {
		return nil, err
	}
	h := d.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, fmt.Errorf("read data to sign: %w", err)
	}
	return SignDigest(key, d, h.Sum(nil))
}

// SignDigest signs digest, made with d, and returns the bare signature.
// Weak digests (SHA-1) are refused: nothing new is signed with them.
func SignDigest(key crypto.Signer, d *Digest, digest []byte) ([]byte, error) {
	pub := key.Public()
	if err := checkPair(pub, d); err != nil {
		return nil, err
	}
	if d.Weak {
		return nil, fmt.Errorf("%w: %s is too weak to sign with", ErrUnsupportedKey, d.Name)
	}
	if len(digest) != d.Size {
		return nil, fmt.Errorf("%w: %d-byte digest for %s", ErrUnsupportedKey, len(digest), d.Name)
	}
	// GOST keys ignore opts (their hashes have no crypto.Hash); a token's
	// GOST signer gets crypto.Hash(0), meaning "digest already made".
	sig, err := key.Sign(rand.Reader, digest, d.Hash)
	if err != nil {
		return nil, fmt.Errorf("sign with %s: %w", SignatureName(pub, d), err)
	}
	return sig, nil
}

// Verify checks sig over data with the key's natural hash.
func Verify(pub crypto.PublicKey, data, sig []byte) error {
	d, err := NaturalDigest(pub)
	if err != nil {
		return err
	}
	return VerifyDigest(pub, d, d.Sum(data), sig)
}

// VerifyDigest checks sig over digest, made with d. Weak digests verify
// (old documents carry them); callers warn about d.Weak.
func VerifyDigest(pub crypto.PublicKey, d *Digest, digest, sig []byte) error {
	if err := checkPair(pub, d); err != nil {
		return err
	}
	if len(digest) != d.Size {
		return fmt.Errorf("%w: %d-byte digest for %s", ErrVerification, len(digest), d.Name)
	}
	ok := false
	switch k := pub.(type) {
	case *gost.PublicKey:
		ok = gost.Verify(k, digest, sig)
	case *rsa.PublicKey:
		ok = rsa.VerifyPKCS1v15(k, d.Hash, digest, sig) == nil
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(k, digest, sig)
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrVerification, SignatureName(pub, d))
	}
	return nil
}
