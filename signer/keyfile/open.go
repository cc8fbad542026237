package keyfile

import (
	"fmt"
	"os"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/pkcs12"
)

// Open reads the PKCS#12 file at path and returns its first key with a
// certificate. The caller zeroes password; Key.Close zeroes GOST scalars.
func Open(path string, password []byte) (*signer.Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("open key file: %w", err)
	}
	file, err := pkcs12.DecodeBytes(data, password)
	if err != nil {
		return nil, fmt.Errorf("open key file %s: %w", path, err)
	}
	for _, e := range file.Entries {
		if e.Certificate == nil {
			continue
		}
		key := e.PrivateKey
		return signer.NewKey(path, key, e.Certificate, e.Chain, func() { destroy(key) }), nil
	}
	for _, e := range file.Entries {
		destroy(e.PrivateKey)
	}
	return nil, fmt.Errorf("open key file %s: %w: no key with a certificate", path, signer.ErrNoKey)
}

// destroy forgets what it can of a private key. GOST scalars are ours to
// zero; Go's RSA and ECDSA keys keep big.Int copies that cannot be wiped.
func destroy(k any) {
	if g, ok := k.(*gost.PrivateKey); ok {
		g.Destroy()
	}
}
