package pkcs12

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/qoltanba/qoltanba/signer/internal/rc2"
)

// Limits on what an untrusted file may ask of us.
const (
	// MaxIterations bounds KDF iteration counts; real files use 1024 to a
	// few hundred thousand, and a larger count is a denial of service.
	MaxIterations = 10_000_000
	maxSaltLen    = 1024
)

// errBadPadding reports a decryption whose padding is invalid: with the
// wrong password this is what happens almost always.
var errBadPadding = errors.New("invalid padding after decryption")

type pbeParams struct {
	Salt       []byte
	Iterations int
}

type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                      `asn1:"optional"`
	PRF            pkix.AlgorithmIdentifier `asn1:"optional"`
}

// maxIterations is MaxIterations, lowered by the fuzz test so that mutated
// counts do not make each run take seconds.
var maxIterations = MaxIterations

// kdfBudget is the KDF work (iterations summed over every derivation) that
// one Decode may spend: a file may not multiply the per-derivation limit by
// carrying hundreds of encrypted bags.
type kdfBudget struct{ left int }

func newKDFBudget() *kdfBudget { return &kdfBudget{left: 4 * maxIterations} }

// spend charges n iterations, failing once the budget is exhausted. A nil
// budget is unlimited (Encode, whose counts the caller chose).
func (b *kdfBudget) spend(n int) error {
	if b == nil {
		return nil
	}
	if n > b.left {
		return fmt.Errorf("key derivations exceed the total of %d iterations", 4*maxIterations)
	}
	b.left -= n
	return nil
}

func checkIterations(n int) error {
	if n < 1 || n > maxIterations {
		return fmt.Errorf("iteration count %d outside 1..%d", n, maxIterations)
	}
	return nil
}

// pkcs12Cipher describes a PKCS#12 PBE scheme (RFC 7292 appendix C).
type pkcs12Cipher struct {
	keyLen    int
	newCipher func(key []byte) (cipher.Block, error)
}

func pkcs12Scheme(oid asn1.ObjectIdentifier) (pkcs12Cipher, bool) {
	switch {
	case oid.Equal(oidPBEWithSHAAnd3KeyTripleDESCBC):
		return pkcs12Cipher{24, des.NewTripleDESCipher}, true
	case oid.Equal(oidPBEWithSHAAnd2KeyTripleDESCBC):
		return pkcs12Cipher{16, func(k []byte) (cipher.Block, error) {
			k3 := make([]byte, 0, 24) // K1 K2 K1
			k3 = append(append(k3, k...), k[:8]...)
			defer clear(k3)
			return des.NewTripleDESCipher(k3)
		}}, true
	case oid.Equal(oidPBEWithSHAAnd40BitRC2CBC):
		return pkcs12Cipher{5, func(k []byte) (cipher.Block, error) { return rc2.New(k, 40) }}, true
	case oid.Equal(oidPBEWithSHAAnd128BitRC2CBC):
		return pkcs12Cipher{16, func(k []byte) (cipher.Block, error) { return rc2.New(k, 128) }}, true
	}
	return pkcs12Cipher{}, false
}

// prfByOID maps PBKDF2 PRF OIDs to hashes.
func prfByOID(oid asn1.ObjectIdentifier) (func() hash.Hash, bool) {
	switch {
	case len(oid) == 0 || oid.Equal(oidHMACSHA1):
		return sha1.New, true
	case oid.Equal(oidHMACSHA224):
		return sha256.New224, true
	case oid.Equal(oidHMACSHA256):
		return sha256.New, true
	case oid.Equal(oidHMACSHA384):
		return sha512.New384, true
	case oid.Equal(oidHMACSHA512):
		return sha512.New, true
	}
	return nil, false
}

// pbes2Cipher maps PBES2 encryption scheme OIDs to a key size and cipher.
func pbes2Cipher(oid asn1.ObjectIdentifier) (int, func([]byte) (cipher.Block, error), bool) {
	switch {
	case oid.Equal(oidAES128CBC):
		return 16, aes.NewCipher, true
	case oid.Equal(oidAES192CBC):
		return 24, aes.NewCipher, true
	case oid.Equal(oidAES256CBC):
		return 32, aes.NewCipher, true
	case oid.Equal(oidDESEDE3CBC):
		return 24, des.NewTripleDESCipher, true
	}
	return 0, nil, false
}

func unmarshalExact(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errors.New("trailing data")
	}
	return nil
}

// deriveCipher turns an encryption AlgorithmIdentifier and a password into
// a block cipher and IV. Password-derived buffers are zeroed here.
func deriveCipher(alg pkix.AlgorithmIdentifier, password []byte, budget *kdfBudget) (cipher.Block, []byte, error) {
	if s, ok := pkcs12Scheme(alg.Algorithm); ok {
		var p pbeParams
		if err := unmarshalExact(alg.Parameters.FullBytes, &p); err != nil {
			return nil, nil, malformedErr("PBE parameters", err)
		}
		if err := checkIterations(p.Iterations); err != nil {
			return nil, nil, malformedErr("PBE parameters", err)
		}
		if len(p.Salt) > maxSaltLen {
			return nil, nil, malformed("PBE parameters", "salt of %d bytes", len(p.Salt))
		}
		if err := budget.spend(2 * p.Iterations); err != nil { // key and IV
			return nil, nil, malformedErr("PBE parameters", err)
		}
		pw := bmpPassword(password)
		defer clear(pw)
		key := pkcs12KDF(sha1.New, kdfKey, pw, p.Salt, p.Iterations, s.keyLen)
		defer clear(key)
		iv := pkcs12KDF(sha1.New, kdfIV, pw, p.Salt, p.Iterations, 8)
		block, err := s.newCipher(key)
		if err != nil {
			return nil, nil, fmt.Errorf("pkcs12: cipher: %w", err)
		}
		return block, iv, nil
	}
	if alg.Algorithm.Equal(oidPBES2) {
		var p pbes2Params
		if err := unmarshalExact(alg.Parameters.FullBytes, &p); err != nil {
			return nil, nil, malformedErr("PBES2 parameters", err)
		}
		if !p.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
			return nil, nil, &UnsupportedAlgorithmError{OID: p.KeyDerivationFunc.Algorithm, Use: "PBES2 key derivation function"}
		}
		var kp pbkdf2Params
		if err := unmarshalExact(p.KeyDerivationFunc.Parameters.FullBytes, &kp); err != nil {
			return nil, nil, malformedErr("PBKDF2 parameters", err)
		}
		if err := checkIterations(kp.IterationCount); err != nil {
			return nil, nil, malformedErr("PBKDF2 parameters", err)
		}
		if len(kp.Salt) > maxSaltLen {
			return nil, nil, malformed("PBKDF2 parameters", "salt of %d bytes", len(kp.Salt))
		}
		prf, ok := prfByOID(kp.PRF.Algorithm)
		if !ok {
			return nil, nil, &UnsupportedAlgorithmError{OID: kp.PRF.Algorithm, Use: "PBKDF2 PRF"}
		}
		keyLen, newCipher, ok := pbes2Cipher(p.EncryptionScheme.Algorithm)
		if !ok {
			return nil, nil, &UnsupportedAlgorithmError{OID: p.EncryptionScheme.Algorithm, Use: "PBES2 encryption scheme"}
		}
		if kp.KeyLength != 0 && kp.KeyLength != keyLen {
			return nil, nil, malformed("PBKDF2 parameters", "key length %d, cipher needs %d", kp.KeyLength, keyLen)
		}
		if err := budget.spend(kp.IterationCount * ((keyLen + prf().Size() - 1) / prf().Size())); err != nil {
			return nil, nil, malformedErr("PBKDF2 parameters", err)
		}
		var iv []byte
		if err := unmarshalExact(p.EncryptionScheme.Parameters.FullBytes, &iv); err != nil {
			return nil, nil, malformedErr("PBES2 IV", err)
		}
		// PBES2 takes the password as UTF-8 bytes, as OpenSSL does.
		key, err := pbkdf2.Key(prf, passwordString(password), kp.Salt, kp.IterationCount, keyLen)
		if err != nil {
			return nil, nil, fmt.Errorf("pkcs12: PBKDF2: %w", err)
		}
		defer clear(key)
		block, err := newCipher(key)
		if err != nil {
			return nil, nil, fmt.Errorf("pkcs12: cipher: %w", err)
		}
		if len(iv) != block.BlockSize() {
			return nil, nil, malformed("PBES2 IV", "%d bytes, want %d", len(iv), block.BlockSize())
		}
		return block, iv, nil
	}
	return nil, nil, &UnsupportedAlgorithmError{OID: alg.Algorithm, Use: "encryption algorithm"}
}

// decrypt decrypts ciphertext encrypted under alg with password and strips
// the PKCS#7 padding. A padding failure returns errBadPadding (wrapped).
func decrypt(alg pkix.AlgorithmIdentifier, password []byte, ciphertext []byte, budget *kdfBudget) ([]byte, error) {
	block, iv, err := deriveCipher(alg, password, budget)
	if err != nil {
		return nil, err
	}
	bs := block.BlockSize()
	if len(ciphertext) == 0 || len(ciphertext)%bs != 0 {
		return nil, malformed("encrypted content", "%d bytes is not a positive multiple of the %d-byte block", len(ciphertext), bs)
	}
	out := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, ciphertext)
	n := int(out[len(out)-1])
	// Check the padding without branching on each byte.
	good := subtle.ConstantTimeLessOrEq(1, n) & subtle.ConstantTimeLessOrEq(n, bs)
	for i := 1; i <= bs; i++ {
		inPad := subtle.ConstantTimeLessOrEq(i, n)
		eq := subtle.ConstantTimeByteEq(out[len(out)-i], byte(n))
		good &= subtle.ConstantTimeSelect(inPad, eq, 1)
	}
	if good != 1 {
		clear(out)
		return nil, errBadPadding
	}
	return out[:len(out)-n], nil
}

// Encryption schemes Encode can write.
type scheme int

const (
	schemeTripleDES   scheme = iota // pbeWithSHAAnd3-KeyTripleDES-CBC
	schemeRC2_40                    // pbeWithSHAAnd40BitRC2-CBC
	schemePBES2AES256               // PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC
)

// encrypt encrypts plaintext under a new salt with the given scheme and
// returns the AlgorithmIdentifier and the ciphertext.
func encrypt(s scheme, password []byte, plaintext []byte, iterations int, rand io.Reader) (pkix.AlgorithmIdentifier, []byte, error) {
	var alg pkix.AlgorithmIdentifier
	switch s {
	case schemeTripleDES, schemeRC2_40:
		salt := make([]byte, 20)
		if _, err := io.ReadFull(rand, salt); err != nil {
			return alg, nil, fmt.Errorf("pkcs12: salt: %w", err)
		}
		params, err := asn1.Marshal(pbeParams{Salt: salt, Iterations: iterations})
		if err != nil {
			return alg, nil, err
		}
		alg.Algorithm = oidPBEWithSHAAnd3KeyTripleDESCBC
		if s == schemeRC2_40 {
			alg.Algorithm = oidPBEWithSHAAnd40BitRC2CBC
		}
		alg.Parameters = asn1.RawValue{FullBytes: params}
	case schemePBES2AES256:
		salt := make([]byte, 16)
		iv := make([]byte, aes.BlockSize)
		if _, err := io.ReadFull(rand, salt); err != nil {
			return alg, nil, fmt.Errorf("pkcs12: salt: %w", err)
		}
		if _, err := io.ReadFull(rand, iv); err != nil {
			return alg, nil, fmt.Errorf("pkcs12: IV: %w", err)
		}
		kdfParams, err := asn1.Marshal(pbkdf2Params{
			Salt: salt, IterationCount: iterations,
			PRF: pkix.AlgorithmIdentifier{Algorithm: oidHMACSHA256, Parameters: asn1.NullRawValue},
		})
		if err != nil {
			return alg, nil, err
		}
		ivDER, err := asn1.Marshal(iv)
		if err != nil {
			return alg, nil, err
		}
		params, err := asn1.Marshal(pbes2Params{
			KeyDerivationFunc: pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdfParams}},
			EncryptionScheme:  pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: asn1.RawValue{FullBytes: ivDER}},
		})
		if err != nil {
			return alg, nil, err
		}
		alg = pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: params}}
	default:
		return alg, nil, errors.New("pkcs12: unknown encryption scheme")
	}
	block, iv, err := deriveCipher(alg, password, nil)
	if err != nil {
		return alg, nil, err
	}
	bs := block.BlockSize()
	n := bs - len(plaintext)%bs
	buf := make([]byte, len(plaintext)+n)
	copy(buf, plaintext)
	for i := len(plaintext); i < len(buf); i++ {
		buf[i] = byte(n)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(buf, buf)
	return alg, buf, nil
}
