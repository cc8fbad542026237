// Package signer is the signing core's small public face: a Key ready to sign,
// the KeyStore interface that PKCS#12 files and PKCS#11 tokens implement, the
// UI callbacks through which every face (CLI, GUI, NCALayer bridge) asks the
// user for a password or consent, and the errors callers act on.
//
// The formats (signer/xmldsig, signer/cms), the algorithms (signer/gost) and the
// backends (signer/pkcs12, signer/pkcs11) live in sub-packages; this package
// imports none of them.
package signer

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
)

// Errors that callers act on. Backends wrap them with context, so test with errors.Is.
var (
	// ErrWrongPassword: the password of a key file (or a token PIN) is wrong.
	ErrWrongPassword = errors.New("wrong password")
	// ErrPINLocked: the token refuses further PIN attempts.
	ErrPINLocked = errors.New("PIN locked")
	// ErrCancelled: the user declined to give a secret or a consent.
	ErrCancelled = errors.New("cancelled by the user")
	// ErrNoKey: nothing usable for signing was found where the key was named.
	ErrNoKey = errors.New("no private key")
)

// Key is a private key opened for signing, with the certificate that names its
// holder and the chain up to (but not always including) a root.
type Key struct {
	// URI names the key: a file path for PKCS#12, an RFC 7512 URI for a token.
	URI         string
	Signer      crypto.Signer
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
	// close releases what the backend holds (a session, a private scalar).
	close func()
}

// NewKey is for backends: it builds a Key whose Close runs release.
func NewKey(uri string, s crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, release func()) *Key {
	return &Key{URI: uri, Signer: s, Certificate: cert, Chain: chain, close: release}
}

// Close forgets the private key: file keys are zeroed, token sessions closed.
// It is safe to call more than once.
func (k *Key) Close() {
	if k.close != nil {
		k.close()
		k.close = nil
	}
	k.Signer = nil
}

// KeyRef describes a key that can be opened, before any secret is asked.
type KeyRef struct {
	URI   string
	Label string // what to show the user: a file name or a token object label
	// Certificate is nil when it cannot be read without a secret (PKCS#12
	// files keep their certificates encrypted).
	Certificate *x509.Certificate
}

// KeyStore is a source of keys: a folder of PKCS#12 files, a PKCS#11 token.
type KeyStore interface {
	// List returns the keys the store can open.
	List(ctx context.Context) ([]KeyRef, error)
	// Open unlocks the key named by uri, asking for its secret through ui.
	Open(ctx context.Context, uri string, ui UI) (*Key, error)
}

// UI is how the core talks to the person at the keyboard. The CLI, the GUI and
// the bridge each provide one, so that every face asks the same questions.
type UI interface {
	// RequestSecret asks for a password or PIN. The caller zeroes the result
	// when done; returning ErrCancelled aborts the operation.
	RequestSecret(ctx context.Context, prompt string) ([]byte, error)
	// Confirm asks a yes/no question, such as consent to sign a shown document.
	Confirm(ctx context.Context, prompt, yes, no string) (bool, error)
	// DisplayMessage shows information, such as the PIN attempts left.
	DisplayMessage(ctx context.Context, message string) error
}

// Zero overwrites b; use it on every buffer that held a password, PIN or key.
func Zero(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
