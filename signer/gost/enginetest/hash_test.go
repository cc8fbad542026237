package enginetest

import (
	"github.com/qoltanba/qoltanba/signer/gost/gost341194"
	"github.com/qoltanba/qoltanba/signer/gost/streebog"
)

// hashOf is each suite's message digest in Go. It lives in a test file:
// the hash packages' own tests import this package, so its non-test
// files must not import them.
var hashOf = map[string]func([]byte) []byte{
	"GOST34.10-2015-512-paramSetA": func(m []byte) []byte { h := streebog.Sum512(m); return h[:] },
	"GOST34.10-2015-256-paramSetA": func(m []byte) []byte { h := streebog.Sum256(m); return h[:] },
	"GOST34.310-2004-CryptoPro-A": func(m []byte) []byte {
		h := gost341194.Sum(&gost341194.CryptoProParamSet, m)
		return h[:]
	},
}

func (s suite) hash(m []byte) []byte { return hashOf[s.name](m) }
