package ui

import (
	"errors"
	"fmt"
	"testing"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
)

// TestPINMessages: what signer/pkcs11 says about a token's PIN reaches the
// user in their language; other messages pass unchanged.
func TestPINMessages(t *testing.T) {
	SetLanguage("ru")
	defer SetLanguage("")
	const token = "Kaztoken 1"
	args := map[string]any{"Token": token}
	cases := []struct{ in, want string }{
		{pkcs11.PINCountLow.Message(token), T("pin.countLow", args)},
		{pkcs11.PINFinalTry.Message(token), T("pin.finalTry", args)},
		{pkcs11.PINLocked.Message(token), T("pin.locked", args)},
		{pkcs11.PINMustChange.Message(token), T("pin.mustChange", args)},
		{"token «" + token + "»: enter the PIN on the reader's keypad", T("pin.keypad")},
		{pkcs11.PINCountLow.Message("another token"), pkcs11.PINCountLow.Message("another token")},
		{"something else", "something else"},
	}
	for _, c := range cases {
		if got := pinMessage(c.in, token); got != c.want {
			t.Errorf("pinMessage(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestKeyErrorTextLockedFirst: the wrong PIN that locked the token says
// "locked", the thing to act on.
func TestKeyErrorTextLockedFirst(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("token: wrong PIN: %w", errors.Join(signer.ErrWrongPassword, signer.ErrPINLocked)), T("error.pinLocked")},
		{fmt.Errorf("token: wrong PIN: %w", signer.ErrWrongPassword), T("error.wrongPassword")},
		{signer.ErrPINLocked, T("error.pinLocked")},
	}
	for _, c := range cases {
		if got := keyErrorText(c.err); got != c.want {
			t.Errorf("keyErrorText(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
