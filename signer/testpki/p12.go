package testpki

import (
	"crypto"
	"crypto/x509"
	"fmt"

	"github.com/qoltanba/qoltanba/signer/pkcs12"
)

// encodeP12 writes a key and its certificate in NCA's PKCS#12 layout. Like
// NCA's files it holds the leaf certificate only; the CA certificates are
// separate .cer files.
func encodeP12(opts Options, key crypto.Signer, cert *x509.Certificate) ([]byte, error) {
	der, err := pkcs12.Encode(key, cert, nil, opts.Password, &pkcs12.Options{Layout: pkcs12.LegacyNCA, Rand: opts.Rand})
	if err != nil {
		return nil, fmt.Errorf("encode PKCS#12: %w", err)
	}
	return der, nil
}
