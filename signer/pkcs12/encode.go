package pkcs12

import (
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"unicode/utf16"
)

// Layout selects the algorithms Encode writes.
type Layout int

const (
	// LegacyNCA is the layout of NCA RK's own files: the key bag under
	// pbeWithSHA1And3-KeyTripleDES-CBC, the certificates under
	// pbeWithSHA1And40BitRC2-CBC, an HMAC-SHA1 MAC, 1024 iterations,
	// localKeyId = the certificate's SubjectKeyId and friendlyName = its
	// hex. Apart from NCA's indefinite lengths (we write definite ones),
	// the files match NCA's element for element (TestLegacyNCALayout).
	// OpenSSL 3 reads them with -legacy.
	LegacyNCA Layout = iota
	// Modern is what OpenSSL 3 writes by default: PBES2 with
	// PBKDF2-HMAC-SHA256 and AES-256-CBC for key and certificates, an
	// HMAC-SHA256 MAC, 2048 iterations.
	Modern
)

// Options tune Encode. The zero value writes LegacyNCA.
type Options struct {
	Layout Layout
	// Iterations for the KDFs and the MAC; 0 means 1024 (LegacyNCA) or
	// 2048 (Modern).
	Iterations int
	// FriendlyName defaults to the hex of LocalKeyID in LegacyNCA and is
	// omitted in Modern unless set.
	FriendlyName string
	// LocalKeyID defaults to the certificate's SubjectKeyId (LegacyNCA,
	// as NCA does) or the SHA-1 of the certificate (Modern, as OpenSSL).
	LocalKeyID []byte
	// Rand supplies salts and IVs; nil means crypto/rand.
	Rand io.Reader
}

// Encode writes key, its certificate cert and the chain (issuers, leaf's
// issuer first) into a PKCS#12 file protected by password. The key must
// match cert (ErrKeyMismatch otherwise).
func Encode(key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, password string, opts *Options) ([]byte, error) {
	pw := []byte(password)
	defer clear(pw)
	return EncodeBytes(key, cert, chain, pw, opts)
}

// EncodeBytes is Encode with the password as UTF-8 bytes, so that callers
// can zero it afterwards. Encode keeps no reference to password.
func EncodeBytes(key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, password []byte, opts *Options) ([]byte, error) {
	if opts == nil {
		opts = &Options{}
	}
	if key == nil || cert == nil {
		return nil, errors.New("pkcs12: Encode needs a key and its certificate")
	}
	if !keyMatches(key, cert) {
		return nil, ErrKeyMismatch
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	iter := opts.Iterations
	var keyScheme, certScheme scheme
	var macNew func() hash.Hash
	var macOID asn1.ObjectIdentifier
	var macSaltLen int
	localKeyID, name := opts.LocalKeyID, opts.FriendlyName
	switch opts.Layout {
	case LegacyNCA:
		if iter == 0 {
			iter = 1024
		}
		keyScheme, certScheme = schemeTripleDES, schemeRC2_40
		macNew, macOID, macSaltLen = sha1.New, oidSHA1, 20
		if localKeyID == nil {
			localKeyID = cert.SubjectKeyId
			if len(localKeyID) == 0 {
				sum := sha1.Sum(cert.RawSubjectPublicKeyInfo)
				localKeyID = sum[:]
			}
		}
		if name == "" {
			name = hex.EncodeToString(localKeyID)
		}
	case Modern:
		if iter == 0 {
			iter = 2048
		}
		keyScheme, certScheme = schemePBES2AES256, schemePBES2AES256
		macNew, macOID, macSaltLen = sha256.New, oidSHA256, 8
		if localKeyID == nil {
			sum := sha1.Sum(cert.Raw)
			localKeyID = sum[:]
		}
	default:
		return nil, fmt.Errorf("pkcs12: unknown layout %d", opts.Layout)
	}
	if err := checkIterations(iter); err != nil {
		return nil, fmt.Errorf("pkcs12: %w", err)
	}
	attrs, err := bagAttributes(localKeyID, name)
	if err != nil {
		return nil, err
	}

	// The key bag.
	p8, err := marshalPrivateKey(key)
	if err != nil {
		return nil, err
	}
	alg, encKey, err := encrypt(keyScheme, password, p8, iter, rnd)
	clear(p8)
	if err != nil {
		return nil, err
	}
	epki, err := asn1.Marshal(encryptedPrivateKeyInfo{Algorithm: alg, EncryptedData: encKey})
	if err != nil {
		return nil, err
	}
	keySafe, err := asn1.Marshal([]safeBag{{ID: oidPKCS8ShroudedKeyBag, Value: wrap0(epki), Attributes: attrs}})
	if err != nil {
		return nil, err
	}

	// The certificate bags: the leaf with the key's attributes, then the chain.
	certBags := make([]safeBag, 0, 1+len(chain))
	for i, c := range append([]*x509.Certificate{cert}, chain...) {
		if c == nil {
			return nil, fmt.Errorf("pkcs12: chain certificate %d is nil", i)
		}
		cb, err := asn1.Marshal(certBag{ID: oidX509Certificate, Data: c.Raw})
		if err != nil {
			return nil, err
		}
		b := safeBag{ID: oidCertBag, Value: wrap0(cb)}
		if i == 0 {
			b.Attributes = attrs
		}
		certBags = append(certBags, b)
	}
	certSafe, err := asn1.Marshal(certBags)
	if err != nil {
		return nil, err
	}
	certAlg, encCerts, err := encrypt(certScheme, password, certSafe, iter, rnd)
	if err != nil {
		return nil, err
	}

	keyCI, err := dataContentInfo(keySafe)
	if err != nil {
		return nil, err
	}
	content := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: encCerts}
	if opts.Layout == LegacyNCA {
		// NCA (a BER writer) sends [0] constructed around one OCTET
		// STRING; do the same so the files match element for element.
		os, err := asn1.Marshal(encCerts)
		if err != nil {
			return nil, err
		}
		content = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: os}
	}
	ed, err := asn1.Marshal(encryptedData{Version: 0, EncryptedContentInfo: encryptedContentInfo{
		ContentType:                oidData,
		ContentEncryptionAlgorithm: certAlg,
		EncryptedContent:           content,
	}})
	if err != nil {
		return nil, err
	}
	certCI := contentInfo{ContentType: oidEncryptedData, Content: wrap0(ed)}
	cis := []contentInfo{keyCI, certCI} // NCA: key first
	if opts.Layout == Modern {
		cis = []contentInfo{certCI, keyCI} // OpenSSL: certificates first
	}
	authSafe, err := asn1.Marshal(cis)
	if err != nil {
		return nil, err
	}

	salt := make([]byte, macSaltLen)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return nil, fmt.Errorf("pkcs12: MAC salt: %w", err)
	}
	mac := computeMAC(macNew, password, salt, iter, authSafe)
	authCI, err := dataContentInfo(authSafe)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pfxPDU{
		Version:  3,
		AuthSafe: authCI,
		MacData: macData{
			Mac:        digestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: macOID, Parameters: asn1.NullRawValue}, Digest: mac},
			MacSalt:    salt,
			Iterations: iter,
		},
	})
}

// dataContentInfo wraps DER in a ContentInfo of type data.
func dataContentInfo(der []byte) (contentInfo, error) {
	os, err := asn1.Marshal(der)
	if err != nil {
		return contentInfo{}, err
	}
	return contentInfo{ContentType: oidData, Content: wrap0(os)}, nil
}

// bagAttributes builds the localKeyId and friendlyName attributes.
func bagAttributes(localKeyID []byte, name string) ([]pkcs12Attribute, error) {
	var attrs []pkcs12Attribute
	if len(localKeyID) > 0 {
		v, err := asn1.Marshal(localKeyID)
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, pkcs12Attribute{ID: oidLocalKeyID, Value: asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: v}})
	}
	if name != "" {
		units := utf16.Encode([]rune(name))
		bmp := make([]byte, 0, 2*len(units))
		for _, u := range units {
			bmp = append(bmp, byte(u>>8), byte(u))
		}
		v, err := asn1.Marshal(asn1.RawValue{Tag: 30, Bytes: bmp})
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, pkcs12Attribute{ID: oidFriendlyName, Value: asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: v}})
	}
	return attrs, nil
}
