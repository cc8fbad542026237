package testpki

import (
	"fmt"

	"github.com/qoltanba/qoltanba/signer/pkcs12"
)

// encodeP12 writes e's key and certificate in NCA's PKCS#12 layout. Like
// NCA's files it holds the leaf certificate only; the CA certificates are
// separate .cer files.
func encodeP12(opts Options, e *Entity) ([]byte, error) {
	der, err := pkcs12.Encode(e.Key, e.Cert, nil, opts.Password, &pkcs12.Options{Layout: pkcs12.LegacyNCA, Rand: opts.Rand})
	if err != nil {
		return nil, fmt.Errorf("encode PKCS#12: %w", err)
	}
	return der, nil
}
