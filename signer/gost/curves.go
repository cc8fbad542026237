package gost

import (
	"math/big"
	"sync"
)

// The parameter sets, as printed (big-endian hex) in the RFCs.
//
// GOST 34.10-2015 512-bit set A: RFC 7836 appendix A.1,
// id-tc26-gost-3410-12-512-paramSetA; p = 2^512 - 569, a = -3, cofactor 1.
var params512A = curveHex{
	name: "GOST34.10-2015-512 paramSetA",
	p:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
	a:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
	b:    "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
	q:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
	x:    "3",
	y:    "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
	h:    1,
}

// GOST 34.10-2015 256-bit set A: RFC 7836 appendix A.2,
// id-tc26-gost-3410-2012-256-paramSetA. It is a twisted Edwards curve given
// in Weierstrass form: a is generic and the group has cofactor 4; q is the
// order of the generator's subgroup, the one signatures use.
var params256A = curveHex{
	name: "GOST34.10-2015-256 paramSetA",
	p:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
	a:    "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
	b:    "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
	q:    "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
	x:    "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
	y:    "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
	h:    4,
}

// GOST 34.310-2004 = GOST R 34.10-2001 on RFC 4357 section 11.4,
// id-GostR3410-2001-CryptoPro-A-ParamSet; p = 2^256 - 617, a = -3, cofactor 1.
var paramsCryptoProA = curveHex{
	name: "GOST34.310-2004 CryptoPro-A",
	p:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
	a:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
	b:    "A6",
	q:    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
	x:    "1",
	y:    "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
	h:    1,
}

var (
	curve512A       = newCurve(params512A, 64)
	curve256A       = newCurve(params256A, 32)
	curveCryptoProA = newCurve(paramsCryptoProA, 32)
)

// curveHex holds a parameter set as the standards print it.
type curveHex struct {
	name             string
	p, a, b, q, x, y string
	h                int // cofactor
}

// curveImpl is the arithmetic behind a Curve.
type curveImpl = *ecCurve

// ecCurve holds a curve's precomputed constants in limb form.
type ecCurve struct {
	cp       CurveParams
	size     int    // bytes of a coordinate / scalar
	fp       *field // coordinates, mod p
	fq       *field // scalars, mod q
	a, b, b3 fe     // Montgomery form
	aMinus3  bool   // a = -3: use the cheaper RCB algorithms 4-6
	cofactor int
	gen      point // the base point, projective Montgomery form

	baseOnce  sync.Once
	baseTable []uint64 // packed x‖y of j·2^(baseW·i)·G, window i, j = 1..basePer (basemult.go)
	baseW     int      // Booth window width of baseTable
	basePer   int      // points per window, 2^(baseW-1)

	gOddOnce sync.Once
	gOdd     []affinePoint // gOdd[i] = (2i+1)·G, for verification (verifymult.go)
}

func (c *ecCurve) params() *CurveParams {
	cp := c.cp
	return &CurveParams{
		P: new(big.Int).Set(cp.P), A: new(big.Int).Set(cp.A), B: new(big.Int).Set(cp.B),
		Q: new(big.Int).Set(cp.Q), X: new(big.Int).Set(cp.X), Y: new(big.Int).Set(cp.Y),
	}
}

func mustHex(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("gost: bad curve constant " + s) // unreachable: constants are fixed
	}
	return v
}

// newCurve builds a Curve from public parameters; size is the byte length
// of coordinates, scalars and digests.
func newCurve(h curveHex, size int) *Curve {
	c := &ecCurve{size: size, cofactor: h.h}
	c.cp = CurveParams{P: mustHex(h.p), A: mustHex(h.a), B: mustHex(h.b), Q: mustHex(h.q), X: mustHex(h.x), Y: mustHex(h.y)}
	c.fp = newField(c.cp.P)
	c.fq = newField(c.cp.Q)
	a, b := feFromBig(c.cp.A), feFromBig(c.cp.B)
	c.fp.toMont(&c.a, &a)
	c.fp.toMont(&c.b, &b)
	c.fp.add(&c.b3, &c.b, &c.b)
	c.fp.add(&c.b3, &c.b3, &c.b)
	c.aMinus3 = new(big.Int).Sub(c.cp.P, big.NewInt(3)).Cmp(c.cp.A) == 0
	x, y := feFromBig(c.cp.X), feFromBig(c.cp.Y)
	c.fp.toMont(&c.gen.x, &x)
	c.fp.toMont(&c.gen.y, &y)
	c.gen.z = c.fp.one
	return &Curve{name: h.name, size: size, impl: c}
}
