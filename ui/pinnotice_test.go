package ui

import (
	"errors"
	"fmt"
	"testing"

	"github.com/qoltanba/qoltanba/signer"
)

// TestPINNotices: the PIN state a token reports travels as a value in the
// secret request and reaches the user in their language.
func TestPINNotices(t *testing.T) {
	SetLanguage("ru")
	defer SetLanguage("")
	const token = "Kaztoken 1"
	args := map[string]any{"Token": token}
	key := signer.KeyRef{Token: token}
	cases := []struct {
		req  signer.SecretRequest
		want string
	}{
		{signer.SecretRequest{Kind: signer.SecretPIN, Key: key, PIN: signer.PINCountLow}, T("pin.countLow", args)},
		{signer.SecretRequest{Kind: signer.SecretPIN, Key: key, PIN: signer.PINFinalTry}, T("pin.finalTry", args)},
		{signer.SecretRequest{Kind: signer.SecretPIN, Key: key, PIN: signer.PINMustChange}, T("pin.mustChange", args)},
		{signer.SecretRequest{Kind: signer.SecretKeypad, Key: key}, T("pin.keypad")},
		{signer.SecretRequest{Kind: signer.SecretPIN, Key: key}, ""},
	}
	for _, c := range cases {
		if got := pinNotice(c.req); got != c.want {
			t.Errorf("pinNotice(%+v) = %q, want %q", c.req, got, c.want)
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
