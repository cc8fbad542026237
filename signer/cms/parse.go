package cms

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"

	"github.com/qoltanba/qoltanba/signer/internal/ber"
)

// MaxSize is the largest CMS Parse accepts (attached content included).
const MaxSize = 64 << 20

// Limits on untrusted input beyond the size.
const (
	maxSigners = 256
	maxCerts   = 256
	maxAttrs   = 64
)

// signedData is a parsed SignedData that keeps every part's DER, so that
// co-signing and timestamping rewrite only what they change.
type signedData struct {
	version     int
	digestAlgs  [][]byte // AlgorithmIdentifier DER
	contentType asn1.ObjectIdentifier
	content     []byte // eContent's octets; nil when detached
	attached    bool
	certs       [][]byte // CertificateChoices DER, as found
	crls        []byte   // the whole [1] field, or nil
	signers     [][]byte // SignerInfo DER
	parsedCerts []*x509.Certificate
}

type rawContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

type rawSignedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo rawEncap
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      asn1.RawValue
}

type rawEncap struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

// signerInfo is a parsed SignerInfo.
type signerInfo struct {
	raw             []byte
	version         int
	sid             asn1.RawValue
	digestAlg       pkix.AlgorithmIdentifier
	signedAttrsRaw  []byte // the [0] field's DER, nil if absent
	signedAttrs     []attr
	sigAlg          pkix.AlgorithmIdentifier
	signature       []byte
	unsignedAttrs   []attr
	fieldsBeforeUAt [][]byte // every field's DER but unsignedAttrs, for rewriting
}

type attr struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue
	raw    []byte
}

type rawAttr struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

type rawSignerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// parse reads a CMS ContentInfo holding SignedData, in BER or DER.
func parse(input []byte) (*signedData, error) {
	if len(input) == 0 {
		return nil, malformed("empty input")
	}
	if len(input) > MaxSize {
		return nil, malformed("%d bytes, more than the %d accepted", len(input), MaxSize)
	}
	der, err := ber.Limits{MaxSize: MaxSize}.ToDER(input)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var ci rawContentInfo
	rest, err := asn1.Unmarshal(der, &ci)
	if err != nil {
		return nil, malformed("content info: %v", err)
	}
	if len(rest) > 0 {
		return nil, malformed("%d bytes after the content info", len(rest))
	}
	if !ci.ContentType.Equal(OIDSignedData) {
		return nil, malformed("content type %s is not signed data", ci.ContentType)
	}
	var raw rawSignedData
	if rest, err = asn1.Unmarshal(ci.Content.Bytes, &raw); err != nil {
		return nil, malformed("signed data: %v", err)
	} else if len(rest) > 0 {
		return nil, malformed("bytes after signed data")
	}
	sd := &signedData{version: raw.Version, contentType: raw.EncapContentInfo.EContentType}
	if raw.DigestAlgorithms.Tag != asn1.TagSet || raw.SignerInfos.Tag != asn1.TagSet {
		return nil, malformed("digest algorithms or signer infos are not a SET")
	}
	if sd.digestAlgs, err = elements(raw.DigestAlgorithms.Bytes, maxSigners); err != nil {
		return nil, malformed("digest algorithms: %v", err)
	}
	if e := raw.EncapContentInfo.EContent; len(e.FullBytes) > 0 {
		if rest, err := asn1.Unmarshal(e.Bytes, &sd.content); err != nil || len(rest) > 0 {
			return nil, malformed("encapsulated content is not an OCTET STRING")
		}
		if sd.content == nil {
			sd.content = []byte{}
		}
		sd.attached = true
	}
	if len(raw.Certificates.FullBytes) > 0 {
		if sd.certs, err = elements(raw.Certificates.Bytes, maxCerts); err != nil {
			return nil, malformed("certificates: %v", err)
		}
		for _, c := range sd.certs {
			// Other CertificateChoices (attribute certificates, [n]-tagged)
			// are kept but not parsed; an unparseable certificate is
			// skipped: the signer's is then reported missing.
			if len(c) > 0 && c[0] == tagSequence {
				if cert, err := x509.ParseCertificate(c); err == nil {
					sd.parsedCerts = append(sd.parsedCerts, cert)
				}
			}
		}
	}
	if len(raw.CRLs.FullBytes) > 0 {
		sd.crls = raw.CRLs.FullBytes
	}
	if sd.signers, err = elements(raw.SignerInfos.Bytes, maxSigners); err != nil {
		return nil, malformed("signer infos: %v", err)
	}
	return sd, nil
}

// elements splits the content of a SET or SEQUENCE OF into its elements' DER.
func elements(b []byte, limit int) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(out) == limit {
			return nil, fmt.Errorf("more than %d elements", limit)
		}
		var e asn1.RawValue
		rest, err := asn1.Unmarshal(b, &e)
		if err != nil {
			return nil, err
		}
		out = append(out, e.FullBytes)
		b = rest
	}
	return out, nil
}

// parseSignerInfo reads one SignerInfo.
func parseSignerInfo(der []byte) (*signerInfo, error) {
	var raw rawSignerInfo
	rest, err := asn1.Unmarshal(der, &raw)
	if err != nil {
		return nil, malformed("signer info: %v", err)
	}
	if len(rest) > 0 {
		return nil, malformed("bytes after signer info")
	}
	si := &signerInfo{
		raw: der, version: raw.Version, sid: raw.SID, digestAlg: raw.DigestAlgorithm,
		sigAlg: raw.SignatureAlgorithm, signature: raw.Signature,
	}
	if len(raw.SignedAttrs.FullBytes) > 0 {
		si.signedAttrsRaw = raw.SignedAttrs.FullBytes
		if si.signedAttrs, err = parseAttrs(raw.SignedAttrs.Bytes); err != nil {
			return nil, malformed("signed attributes: %v", err)
		}
	}
	if len(raw.UnsignedAttrs.FullBytes) > 0 {
		if si.unsignedAttrs, err = parseAttrs(raw.UnsignedAttrs.Bytes); err != nil {
			return nil, malformed("unsigned attributes: %v", err)
		}
	}
	// Keep the fields before unsignedAttrs verbatim for rewriting.
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(der, &outer); err != nil {
		return nil, malformed("signer info: %v", err)
	}
	fields, err := elements(outer.Bytes, 8)
	if err != nil {
		return nil, malformed("signer info fields: %v", err)
	}
	if len(raw.UnsignedAttrs.FullBytes) > 0 {
		fields = fields[:len(fields)-1]
	}
	si.fieldsBeforeUAt = fields
	return si, nil
}

func parseAttrs(b []byte) ([]attr, error) {
	elems, err := elements(b, maxAttrs)
	if err != nil {
		return nil, err
	}
	attrs := make([]attr, 0, len(elems))
	for _, e := range elems {
		var a rawAttr
		if rest, err := asn1.Unmarshal(e, &a); err != nil || len(rest) > 0 {
			return nil, fmt.Errorf("attribute: %v", err)
		}
		attrs = append(attrs, attr{Type: a.Type, Values: a.Values, raw: e})
	}
	return attrs, nil
}

// find returns the values of the attribute of type oid, and how many
// attributes of that type there were.
func find(attrs []attr, oid asn1.ObjectIdentifier) (values []asn1.RawValue, count int) {
	for _, a := range attrs {
		if a.Type.Equal(oid) {
			if count == 0 {
				values = a.Values
			}
			count++
		}
	}
	return values, count
}

// issuerAndSerial is the SignerIdentifier's first choice.
type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}
