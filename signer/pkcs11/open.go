package pkcs11

import (
	"context"
	"errors"
	"fmt"

	"github.com/qoltanba/qoltanba/signer"
)

// Open implements signer.KeyStore: it finds the token the URI names, asks
// for its PIN through ui (showing the PIN state first), logs in and returns a
// Key whose Signer signs on the token. Key.Close logs out and closes the
// session; the PIN is zeroed as soon as C_Login returns.
func (s *Store) Open(ctx context.Context, uri string, ui signer.UI) (*signer.Key, error) {
	u, err := ParseURI(uri)
	if err != nil {
		return nil, err
	}
	if u.PINValue != "" {
		return nil, fmt.Errorf("%w: pin-value in a URI lands in shell history and logs: give the PIN when asked, or with --pin-stdin/--pin-file", ErrBadURI)
	}
	if u.Type != "" && u.Type != "private" && u.Type != "cert" {
		return nil, fmt.Errorf("%w: type=%s does not name a signing key", ErrBadURI, u.Type)
	}
	t, err := s.find(u)
	if err != nil {
		return nil, err
	}
	return t.open(ctx, u, ui)
}

func (t Token) open(ctx context.Context, u *URI, ui signer.UI) (*signer.Key, error) {
	m := t.Module
	ts := m.token(t)
	ts.mu.Lock()
	defer ts.mu.Unlock()

	session, err := m.ck.OpenSession(t.Slot)
	if err != nil {
		return nil, t.wrap("open session", err)
	}
	keep := false
	defer func() {
		if !keep {
			m.ck.CloseSession(session)
		}
	}()
	// Before asking for a PIN, make sure the URI names something here: no
	// point in spending one of the user's attempts on a typo.
	objs, err := scan(m.ck, session)
	if err != nil {
		return nil, t.wrap("list objects", err)
	}
	loose := *u
	loose.Type = "" // private keys are usually hidden until login
	named := selectPairs(objs.pairs(), &loose)
	if len(named) == 0 {
		return nil, fmt.Errorf("token %s: %w: nothing matches %s", t, signer.ErrNoKey, u)
	}
	ref := t.keyRef(named[0])
	if err := t.login(ctx, ts, session, ui, ref); err != nil {
		return nil, err
	}
	loggedIn := true
	defer func() {
		if !keep && loggedIn {
			t.logout(ts, session)
		}
	}()
	if objs, err = scan(m.ck, session); err != nil {
		return nil, t.wrap("list objects after login", err)
	}
	sel := selectPairs(objs.pairs(), u)
	var withKey []pair
	for _, p := range sel {
		if p.priv != nil {
			withKey = append(withKey, p)
		}
	}
	switch {
	case len(withKey) == 0:
		return nil, fmt.Errorf("token %s: %w: %s names a certificate whose private key is not on the token", t, signer.ErrNoKey, u)
	case len(withKey) > 1:
		return nil, fmt.Errorf("token %s: %d keys match %s: add id= to the URI", t, len(withKey), u)
	}
	p := withKey[0]
	if p.cert == nil {
		return nil, fmt.Errorf("token %s: key %q (id %X): %w: import the certificate NCA issued for it with the token vendor's tool, with the same ID", t, p.label(), p.id(), ErrNoCertificate)
	}
	k, err := newTokenSigner(t, ts, session, p)
	if err != nil {
		return nil, err
	}
	keep = true
	return signer.NewKey(t.keyURI(p).String(), k, p.cert.cert, nil, k.close), nil
}

// selectPairs keeps the pairs the URI's object attributes name: the
// certificate's ID and label or the private key's, as type= says.
func selectPairs(all []pair, u *URI) []pair {
	var out []pair
	for _, p := range all {
		certOK := p.cert != nil && u.matchesObject(p.cert.label, p.cert.id)
		keyOK := false
		for _, o := range []*object{p.priv, p.pub} {
			keyOK = keyOK || (o != nil && u.matchesObject(o.label, o.id))
		}
		switch {
		case u.Type == "cert" && certOK, u.Type == "private" && keyOK, u.Type == "" && (certOK || keyOK):
			out = append(out, p)
		}
	}
	return out
}

// login asks for the PIN and logs the user in; ts.mu is held. The PIN state
// the token reports (count low, final try) travels in the request, so every
// face shows it before the user types; a locked token is not asked at all.
func (t Token) login(ctx context.Context, ts *tokenState, session uint, ui signer.UI, ref signer.KeyRef) error {
	t = t.refresh()
	if t.PIN == PINLocked {
		return fmt.Errorf("token %s: %w: unlock it with the administrator (SO) PIN in the token vendor's tool or at the issuing centre", t, signer.ErrPINLocked)
	}
	req := signer.SecretRequest{Kind: signer.SecretPIN, Key: ref, PIN: t.PIN, Attempt: 1}
	if t.flags&ckfProtectedAuthPath != 0 {
		req.Kind = signer.SecretKeypad
	}
	pin, err := ui.RequestSecret(ctx, req)
	if err != nil {
		signer.Zero(pin)
		return err
	}
	if req.Kind == signer.SecretKeypad {
		signer.Zero(pin)
		pin = nil // C_Login with no PIN: the reader asks on its keypad
	}
	err = t.Module.ck.Login(session, pin)
	signer.Zero(pin)
	switch {
	case err == nil, isRV(err, ckrUserAlreadyLoggedIn):
		// Already logged in: another Key of this process holds the token
		// open (PKCS#11 login state is per token and application).
		ts.logins++
		return nil
	case isRV(err, ckrPINIncorrect, ckrPINInvalid, ckrPINLenRange):
		after := t.refresh()
		if after.PIN == PINLocked {
			return fmt.Errorf("token %s: wrong PIN, %s: %w", t, attempts(after.PIN), errors.Join(signer.ErrWrongPassword, signer.ErrPINLocked))
		}
		return fmt.Errorf("token %s: wrong PIN (%s): %w", t, attempts(after.PIN), signer.ErrWrongPassword)
	case isRV(err, ckrPINLocked):
		return fmt.Errorf("token %s: %w", t, signer.ErrPINLocked)
	case isRV(err, ckrUserPINNotInitialized):
		return fmt.Errorf("token %s: the user PIN was never set: initialise it with the token vendor's tool: %w", t, err)
	}
	return t.wrap("log in", err)
}

// logout drops one login; the last one logs the token out. ts.mu is held.
func (t Token) logout(ts *tokenState, session uint) {
	ts.logins--
	if ts.logins <= 0 {
		ts.logins = 0
		_ = t.Module.ck.Logout(session)
	}
}
