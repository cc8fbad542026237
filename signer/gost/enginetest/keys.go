package enginetest

import (
	"encoding/asn1"
	"encoding/pem"
	"fmt"
)

// suite describes one curve as the engine names it.
type suite struct {
	name      string
	algorithm asn1.ObjectIdentifier // public key algorithm
	paramSet  asn1.ObjectIdentifier
	digestOID asn1.ObjectIdentifier // nil when the engine omits it
	genArgs   []string              // openssl genpkey -algorithm … -pkeyopt …
	md        string                // openssl dgst digest for message signatures
}

var suites = []suite{
	{
		name:      "GOST34.10-2015-512-paramSetA",
		algorithm: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2},
		paramSet:  asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1},
		digestOID: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3},
		genArgs:   []string{"-algorithm", "gost2012_512", "-pkeyopt", "paramset:A"},
		md:        "md_gost12_512",
	},
	{
		name:      "GOST34.10-2015-256-paramSetA",
		algorithm: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1},
		paramSet:  asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 1},
		genArgs:   []string{"-algorithm", "gost2012_256", "-pkeyopt", "paramset:TCA"},
		md:        "md_gost12_256",
	},
	{
		name:      "GOST34.310-2004-CryptoPro-A",
		algorithm: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19},
		paramSet:  asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1},
		digestOID: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 30, 1},
		genArgs:   []string{"-algorithm", "gost2001", "-pkeyopt", "paramset:A"},
		md:        "md_gost94",
	},
}

type keyParams struct {
	ParamSet asn1.ObjectIdentifier
	Digest   asn1.ObjectIdentifier `asn1:"optional"`
}

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters keyParams
}

type pkcs8 struct {
	Version    int
	Algorithm  algorithmIdentifier
	PrivateKey []byte
}

type spki struct {
	Algorithm algorithmIdentifier
	PublicKey asn1.BitString
}

func (s suite) algID() algorithmIdentifier {
	return algorithmIdentifier{s.algorithm, keyParams{s.paramSet, s.digestOID}}
}

// publicDER encodes a public key (x‖y little-endian, gost.PublicKey's
// Bytes) as SubjectPublicKeyInfo: the BIT STRING holds an OCTET STRING
// with x‖y (RFC 4491, and KZ certificates).
func (s suite) publicDER(xy []byte) ([]byte, error) {
	inner, err := asn1.Marshal(xy)
	if err != nil {
		return nil, fmt.Errorf("marshal public key octets: %w", err)
	}
	der, err := asn1.Marshal(spki{s.algID(), asn1.BitString{Bytes: inner, BitLength: 8 * len(inner)}})
	if err != nil {
		return nil, fmt.Errorf("marshal spki: %w", err)
	}
	return der, nil
}

func (s suite) publicPEM(xy []byte) ([]byte, error) {
	der, err := s.publicDER(xy)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// parsePublicPEM decodes an SPKI PEM of this suite into x‖y little-endian.
func (s suite) parsePublicPEM(data []byte) ([]byte, error) {
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("no PUBLIC KEY PEM block")
	}
	var p spki
	if rest, err := asn1.Unmarshal(blk.Bytes, &p); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("parse spki: %v (trailing %d)", err, len(rest))
	}
	var xy []byte
	if rest, err := asn1.Unmarshal(p.PublicKey.Bytes, &xy); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("parse public key octets: %v (trailing %d)", err, len(rest))
	}
	return xy, nil
}
