package pkcs11

import (
	"context"
	"crypto"
	"errors"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/gost/streebog"
)

// gostDouble builds a double with one GOST-512 token and a Store over it.
func gostDouble(t *testing.T, name string, cfg ModuleConfig) (*double, *Store, string) {
	t.Helper()
	e := entity(t, "gost/legal_head")
	d := newDouble()
	d.addToken(1, "KAZTOKEN "+name, "1234", e.Key.(*gost.PrivateKey), e.Cert, []byte{0xAB, 0x01})
	cfg.Path = "double:" + t.Name()
	s, err := doubleStore(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	keys, err := s.TokenKeys(context.Background())
	if err != nil || len(keys) != 1 {
		t.Fatalf("TokenKeys: %v %+v", err, keys)
	}
	return d, s, keys[0].URI
}

// TestGOSTWithTestDoubleSign: GOST 34.10-2015-512 on a token through the
// default TC26 mechanism, run against the cryptoki test double because no
// module here implements GOST. The signature must verify with the
// certificate's key in NCA's byte order.
func TestGOSTWithTestDoubleSign(t *testing.T) {
	d, s, uri := gostDouble(t, "DEFAULT", ModuleConfig{})
	if !strings.Contains(uri, "id=%AB%01") {
		t.Errorf("URI %q", uri)
	}
	key, err := s.Open(context.Background(), uri, newUI("1234"))
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	msg := []byte("келісім")
	digest := streebog.Sum512(msg)
	sig, err := key.Signer.Sign(nil, digest[:], nil)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := gost.PublicKeyFromCertificate(key.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	if !gost.Verify(pub, digest[:], sig) {
		t.Fatal("GOST signature from the token does not verify in NCA byte order")
	}
	if !pub.Equal(key.Signer.Public()) {
		t.Error("Signer.Public differs from the certificate's key")
	}
	ms, err := key.Signer.(crypto.MessageSigner).SignMessage(nil, msg, nil)
	if err != nil || !gost.Verify(pub, digest[:], ms) {
		t.Fatalf("SignMessage (Streebog-512 in software): %v", err)
	}
	if len(d.signed) != 2 || d.signed[0] != ckmGOSTR3410512 {
		t.Errorf("mechanisms used %#x, want CKM_GOSTR3410_512", d.signed)
	}
	if _, err := key.Signer.Sign(nil, digest[:32], nil); err == nil {
		t.Error("a 32-byte digest was accepted for a 512-bit key")
	}
}

// TestGOSTWithTestDoubleVendorMechanism: a vendor mechanism number and a
// module that already returns NCA's order, both set per module.
func TestGOSTWithTestDoubleVendorMechanism(t *testing.T) {
	const vendor = ckmVendorDefined | 0x4B5A
	dd, s, uri := gostDouble(t, "VENDOR", ModuleConfig{GOST512Mechanism: vendor, GOSTSignatureNCAOrder: true})
	dd.gostMech, dd.ncaOrder = vendor, true
	key, err := s.Open(context.Background(), uri, newUI("1234"))
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	digest := streebog.Sum512([]byte("vendor"))
	sig, err := key.Signer.Sign(nil, digest[:], nil)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := gost.PublicKeyFromCertificate(key.Certificate)
	if !gost.Verify(pub, digest[:], sig) || dd.signed[0] != vendor {
		t.Fatalf("vendor mechanism: verify failed or mechanism %#x used", dd.signed)
	}
	// The default mechanism on such a module is refused with ErrMechanism.
	dd.gostMech = ckmGOSTR3410512 + 1
	if _, err := key.Signer.Sign(nil, digest[:], nil); !errors.Is(err, ErrMechanism) {
		t.Fatalf("unsupported mechanism: %v", err)
	}
}

// TestPINStatesWithTestDouble walks a token through count-low, final-try
// and locked (SoftHSM never locks a user PIN, so this runs on the double).
func TestPINStatesWithTestDouble(t *testing.T) {
	_, s, uri := gostDouble(t, "PIN", ModuleConfig{})
	steps := []struct {
		pin         string
		wantErr     error
		wantAlso    error
		inErr       string
		stateBefore PINState // what the request carried
		promptsWant int
	}{
		{"0000", signer.ErrWrongPassword, nil, "few attempts left", PINOK, 1},
		{"0000", signer.ErrWrongPassword, nil, "one attempt left", PINCountLow, 1},
		{"0000", signer.ErrWrongPassword, signer.ErrPINLocked, "now locked", PINFinalTry, 1},
		{"1234", signer.ErrPINLocked, nil, "unlock", PINLocked, 0}, // no prompt: locked
	}
	for i, st := range steps {
		ui := newUI(st.pin)
		_, err := s.Open(context.Background(), uri, ui)
		if !errors.Is(err, st.wantErr) || (st.wantAlso != nil && !errors.Is(err, st.wantAlso)) {
			t.Fatalf("step %d: err = %v, want %v", i, err, st.wantErr)
		}
		if !strings.Contains(err.Error(), st.inErr) {
			t.Errorf("step %d: error %q lacks %q", i, err, st.inErr)
		}
		if len(ui.requests) != st.promptsWant {
			t.Fatalf("step %d: %d prompts, want %d", i, len(ui.requests), st.promptsWant)
		}
		if st.promptsWant > 0 && ui.requests[0].PIN != st.stateBefore {
			t.Errorf("step %d: request carried PIN state %v, want %v", i, ui.requests[0].PIN, st.stateBefore)
		}
		if !ui.zeroed() {
			t.Errorf("step %d: PIN not zeroed", i)
		}
	}
}

// TestPINStateShownBeforePromptWithTestDouble: the final-try state comes
// with the request, so the user can stop before typing.
func TestPINStateShownBeforePromptWithTestDouble(t *testing.T) {
	d, s, uri := gostDouble(t, "BEFORE", ModuleConfig{})
	d.slots[1].info.Flags |= ckfUserPINFinalTry
	ui := newUI() // cancels
	_, err := s.Open(context.Background(), uri, ui)
	if !errors.Is(err, signer.ErrCancelled) {
		t.Fatalf("err = %v", err)
	}
	if len(ui.requests) != 1 || ui.requests[0].PIN != PINFinalTry {
		t.Errorf("request before the prompt: %+v", ui.requests)
	}
}

// TestRemovedAndReinsertedWithTestDouble: pulling the token during use gives
// ErrTokenRemoved; after re-insertion the key opens and signs again in the
// same process (SoftHSM cannot re-insert in-process).
func TestRemovedAndReinsertedWithTestDouble(t *testing.T) {
	d, s, uri := gostDouble(t, "PULL", ModuleConfig{})
	key, err := s.Open(context.Background(), uri, newUI("1234"))
	if err != nil {
		t.Fatal(err)
	}
	digest := streebog.Sum512([]byte("x"))
	d.pull(1)
	if _, err := key.Signer.Sign(nil, digest[:], nil); !errors.Is(err, ErrTokenRemoved) {
		t.Fatalf("sign on a pulled token: %v", err)
	}
	key.Close()
	if _, err := s.Open(context.Background(), uri, newUI("1234")); !errors.Is(err, ErrTokenNotFound) {
		t.Fatalf("open while pulled: %v", err)
	}
	d.insert(1)
	key, err = s.Open(context.Background(), uri, newUI("1234"))
	if err != nil {
		t.Fatalf("open after re-insert: %v", err)
	}
	defer key.Close()
	if _, err := key.Signer.Sign(nil, digest[:], nil); err != nil {
		t.Fatalf("sign after re-insert: %v", err)
	}
}

// TestLogoutOnCloseWithTestDouble: the last Key on a token logs out.
func TestLogoutOnCloseWithTestDouble(t *testing.T) {
	d, s, uri := gostDouble(t, "LOGOUT", ModuleConfig{})
	k1, err := s.Open(context.Background(), uri, newUI("1234"))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := s.Open(context.Background(), uri, newUI("1234"))
	if err != nil {
		t.Fatal(err)
	}
	k1.Close()
	if !d.loggedIn[1] {
		t.Fatal("closing one of two keys logged the token out")
	}
	k2.Close()
	k2.Close()
	if d.loggedIn[1] || len(d.sessions) != 0 {
		t.Fatalf("after the last Close: logged in %v, open sessions %d", d.loggedIn[1], len(d.sessions))
	}
}
