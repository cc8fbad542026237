//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"
)

// waitEvent waits up to 5 s for an event of kind on the token label.
func waitEvent(t *testing.T, ch <-chan Event, kind EventKind, label string) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatal("watch channel closed")
			}
			if e.Kind == kind && e.Token.Label == label {
				return time.Since(start)
			}
		case <-deadline:
			t.Fatalf("no %v event for %q within 5 s", kind, label)
		}
	}
}

// TestSoftHSMWatch initialises a new token while watching (SoftHSM's way of
// inserting one) and then deletes it from disk (its way of pulling one).
func TestSoftHSMWatch(t *testing.T) {
	h := softHSM(t)
	h.pullsTokens(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := h.store.Watch(ctx, 200*time.Millisecond)
	waitEvent(t, ch, TokenInserted, h.main) // the tokens present at the start
	label := "QOLTANBA WATCH"
	if err := h.initToken(label); err != nil {
		t.Fatal(err)
	}
	d := waitEvent(t, ch, TokenInserted, label)
	t.Logf("insertion noticed after %v", d.Round(time.Millisecond))
	dir, err := h.tokenDir(label)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	d = waitEvent(t, ch, TokenRemoved, label)
	t.Logf("removal noticed after %v", d.Round(time.Millisecond))
	cancel()
	for range ch { // closed once ctx ends
	}
}

// TestSoftHSMRemovedMidOperation pulls a token (moves its directory away)
// while a Key is open, then puts it back.
func TestSoftHSMRemovedMidOperation(t *testing.T) {
	h := softHSM(t)
	h.pullsTokens(t)
	label := "QOLTANBA REMOVE"
	if err := h.initToken(label); err != nil {
		t.Fatal(err)
	}
	rsaKey := entity(t, "rsa/legal_signer")
	if err := h.withToken(label, func(s p11.SessionHandle) error {
		if err := h.lib.ImportRSA(s, rsaKey.Key.(*rsa.PrivateKey), []byte{0x33}, "signer"); err != nil {
			return err
		}
		return h.lib.ImportCert(s, rsaKey.Cert, []byte{0x33}, "signer")
	}); err != nil {
		t.Fatal(err)
	}
	key := openKey(t, h, label, "signer", newUI(userPIN))
	defer key.Close()
	digest := sha256.Sum256([]byte("removed"))
	if _, err := key.Signer.Sign(nil, digest[:], crypto.SHA256); err != nil {
		t.Fatalf("sign before removal: %v", err)
	}
	dir, err := h.tokenDir(label)
	if err != nil {
		t.Fatal(err)
	}
	aside := dir + ".pulled"
	if err := os.Rename(dir, aside); err != nil {
		t.Fatal(err)
	}
	// SoftHSM notices a vanished token directory when it next rescans:
	// C_GetSlotList does that.
	if _, err := h.module.Tokens(); err != nil {
		t.Logf("tokens after removal: %v", err)
	}
	_, err = key.Signer.Sign(nil, digest[:], crypto.SHA256)
	if !errors.Is(err, ErrTokenRemoved) {
		t.Fatalf("sign after removal: %v, want ErrTokenRemoved", err)
	}
	t.Logf("error shown: %v", err)
	key.Close() // must not crash on a dead session
	if err := os.Rename(aside, dir); err != nil {
		t.Fatal(err)
	}
	// SoftHSM scans its token directory only at C_Initialize, and a token
	// whose files vanished stays failed for the life of the process, so the
	// re-inserted token is used from a fresh process, as after a restart
	// (the in-process re-insert is TestRemovedAndReinsertedWithTestDouble).
	cmd := exec.Command(os.Args[0], "-test.run=^TestSoftHSMReinsertedChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "QOLTANBA_P11_CHILD="+label)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestSoftHSMReinsertedChild") {
		t.Fatalf("signing with the re-inserted token failed: %v\n%s", err, out)
	}
}

// TestSoftHSMReinsertedChild runs in the child process started above.
func TestSoftHSMReinsertedChild(t *testing.T) {
	label := os.Getenv("QOLTANBA_P11_CHILD")
	if label == "" {
		t.Skip("run by TestSoftHSMRemovedMidOperation in a child process")
	}
	s := NewStore([]ModuleConfig{{Path: softhsmModule}})
	defer s.Close()
	keys, _ := s.TokenKeys(context.Background())
	for _, k := range keys {
		if k.Token.Label != label {
			continue
		}
		key, err := s.Open(context.Background(), k.URI, newUI(userPIN))
		if err != nil {
			t.Fatal(err)
		}
		defer key.Close()
		digest := sha256.Sum256([]byte("re-inserted"))
		sig, err := key.Signer.Sign(nil, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if err := rsa.VerifyPKCS1v15(key.Certificate.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("token %q not found after re-insert", label)
}
