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

// KeyRef describes a key before any secret is asked: the one description of
// a key that the registry, the faces and the prompts share.
type KeyRef struct {
	// URI names the key: a file path for PKCS#12, an RFC 7512 URI for a token.
	URI   string
	Label string // what to show the user: a file name or a token object label
	// Token is the label of the token the key lives on; empty for key files.
	Token string
	// Certificate is nil when it cannot be read without a secret (PKCS#12
	// files keep their certificates encrypted, unless a .cer lies beside them).
	Certificate *x509.Certificate
}

// OnToken reports whether the key lives on a hardware token (a PIN unlocks it).
func (r KeyRef) OnToken() bool { return r.Token != "" }

// KeyStore is a source of keys: a folder of PKCS#12 files, a PKCS#11 token.
type KeyStore interface {
	// List returns the keys the store can open.
	List(ctx context.Context) ([]KeyRef, error)
	// Open unlocks the key named by uri, asking for its secret through ui
	// once; a wrong secret is returned as ErrWrongPassword (the caller
	// decides whether to ask again).
	Open(ctx context.Context, uri string, ui UI) (*Key, error)
}

// UI is how the core talks to the person at the keyboard. The CLI, the GUI,
// the bridge and scripted tests each provide one, so that every face asks the
// same typed questions and shows the same facts; nothing is a sentence to be
// parsed or translated back.
type UI interface {
	// RequestSecret asks for a password or PIN. The caller zeroes the result
	// when done; returning ErrCancelled aborts the operation.
	RequestSecret(ctx context.Context, req SecretRequest) ([]byte, error)
	// Consent shows what is about to be signed, for whom and with which key,
	// before any secret is asked. nil goes ahead; ErrCancelled declines.
	Consent(ctx context.Context, c Consent) error
}

// Zero overwrites b; use it on every buffer that held a password, PIN or key.
func Zero(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
