package pkcs12

import (
	"crypto/x509/pkix"
	"encoding/asn1"
)

// The ASN.1 structures of RFC 7292 and RFC 5652, in encoding/asn1 form.
// Input is converted to DER with signer/internal/ber before these parse it.

type pfxPDU struct {
	Version  int
	AuthSafe contentInfo
	MacData  macData `asn1:"optional"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"optional"` // [0] EXPLICIT, unwrapped by explicit0
}

type digestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

type macData struct {
	Mac        digestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type encryptedData struct {
	Version              int
	EncryptedContentInfo encryptedContentInfo
}

// encryptedContentInfo's EncryptedContent is [0] IMPLICIT OCTET STRING,
// primitive or (in BER files such as NCA's) constructed from segments.
type encryptedContentInfo struct {
	ContentType                asn1.ObjectIdentifier
	ContentEncryptionAlgorithm pkix.AlgorithmIdentifier
	EncryptedContent           asn1.RawValue `asn1:"optional"`
}

type safeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue     // [0] EXPLICIT, unwrapped by explicit0
	Attributes []pkcs12Attribute `asn1:"set,optional"`
}

type pkcs12Attribute struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue // SET OF AttributeValue
}

type certBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

// explicit0 returns the contents of a [0] EXPLICIT wrapper. encoding/asn1
// ignores tag parameters on RawValue fields when marshalling, so both
// directions handle the wrapper by hand.
func explicit0(rv asn1.RawValue) ([]byte, bool) {
	if rv.Class != asn1.ClassContextSpecific || rv.Tag != 0 || !rv.IsCompound {
		return nil, false
	}
	return rv.Bytes, true
}

// wrap0 builds a [0] EXPLICIT wrapper around DER.
func wrap0(der []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
}
