package pkcs11

import (
	"strings"

	"github.com/qoltanba/qoltanba/signer"
)

// PINState is what a token says about its user PIN; it travels to the faces
// as a value in signer.SecretRequest, never as a sentence.
type PINState = signer.PINState

// The states, re-exported for the package's callers.
const (
	PINOK         = signer.PINOK
	PINCountLow   = signer.PINCountLow
	PINFinalTry   = signer.PINFinalTry
	PINLocked     = signer.PINLocked
	PINMustChange = signer.PINMustChange
)

func pinStateOf(flags uint) PINState {
	switch {
	case flags&ckfUserPINLocked != 0:
		return PINLocked
	case flags&ckfUserPINFinalTry != 0:
		return PINFinalTry
	case flags&ckfUserPINCountLow != 0:
		return PINCountLow
	case flags&ckfUserPINToBeChanged != 0:
		return PINMustChange
	}
	return PINOK
}

// attempts describes the attempts state for an error message (English, for
// logs and the CLI; the GUI shows the state from the next SecretRequest).
func attempts(s PINState) string {
	switch s {
	case PINCountLow:
		return "few attempts left"
	case PINFinalTry:
		return "one attempt left before the token locks"
	case PINLocked:
		return "the token is now locked"
	}
	return "attempts left not reported by the token"
}

func quote(label string) string {
	return "«" + strings.TrimSpace(label) + "»"
}
