package pkcs11

import "strings"

// PINState is what a token says about its user PIN (CK_TOKEN_INFO flags).
// Tokens report no attempt counts through PKCS#11, only these three stages.
type PINState int

// The states, from the least to the most alarming.
const (
	PINOK         PINState = iota
	PINCountLow            // a wrong PIN was entered since the last good one
	PINFinalTry            // one more wrong PIN locks the token
	PINLocked              // the token refuses the user PIN
	PINMustChange          // the PIN is the initial one or expired: change it with the vendor tool
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

// Message is the sentence shown to the user before the PIN prompt and after a
// wrong PIN; empty for PINOK.
func (s PINState) Message(token string) string {
	switch s {
	case PINCountLow:
		return "token " + quote(token) + ": a wrong PIN was entered before; few attempts are left before the token locks"
	case PINFinalTry:
		return "token " + quote(token) + ": LAST ATTEMPT — one more wrong PIN locks the token"
	case PINLocked:
		return "token " + quote(token) + ": the PIN is locked; unlock it with the administrator (SO) PIN in the token vendor's tool or at the issuing centre"
	case PINMustChange:
		return "token " + quote(token) + ": the PIN must be changed before use; change it in the token vendor's tool"
	}
	return ""
}

// attempts describes the attempts state for an error message.
func (s PINState) attempts() string {
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

func (s PINState) String() string {
	return [...]string{"ok", "count-low", "final-try", "locked", "must-change"}[min(int(s), 4)]
}

func quote(label string) string {
	return "«" + strings.TrimSpace(label) + "»"
}
