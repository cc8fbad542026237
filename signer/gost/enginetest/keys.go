package enginetest

import (
	"encoding/asn1"
	"encoding/pem"
	"fmt"

	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/gost/gost341194"
	"github.com/qoltanba/qoltanba/signer/gost/streebog"
)

// suite describes one curve as the engine names it.
type suite struct {
	name      string
	curve     *gost.Curve
	algorithm asn1.ObjectIdentifier // public key algorithm
	paramSet  asn1.ObjectIdentifier
	digestOID asn1.ObjectIdentifier // nil when the engine omits it
	genArgs   []string              // openssl genpkey -algorithm … -pkeyopt …
	md        string                // openssl dgst digest for message signatures
	hash      func([]byte) []byte   // the same digest in Go
}

var suites = []suite{
	{
		name:      "GOST34.10-2015-512-paramSetA",
		curve:     gost.Curve512A(),
		algorithm: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2},
		paramSet:  asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1},
		digestOID: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3},
		genArgs:   []string{"-algorithm", "gost2012_512", "-pkeyopt", "paramset:A"},
		md:        "md_gost12_512",
		hash:      func(m []byte) []byte { h := streebog.Sum512(m); return h[:] },
	},
	{
		name:      "GOST34.10-2015-256-paramSetA",
		curve:     gost.Curve256A(),
		algorithm: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1},
		paramSet:  asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 1},
		genArgs:   []string{"-algorithm", "gost2012_256", "-pkeyopt", "paramset:TCA"},
		md:        "md_gost12_256",
		hash:      func(m []byte) []byte { h := streebog.Sum256(m); return h[:] },
	},
	{
		name:      "GOST34.310-2004-CryptoPro-A",
		curve:     gost.CurveCryptoProA(),
		algorithm: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 19},
		paramSet:  asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1},
		digestOID: asn1.ObjectIdentifier{1, 2, 643, 2, 2, 30, 1},
		genArgs:   []string{"-algorithm", "gost2001", "-pkeyopt", "paramset:A"},
		md:        "md_gost94",
		hash: func(m []byte) []byte {
			h := gost341194.Sum(&gost341194.CryptoProParamSet, m)
			return h[:]
		},
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

// privatePEM encodes k as the engine's PKCS#8: an OCTET STRING holding the
// little-endian scalar.
func (s suite) privatePEM(k *gost.PrivateKey) ([]byte, error) {
	d := k.Bytes()
	defer clear(d)
	der, err := asn1.Marshal(pkcs8{0, s.algID(), d})
	if err != nil {
		return nil, fmt.Errorf("marshal pkcs8: %w", err)
	}
	defer clear(der)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// publicDER encodes pub as SubjectPublicKeyInfo: the BIT STRING holds an
// OCTET STRING with x‖y little-endian (RFC 4491, and KZ certificates).
func (s suite) publicDER(pub *gost.PublicKey) ([]byte, error) {
	inner, err := asn1.Marshal(pub.Bytes())
	if err != nil {
		return nil, fmt.Errorf("marshal public key octets: %w", err)
	}
	der, err := asn1.Marshal(spki{s.algID(), asn1.BitString{Bytes: inner, BitLength: 8 * len(inner)}})
	if err != nil {
		return nil, fmt.Errorf("marshal spki: %w", err)
	}
	return der, nil
}

func (s suite) publicPEM(pub *gost.PublicKey) ([]byte, error) {
	der, err := s.publicDER(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// parsePrivatePEM decodes an engine-written PKCS#8 key of this suite.
func (s suite) parsePrivatePEM(data []byte) (*gost.PrivateKey, error) {
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("no PRIVATE KEY PEM block")
	}
	var p pkcs8
	if rest, err := asn1.Unmarshal(blk.Bytes, &p); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("parse pkcs8: %v (trailing %d)", err, len(rest))
	}
	if !p.Algorithm.Algorithm.Equal(s.algorithm) || !p.Algorithm.Parameters.ParamSet.Equal(s.paramSet) {
		return nil, fmt.Errorf("unexpected algorithm %v params %v", p.Algorithm.Algorithm, p.Algorithm.Parameters.ParamSet)
	}
	defer clear(p.PrivateKey)
	return gost.NewPrivateKey(s.curve, p.PrivateKey)
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
