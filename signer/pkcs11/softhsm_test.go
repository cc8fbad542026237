//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/qoltanba/qoltanba/signer"
)

func TestSoftHSMTokens(t *testing.T) {
	h := softHSM(t)
	ts, err := h.store.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]Token{}
	for _, tok := range ts {
		labels[tok.Label] = tok
	}
	for _, l := range []string{h.main, h.nocert, h.wrongpin} {
		tok, ok := labels[l]
		if !ok {
			t.Fatalf("token %q not listed; got %v", l, ts)
		}
		if tok.Manufacturer != "SoftHSM project" || tok.Model != "SoftHSM v2" || tok.Serial == "" {
			t.Errorf("token %q: manufacturer %q model %q serial %q", l, tok.Manufacturer, tok.Model, tok.Serial)
		}
	}
	if h.module.Info.Manufacturer != "SoftHSM" {
		t.Errorf("library manufacturer %q", h.module.Info.Manufacturer)
	}
}

// keysOn lists the keys of one token by label.
func keysOn(t *testing.T, h *hsm, label string) []TokenKey {
	t.Helper()
	all, err := h.store.TokenKeys(context.Background())
	if err != nil { // other tests pull tokens: unreadable slots are reported here
		t.Logf("TokenKeys: %v", err)
	}
	var out []TokenKey
	for _, k := range all {
		if k.Token.Label == label {
			out = append(out, k)
		}
	}
	return out
}

func TestSoftHSMListKeys(t *testing.T) {
	h := softHSM(t)
	keys := keysOn(t, h, h.main)
	byLabel := map[string]TokenKey{}
	for _, k := range keys {
		byLabel[k.Label] = k
		if k.Certificate == nil {
			t.Errorf("key %q listed without its certificate", k.Label)
		}
		u, err := ParseURI(k.URI)
		if err != nil {
			t.Fatalf("listed URI %q does not parse: %v", k.URI, err)
		}
		if u.Token != h.main || u.ModulePath != softhsmModule || u.Serial == "" {
			t.Errorf("URI %q lacks token, serial or module-path", k.URI)
		}
	}
	if len(keys) != 3 {
		t.Fatalf("main token: %d keys, want 3: %+v", len(keys), keys)
	}
	if !strings.Contains(byLabel["head-rsa"].URI, ";id=%01") {
		t.Errorf("RSA key URI %q lacks id=%%01", byLabel["head-rsa"].URI)
	}
	if !strings.Contains(byLabel["head-p256"].URI, ";id=%02%A5") {
		t.Errorf("P-256 key URI %q lacks id=%%02%%A5", byLabel["head-p256"].URI)
	}
	if !strings.Contains(byLabel["individual certificate"].URI, "object=individual%20certificate") {
		t.Errorf("ID-less key URI %q lacks its object label", byLabel["individual certificate"].URI)
	}
	orphan := keysOn(t, h, h.nocert)
	if len(orphan) != 1 || orphan[0].Certificate != nil || orphan[0].Label != "orphan" {
		t.Fatalf("nocert token: %+v, want one key without certificate", orphan)
	}
	// signer.KeyStore's List gives the same refs.
	refs, err := h.store.List(context.Background())
	if err != nil || len(refs) < 5 {
		t.Fatalf("List: %d refs, %v", len(refs), err)
	}
}

// openKey opens the key labelled label on the main token.
func openKey(t *testing.T, h *hsm, token, label string, ui signer.UI) *signer.Key {
	t.Helper()
	for _, k := range keysOn(t, h, token) {
		if k.Label == label {
			key, err := h.store.Open(context.Background(), k.URI, ui)
			if err != nil {
				t.Fatalf("Open(%s): %v", k.URI, err)
			}
			return key
		}
	}
	t.Fatalf("no key %q on %q", label, token)
	return nil
}

func TestSoftHSMSign(t *testing.T) {
	h := softHSM(t)
	msg := []byte("Договор оферты: принимаю условия. Келісім шартын қабылдаймын.")
	digest := sha256.Sum256(msg)
	for _, label := range []string{"head-rsa", "head-p256", "individual certificate"} {
		t.Run(label, func(t *testing.T) {
			ui := newUI(userPIN)
			key := openKey(t, h, h.main, label, ui)
			defer key.Close()
			if !ui.zeroed() {
				t.Error("the PIN was not zeroed after login")
			}
			if len(ui.requests) != 1 || ui.requests[0].Kind != signer.SecretPIN || ui.requests[0].Key.Token != h.main || ui.requests[0].Key.URI == "" {
				t.Errorf("requests %+v", ui.requests)
			}
			sig, err := key.Signer.Sign(nil, digest[:], crypto.SHA256)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			verify(t, key.Certificate, digest[:], sig)
			// Certificates and signatures: CheckSignature is what CMS and
			// XMLDSig verification calls in the end.
			algo := map[bool]x509.SignatureAlgorithm{true: x509.SHA256WithRSA, false: x509.ECDSAWithSHA256}[isRSA(key.Certificate)]
			if err := key.Certificate.CheckSignature(algo, msg, sig); err != nil {
				t.Errorf("CheckSignature: %v", err)
			}
			// crypto.MessageSigner: RSA uses CKM_SHA256_RSA_PKCS on the token.
			ms := key.Signer.(crypto.MessageSigner)
			sig2, err := ms.SignMessage(nil, msg, crypto.SHA256)
			if err != nil {
				t.Fatalf("SignMessage: %v", err)
			}
			verify(t, key.Certificate, digest[:], sig2)
			if isRSA(key.Certificate) {
				opensslVerify(t, key.Certificate, msg, sig2)
			}
		})
	}
}

func isRSA(c *x509.Certificate) bool { _, ok := c.PublicKey.(*rsa.PublicKey); return ok }

func verify(t *testing.T, c *x509.Certificate, digest, sig []byte) {
	t.Helper()
	switch pub := c.PublicKey.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest, sig); err != nil {
			t.Errorf("RSA signature does not verify: %v", err)
		}
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, digest, sig) {
			t.Errorf("ECDSA signature (%d bytes) does not verify as ASN.1", len(sig))
		}
	default:
		t.Fatalf("unexpected key %T", pub)
	}
}

// opensslVerify checks an RSA SHA-256 signature with openssl dgst.
func opensslVerify(t *testing.T, c *x509.Certificate, msg, sig []byte) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("openssl absent: signature checked with Go only")
		return
	}
	dir := t.TempDir()
	pubDER, _ := x509.MarshalPKIXPublicKey(c.PublicKey)
	files := map[string][]byte{"pub.der": pubDER, "msg": msg, "sig": sig}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", filepath.Join(dir, "pub.der"), "-keyform", "DER",
		"-signature", filepath.Join(dir, "sig"), filepath.Join(dir, "msg")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verified OK") {
		t.Errorf("openssl dgst -verify: %v\n%s", err, out)
	}
}

func TestSoftHSMWrongPIN(t *testing.T) {
	h := softHSM(t)
	ui := newUI("00000000")
	var uri string
	for _, k := range keysOn(t, h, h.wrongpin) {
		uri = k.URI
	}
	_, err := h.store.Open(context.Background(), uri, ui)
	if !errors.Is(err, signer.ErrWrongPassword) {
		t.Fatalf("wrong PIN: err = %v, want ErrWrongPassword", err)
	}
	// SoftHSM2 raises CKF_USER_PIN_COUNT_LOW after a wrong PIN (it never
	// locks the user PIN: final-try and locked are tested with the double).
	if !strings.Contains(err.Error(), "few attempts left") {
		t.Errorf("error %q does not tell the attempts state", err)
	}
	if !ui.zeroed() {
		t.Error("the wrong PIN was not zeroed")
	}
	// The next attempt shows the state before the prompt, then succeeds.
	ui2 := newUI(userPIN)
	key, err := h.store.Open(context.Background(), uri, ui2)
	if err != nil {
		t.Fatalf("right PIN after a wrong one: %v", err)
	}
	key.Close()
	if len(ui2.requests) != 1 || ui2.requests[0].PIN != PINCountLow {
		t.Errorf("the PIN state did not travel with the next request: %+v", ui2.requests)
	}
}

func TestSoftHSMNoCertificate(t *testing.T) {
	h := softHSM(t)
	orphan := keysOn(t, h, h.nocert)
	if len(orphan) != 1 {
		t.Fatalf("nocert token keys: %+v", orphan)
	}
	_, err := h.store.Open(context.Background(), orphan[0].URI, newUI(userPIN))
	if !errors.Is(err, ErrNoCertificate) {
		t.Fatalf("Open key without certificate: %v, want ErrNoCertificate", err)
	}
}

func TestSoftHSMOpenErrors(t *testing.T) {
	h := softHSM(t)
	tests := []struct {
		name, uri string
		want      error
	}{
		{"no such token", "pkcs11:token=NOPE;id=%01", ErrTokenNotFound},
		{"no such key", "pkcs11:token=" + escape(h.main, false) + ";id=%77", signer.ErrNoKey},
		{"pin in URI", "pkcs11:token=x?pin-value=1234", ErrBadURI},
		{"not a URI", "/tmp/key.p12", ErrBadURI},
		{"bad module", "pkcs11:token=x?module-path=/nonexistent/lib.so", ErrNotPKCS11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ui := newUI(userPIN)
			_, err := h.store.Open(context.Background(), tt.uri, ui)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if len(ui.requests) != 0 {
				t.Errorf("a PIN was asked for a URI that names nothing: %+v", ui.requests)
			}
		})
	}
}

func TestSoftHSMNotPKCS11(t *testing.T) {
	h := softHSM(t)
	text := filepath.Join(t.TempDir(), "notes.so")
	os.WriteFile(text, []byte("not a library\n"), 0o600)
	paths := []string{text, "/nonexistent/libnothing.so", t.TempDir()}
	// A real shared library that is not a PKCS#11 module.
	for _, lib := range []string{"/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1"} {
		if _, err := os.Stat(lib); err == nil {
			paths = append(paths, lib)
			break
		}
	}
	for _, p := range paths {
		_, err := Load(ModuleConfig{Path: p})
		if !errors.Is(err, ErrNotPKCS11) {
			t.Errorf("Load(%s): %v, want ErrNotPKCS11", p, err)
		}
	}
	// A store with broken modules reports them and still serves SoftHSM.
	s := NewStore([]ModuleConfig{{Path: text}, {Path: softhsmModule}})
	defer s.Close()
	if len(s.Problems) != 1 || len(s.Modules()) != 1 || s.Modules()[0] != h.module {
		t.Fatalf("problems %v, modules %d", s.Problems, len(s.Modules()))
	}
}

func TestSoftHSMRegistryOneInitialize(t *testing.T) {
	h := softHSM(t)
	m, err := Load(ModuleConfig{Path: softhsmModule})
	if err != nil {
		t.Fatal(err)
	}
	if m != h.module {
		t.Error("a second Load of the same path gave another Module (a second C_Initialize)")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := h.module.Tokens(); err != nil {
		t.Fatalf("module unusable after another user's Close: %v", err)
	}
}

func TestSoftHSMConcurrentSign(t *testing.T) {
	h := softHSM(t)
	rsaKey := openKey(t, h, h.main, "head-rsa", newUI(userPIN))
	defer rsaKey.Close()
	ecKey := openKey(t, h, h.main, "head-p256", newUI(userPIN))
	defer ecKey.Close()
	digest := sha256.Sum256([]byte("concurrent"))
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 16; i++ {
		key := rsaKey
		if i%2 == 1 {
			key = ecKey
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sig, err := key.Signer.Sign(nil, digest[:], crypto.SHA256)
			if err != nil {
				errs <- err
				return
			}
			verify(t, key.Certificate, digest[:], sig)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Closing one key keeps the other logged in (login is per token).
	rsaKey.Close()
	if _, err := ecKey.Signer.Sign(nil, digest[:], crypto.SHA256); err != nil {
		t.Errorf("sign after another key on the token closed: %v", err)
	}
}
