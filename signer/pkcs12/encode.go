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
	l, err := newEncoding(opts, cert)
	if err != nil {
		return nil, err
	}
	attrs, err := bagAttributes(l.localKeyID, l.name)
	if err != nil {
		return nil, err
	}
	keyCI, err := l.keySafe(key, password, attrs)
	if err != nil {
		return nil, err
	}
	certCI, err := l.certSafe(append([]*x509.Certificate{cert}, chain...), password, attrs)
	if err != nil {
		return nil, err
	}
	cis := []contentInfo{keyCI, certCI} // NCA: key first
	if l.layout == Modern {
		cis = []contentInfo{certCI, keyCI} // OpenSSL: certificates first
	}
	authSafe, err := asn1.Marshal(cis)
	if err != nil {
		return nil, err
	}
	return l.pfx(authSafe, password)
}

// encoding is the choices of one Encode: the layout's algorithms, counts
// and attributes, settled from Options.
type encoding struct {
	layout                Layout
	rnd                   io.Reader
	iter                  int
	keyScheme, certScheme scheme
	macNew                func() hash.Hash
	macOID                asn1.ObjectIdentifier
	macSaltLen            int
	localKeyID            []byte
	name                  string
}

// newEncoding settles the algorithms and attributes of opts.Layout: NCA's
// legacy one (3DES key, RC2-40 certificates, SHA-1 MAC, the SKI as
// localKeyId and name) or the modern one (PBES2 AES-256, SHA-256 MAC).
func newEncoding(opts *Options, cert *x509.Certificate) (*encoding, error) {
	l := &encoding{layout: opts.Layout, rnd: opts.Rand, iter: opts.Iterations, localKeyID: opts.LocalKeyID, name: opts.FriendlyName}
	if l.rnd == nil {
		l.rnd = rand.Reader
	}
	switch opts.Layout {
	case LegacyNCA:
		if l.iter == 0 {
			l.iter = 1024
		}
		l.keyScheme, l.certScheme = schemeTripleDES, schemeRC2_40
		l.macNew, l.macOID, l.macSaltLen = sha1.New, oidSHA1, 20
		if l.localKeyID == nil {
			l.localKeyID = cert.SubjectKeyId
			if len(l.localKeyID) == 0 {
				sum := sha1.Sum(cert.RawSubjectPublicKeyInfo)
				l.localKeyID = sum[:]
			}
		}
		if l.name == "" {
			l.name = hex.EncodeToString(l.localKeyID)
		}
	case Modern:
		if l.iter == 0 {
			l.iter = 2048
		}
		l.keyScheme, l.certScheme = schemePBES2AES256, schemePBES2AES256
		l.macNew, l.macOID, l.macSaltLen = sha256.New, oidSHA256, 8
		if l.localKeyID == nil {
			sum := sha1.Sum(cert.Raw)
			l.localKeyID = sum[:]
		}
	default:
		return nil, fmt.Errorf("pkcs12: unknown layout %d", opts.Layout)
	}
	if err := checkIterations(l.iter); err != nil {
		return nil, fmt.Errorf("pkcs12: %w", err)
	}
	return l, nil
}

// keySafe is the content holding the shrouded key bag; the PKCS#8 bytes
// are cleared once encrypted.
func (l *encoding) keySafe(key crypto.Signer, password []byte, attrs []pkcs12Attribute) (contentInfo, error) {
	p8, err := marshalPrivateKey(key)
	if err != nil {
		return contentInfo{}, err
	}
	alg, encKey, err := encrypt(l.keyScheme, password, p8, l.iter, l.rnd)
	clear(p8)
	if err != nil {
		return contentInfo{}, err
	}
	epki, err := asn1.Marshal(encryptedPrivateKeyInfo{Algorithm: alg, EncryptedData: encKey})
	if err != nil {
		return contentInfo{}, err
	}
	keySafe, err := asn1.Marshal([]safeBag{{ID: oidPKCS8ShroudedKeyBag, Value: wrap0(epki), Attributes: attrs}})
	if err != nil {
		return contentInfo{}, err
	}
	return dataContentInfo(keySafe)
}

// certSafe is the encrypted content holding the certificate bags: the
// leaf (certs[0]) with the key's attributes, then the chain.
func (l *encoding) certSafe(certs []*x509.Certificate, password []byte, attrs []pkcs12Attribute) (contentInfo, error) {
	certBags := make([]safeBag, 0, len(certs))
	for i, c := range certs {
		if c == nil {
			return contentInfo{}, fmt.Errorf("pkcs12: chain certificate %d is nil", i)
		}
		cb, err := asn1.Marshal(certBag{ID: oidX509Certificate, Data: c.Raw})
		if err != nil {
			return contentInfo{}, err
		}
		b := safeBag{ID: oidCertBag, Value: wrap0(cb)}
		if i == 0 {
			b.Attributes = attrs
		}
		certBags = append(certBags, b)
	}
	certSafe, err := asn1.Marshal(certBags)
	if err != nil {
		return contentInfo{}, err
	}
	certAlg, encCerts, err := encrypt(l.certScheme, password, certSafe, l.iter, l.rnd)
	if err != nil {
		return contentInfo{}, err
	}
	content := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: encCerts}
	if l.layout == LegacyNCA {
		// NCA (a BER writer) sends [0] constructed around one OCTET
		// STRING; do the same so the files match element for element.
		os, err := asn1.Marshal(encCerts)
		if err != nil {
			return contentInfo{}, err
		}
		content = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: os}
	}
	ed, err := asn1.Marshal(encryptedData{Version: 0, EncryptedContentInfo: encryptedContentInfo{
		ContentType:                oidData,
		ContentEncryptionAlgorithm: certAlg,
		EncryptedContent:           content,
	}})
	if err != nil {
		return contentInfo{}, err
	}
	return contentInfo{ContentType: oidEncryptedData, Content: wrap0(ed)}, nil
}

// pfx seals authSafe with the password's MAC into the PFX.
func (l *encoding) pfx(authSafe, password []byte) ([]byte, error) {
	salt := make([]byte, l.macSaltLen)
	if _, err := io.ReadFull(l.rnd, salt); err != nil {
		return nil, fmt.Errorf("pkcs12: MAC salt: %w", err)
	}
	mac := computeMAC(l.macNew, password, salt, l.iter, authSafe)
	authCI, err := dataContentInfo(authSafe)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(pfxPDU{
		Version:  3,
		AuthSafe: authCI,
		MacData: macData{
			Mac:        digestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: l.macOID, Parameters: asn1.NullRawValue}, Digest: mac},
			MacSalt:    salt,
			Iterations: l.iter,
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
