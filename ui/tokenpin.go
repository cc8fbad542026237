package ui

import (
	"context"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
)

// guiTokens is the tokenBackend the GUI uses: the pkcs11 store. Asking for
// the PIN again after a wrong one is the core's key registry's job; the
// PIN state travels in each signer.SecretRequest and the dialog shows it in
// the user's language.
type guiTokens struct{ *pkcs11.Store }

func (t guiTokens) Open(ctx context.Context, uri string, ui signer.UI) (*signer.Key, error) {
	return t.Store.Open(ctx, uri, ui)
}
