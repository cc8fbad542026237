package pkcs12

import (
	"errors"
	"fmt"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/gost"
)

// Errors callers act on. Every error Decode returns is or wraps one of them,
// or is an *UnsupportedAlgorithmError.
var (
	// ErrWrongPassword: the MAC does not match, or, in a file without a MAC,
	// decryption produced invalid padding. Ask the user again.
	// It wraps signer.ErrWrongPassword, so callers of any backend test one error.
	ErrWrongPassword = fmt.Errorf("pkcs12: %w", signer.ErrWrongPassword)
	// ErrMalformed: the file is damaged or not PKCS#12. The wrapping error
	// says what is wrong and where.
	ErrMalformed = errors.New("pkcs12: malformed file")
	// ErrKeyMismatch: a private key does not belong to the certificate that
	// its localKeyId names.
	ErrKeyMismatch = errors.New("pkcs12: private key does not match its certificate")
	// ErrNoKey: the file holds no private key.
	ErrNoKey = errors.New("pkcs12: no private key in file")
)

// UnsupportedAlgorithmError names an algorithm OID (encryption, MAC, key)
// that this package does not implement. It is the gost package's type, so
// one errors.As covers GOST key parameters and PKCS#12 algorithms alike;
// errors.Is(err, gost.ErrUnsupportedAlgorithm) also matches.
type UnsupportedAlgorithmError = gost.UnsupportedAlgorithmError

// malformed wraps ErrMalformed with what is wrong and where.
func malformed(where string, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, where, fmt.Sprintf(format, args...))
}

// malformedErr wraps ErrMalformed and a cause.
func malformedErr(where string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrMalformed, where, err)
}
