package pkcs12

import (
	"crypto"
	"crypto/hmac"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"unicode/utf16"

	"github.com/qoltanba/qoltanba/signer/internal/ber"
)

// Limits on untrusted files.
const (
	// MaxFileSize is the largest file Decode accepts. NCA files are 2 to 4
	// KB; files with long chains stay well under 1 MB.
	MaxFileSize = 4 << 20
	maxBags     = 1024
)

// Entry is one private key with its certificate and chain.
type Entry struct {
	// PrivateKey is *rsa.PrivateKey, *ecdsa.PrivateKey,
	// ed25519.PrivateKey or *gost.PrivateKey.
	PrivateKey crypto.Signer
	// Certificate is the key's certificate, nil if the file has none.
	Certificate *x509.Certificate
	// Chain holds the issuers found in the file, leaf's issuer first, up
	// to the root if present. The leaf itself is not included.
	Chain []*x509.Certificate
	// FriendlyName and LocalKeyID are the bag attributes (NCA sets both to
	// the certificate serial number, as hex and as bytes).
	FriendlyName string
	LocalKeyID   []byte
}

// File is the decoded content of a PKCS#12 file.
type File struct {
	Entries []*Entry
	// Certificates holds every certificate of the file in file order.
	Certificates []*x509.Certificate
	// MACAlgorithm is the MAC's digest OID (nil if the file has no MAC)
	// and MACIterations its iteration count.
	MACAlgorithm  asn1.ObjectIdentifier
	MACIterations int
}

// bag is a decoded safe bag before keys and certificates are paired.
type bag struct {
	key          crypto.Signer
	cert         *x509.Certificate
	friendlyName string
	localKeyID   []byte
}

type decoder struct {
	password    []byte // UTF-8
	macVerified bool
	budget      *kdfBudget
	bags        []bag
}

// Decode parses a PKCS#12 file, checks its MAC, decrypts its keys and
// certificates and pairs them. It returns ErrWrongPassword, an error
// wrapping ErrMalformed, ErrKeyMismatch, ErrNoKey, or an
// *UnsupportedAlgorithmError.
func Decode(data []byte, password string) (*File, error) {
	pw := []byte(password)
	defer clear(pw)
	return DecodeBytes(data, pw)
}

// DecodeBytes is Decode with the password as UTF-8 bytes, so that callers
// can zero it afterwards. Decode keeps no reference to password.
func DecodeBytes(data, password []byte) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, malformed("file", "%d bytes exceed the limit of %d", len(data), MaxFileSize)
	}
	der, err := ber.ToDER(data)
	if err != nil {
		return nil, malformedErr("PFX", err)
	}
	var pfx pfxPDU
	if err := unmarshalExact(der, &pfx); err != nil {
		return nil, malformedErr("PFX", err)
	}
	if pfx.Version != 3 {
		return nil, malformed("PFX", "version %d, want 3", pfx.Version)
	}
	switch ct := pfx.AuthSafe.ContentType; {
	case ct.Equal(oidSignedData):
		return nil, &UnsupportedAlgorithmError{OID: ct, Use: "authSafe content type (public-key integrity mode)"}
	case !ct.Equal(oidData):
		return nil, malformed("PFX", "authSafe content type %s, want data", ct)
	}
	authSafe, err := octetContent(pfx.AuthSafe, "authSafe")
	if err != nil {
		return nil, err
	}

	f := &File{}
	d := &decoder{password: password, budget: newKDFBudget()}
	if len(pfx.MacData.Mac.Algorithm.Algorithm) > 0 {
		if err := d.verifyMAC(&pfx.MacData, authSafe); err != nil {
			return nil, err
		}
		f.MACAlgorithm = pfx.MacData.Mac.Algorithm.Algorithm
		f.MACIterations = pfx.MacData.Iterations
	}

	asDER, err := ber.ToDER(authSafe)
	if err != nil {
		return nil, malformedErr("AuthenticatedSafe", err)
	}
	var cis []contentInfo
	if err := unmarshalExact(asDER, &cis); err != nil {
		return nil, malformedErr("AuthenticatedSafe", err)
	}
	for i, ci := range cis {
		where := fmt.Sprintf("AuthenticatedSafe[%d]", i)
		var safe []byte
		switch {
		case ci.ContentType.Equal(oidData):
			if safe, err = octetContent(ci, where); err != nil {
				return nil, err
			}
		case ci.ContentType.Equal(oidEncryptedData):
			if safe, err = d.decryptData(ci, where); err != nil {
				return nil, err
			}
		default:
			return nil, &UnsupportedAlgorithmError{OID: ci.ContentType, Use: where + " content type"}
		}
		err = d.safeContents(safe, where)
		clear(safe)
		if err != nil {
			if !d.macVerified && ci.ContentType.Equal(oidEncryptedData) && errors.Is(err, ErrMalformed) {
				// Without a MAC, garbage that happened to pad correctly
				// is still most likely a wrong password.
				return nil, ErrWrongPassword
			}
			return nil, err
		}
	}
	if err := f.pair(d.bags); err != nil {
		return nil, err
	}
	return f, nil
}

// octetContent returns the OCTET STRING a data ContentInfo holds.
func octetContent(ci contentInfo, where string) ([]byte, error) {
	inner, ok := explicit0(ci.Content)
	if !ok {
		return nil, malformed(where, "content is not [0] EXPLICIT")
	}
	var b []byte
	if err := unmarshalExact(inner, &b); err != nil {
		return nil, malformedErr(where+" data", err)
	}
	return b, nil
}

func (d *decoder) verifyMAC(md *macData, authSafe []byte) error {
	newHash, ok := macHash(md.Mac.Algorithm.Algorithm)
	if !ok {
		return &UnsupportedAlgorithmError{OID: md.Mac.Algorithm.Algorithm, Use: "MAC digest"}
	}
	if err := checkIterations(md.Iterations); err != nil {
		return malformedErr("MacData", err)
	}
	if len(md.MacSalt) > maxSaltLen {
		return malformed("MacData", "salt of %d bytes", len(md.MacSalt))
	}
	if err := d.budget.spend(md.Iterations); err != nil {
		return malformedErr("MacData", err)
	}
	got := computeMAC(newHash, d.password, md.MacSalt, md.Iterations, authSafe)
	if !hmac.Equal(got, md.Mac.Digest) {
		return ErrWrongPassword
	}
	d.macVerified = true
	return nil
}

// decryptErr maps a decryption failure: bad padding means a wrong password
// unless the MAC already proved the password right.
func (d *decoder) decryptErr(where string, err error) error {
	if errors.Is(err, errBadPadding) {
		if d.macVerified {
			return malformedErr(where, err)
		}
		return ErrWrongPassword
	}
	return err
}

func (d *decoder) decryptData(ci contentInfo, where string) ([]byte, error) {
	inner, ok := explicit0(ci.Content)
	if !ok {
		return nil, malformed(where, "content is not [0] EXPLICIT")
	}
	var ed encryptedData
	if err := unmarshalExact(inner, &ed); err != nil {
		return nil, malformedErr(where+" EncryptedData", err)
	}
	eci := ed.EncryptedContentInfo
	if !eci.ContentType.Equal(oidData) {
		return nil, malformed(where, "encrypted content type %s, want data", eci.ContentType)
	}
	ct, err := implicitOctets(eci.EncryptedContent)
	if err != nil {
		return nil, malformedErr(where+" encryptedContent", err)
	}
	plain, err := decrypt(eci.ContentEncryptionAlgorithm, d.password, ct, d.budget)
	if err != nil {
		return nil, d.decryptErr(where, err)
	}
	return plain, nil
}

// implicitOctets reads encryptedContent [0] IMPLICIT OCTET STRING, which
// BER writers (NCA among them) send constructed, as OCTET STRING segments.
func implicitOctets(rv asn1.RawValue) ([]byte, error) {
	if rv.Class != asn1.ClassContextSpecific || rv.Tag != 0 {
		return nil, errors.New("missing [0] encryptedContent")
	}
	if !rv.IsCompound {
		return rv.Bytes, nil
	}
	var out []byte
	rest := rv.Bytes
	for len(rest) > 0 {
		var seg []byte
		var err error
		if rest, err = asn1.Unmarshal(rest, &seg); err != nil {
			return nil, fmt.Errorf("segment: %w", err)
		}
		out = append(out, seg...)
	}
	return out, nil
}

// safeContents decodes a BER SafeContents and collects its bags.
func (d *decoder) safeContents(data []byte, where string) error {
	der, err := ber.ToDER(data)
	if err != nil {
		return malformedErr(where+" SafeContents", err)
	}
	defer clear(der)
	var bags []safeBag
	if err := unmarshalExact(der, &bags); err != nil {
		return malformedErr(where+" SafeContents", err)
	}
	for i, sb := range bags {
		if len(d.bags) >= maxBags {
			return malformed(where, "more than %d bags", maxBags)
		}
		bw := fmt.Sprintf("%s bag %d", where, i)
		value, ok := explicit0(sb.Value)
		if !ok {
			return malformed(bw, "bag value is not [0] EXPLICIT")
		}
		var b bag
		if err := parseAttributes(&b, sb.Attributes, bw); err != nil {
			return err
		}
		switch {
		case sb.ID.Equal(oidKeyBag):
			if b.key, err = parsePrivateKey(value); err != nil {
				return fmt.Errorf("%s: %w", bw, err)
			}
		case sb.ID.Equal(oidPKCS8ShroudedKeyBag):
			if b.key, err = d.shroudedKey(value, bw); err != nil {
				return err
			}
		case sb.ID.Equal(oidCertBag):
			var cb certBag
			if err := unmarshalExact(value, &cb); err != nil {
				return malformedErr(bw+" CertBag", err)
			}
			if !cb.ID.Equal(oidX509Certificate) {
				continue // SDSI certificates: not ours to read
			}
			if b.cert, err = x509.ParseCertificate(cb.Data); err != nil {
				return malformedErr(bw+" certificate", err)
			}
		default:
			continue // CRL, secret and nested bags carry nothing we use
		}
		d.bags = append(d.bags, b)
	}
	return nil
}

func (d *decoder) shroudedKey(value []byte, where string) (crypto.Signer, error) {
	var epki encryptedPrivateKeyInfo
	if err := unmarshalExact(value, &epki); err != nil {
		return nil, malformedErr(where+" EncryptedPrivateKeyInfo", err)
	}
	plain, err := decrypt(epki.Algorithm, d.password, epki.EncryptedData, d.budget)
	if err != nil {
		return nil, d.decryptErr(where, err)
	}
	defer clear(plain)
	der, err := ber.ToDER(plain)
	if err != nil {
		if !d.macVerified {
			// Without a MAC, garbage that happened to pad correctly is
			// still most likely a wrong password.
			return nil, ErrWrongPassword
		}
		return nil, malformedErr(where+" PrivateKeyInfo", err)
	}
	defer clear(der)
	k, err := parsePrivateKey(der)
	if err != nil {
		if !d.macVerified && errors.Is(err, ErrMalformed) {
			return nil, ErrWrongPassword
		}
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return k, nil
}

// parseAttributes reads friendlyName (BMPString) and localKeyId.
func parseAttributes(b *bag, attrs []pkcs12Attribute, where string) error {
	for _, a := range attrs {
		if a.Value.Class != asn1.ClassUniversal || a.Value.Tag != asn1.TagSet {
			return malformed(where, "attribute %s values are not a SET", a.ID)
		}
		var v asn1.RawValue
		if len(a.Value.Bytes) == 0 {
			continue
		}
		if _, err := asn1.Unmarshal(a.Value.Bytes, &v); err != nil {
			return malformedErr(where+" attribute "+a.ID.String(), err)
		}
		switch {
		case a.ID.Equal(oidFriendlyName):
			if v.Tag != 30 || v.Class != asn1.ClassUniversal || len(v.Bytes)%2 != 0 {
				return malformed(where, "friendlyName is not a BMPString")
			}
			u := make([]uint16, len(v.Bytes)/2)
			for i := range u {
				u[i] = uint16(v.Bytes[2*i])<<8 | uint16(v.Bytes[2*i+1])
			}
			b.friendlyName = string(utf16.Decode(u))
		case a.ID.Equal(oidLocalKeyID):
			if v.Tag != asn1.TagOctetString || v.Class != asn1.ClassUniversal {
				return malformed(where, "localKeyId is not an OCTET STRING")
			}
			b.localKeyID = append([]byte(nil), v.Bytes...)
		}
	}
	return nil
}
