package enginetest

import (
	"encoding/asn1"
	"encoding/pem"
	"fmt"

	"github.com/qoltanba/qoltanba/signer/gost"
)

// The suites' curves and private keys, for the tests only: this package's
// non-test files must not import gost, whose hash packages' tests import
// this package.

var curveOf = map[string]*gost.Curve{
	"GOST34.10-2015-512-paramSetA": gost.Curve512A(),
	"GOST34.10-2015-256-paramSetA": gost.Curve256A(),
	"GOST34.310-2004-CryptoPro-A":  gost.CurveCryptoProA(),
}

func (s suite) curve() *gost.Curve { return curveOf[s.name] }

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
	return gost.NewPrivateKey(s.curve(), p.PrivateKey)
}
