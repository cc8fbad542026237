package ui

import (
	"context"
	"errors"
	"strings"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
)

// guiTokens is the tokenBackend the GUI uses: the pkcs11 store, with the
// PIN conversation in the user's language (signer/pkcs11 speaks English to
// every front end) and a wrong PIN asked again in the same dialog, as a
// wrong key-file password is, until the user gives the right one, cancels,
// or the token locks. Each attempt shows the PIN state the token reports.
type guiTokens struct{ *pkcs11.Store }

// refuser is the dialog side of a retry: the next prompt says why.
type refuser interface{ refuse(reason string) }

func (t guiTokens) Open(ctx context.Context, uri string, ui signer.UI) (*signer.Key, error) {
	label := ""
	if u, err := pkcs11.ParseURI(uri); err == nil {
		label = u.Token
	}
	pu := &pinUI{UI: ui, token: label}
	for {
		key, err := t.Store.Open(ctx, uri, pu)
		if errors.Is(err, signer.ErrWrongPassword) && !errors.Is(err, signer.ErrPINLocked) {
			if r, ok := ui.(refuser); ok && ctx.Err() == nil {
				r.refuse(T("error.wrongPIN"))
				continue
			}
		}
		return key, err
	}
}

// pinUI translates what signer/pkcs11 says while it logs in: the prompt,
// and the PIN state messages it shows before and after an attempt.
type pinUI struct {
	signer.UI
	token string
}

// pinAsker is a UI with a PIN dialog of its own (the placeholder says PIN).
type pinAsker interface {
	requestPIN(ctx context.Context, prompt string) ([]byte, error)
}

func (p *pinUI) RequestSecret(ctx context.Context, prompt string) ([]byte, error) {
	if p.token != "" {
		prompt = T("secret.promptPIN", map[string]any{"Token": p.token})
	}
	if a, ok := p.UI.(pinAsker); ok {
		return a.requestPIN(ctx, prompt)
	}
	return p.UI.RequestSecret(ctx, prompt)
}

func (p *pinUI) DisplayMessage(ctx context.Context, message string) error {
	return p.UI.DisplayMessage(ctx, pinMessage(message, p.token))
}

// pinStateKeys are the translations of pkcs11.PINState.Message.
var pinStateKeys = []struct {
	state pkcs11.PINState
	key   string
}{
	{pkcs11.PINCountLow, "pin.countLow"},
	{pkcs11.PINFinalTry, "pin.finalTry"},
	{pkcs11.PINLocked, "pin.locked"},
	{pkcs11.PINMustChange, "pin.mustChange"},
}

// pinMessage is a message of signer/pkcs11 about a token's PIN in the
// user's language, recognised by comparing with the package's own
// sentences for this token; any other message passes as it is.
func pinMessage(message, token string) string {
	if token == "" {
		return message
	}
	for _, s := range pinStateKeys {
		if message == s.state.Message(token) {
			return T(s.key, map[string]any{"Token": token})
		}
	}
	if strings.HasSuffix(message, ": enter the PIN on the reader's keypad") {
		return T("pin.keypad")
	}
	return message
}
