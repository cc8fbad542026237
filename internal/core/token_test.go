//go:build cgo

package core_test

import (
	"context"
	"crypto/rsa"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/softhsmtest"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

var (
	rsaOnce sync.Once
	rsaPKI  *testpki.PKI
	rsaErr  error
)

// tokenWith makes a SoftHSM token holding the RSA test PKI's entities
// (SoftHSM has no GOST) and a core whose key registry loads only SoftHSM.
func tokenWith(t *testing.T, label string, entities ...string) (*core.Core, *testpki.PKI) {
	t.Helper()
	softhsmtest.ForTest(t)
	rsaOnce.Do(func() {
		rsaPKI, rsaErr = testpki.Generate(testpki.Options{Families: []testpki.Family{testpki.FamilyRSA}})
	})
	if rsaErr != nil {
		t.Fatal(rsaErr)
	}
	// Not TestToken: a test here pulls the token out itself.
	if err := softhsmtest.InitToken(label); err != nil {
		t.Fatal(err)
	}
	lib := softhsmtest.LoadFor(t)
	for i, name := range entities {
		e := rsaPKI.Find(name)
		id := []byte{byte(i + 1)}
		if err := lib.ImportRSAKey(label, e.Key.(*rsa.PrivateKey), e.Cert, id, filepath.Base(name)); err != nil {
			t.Fatal(err)
		}
	}
	c, err := core.New(core.Options{DataDir: t.TempDir(), Keys: core.NewKeys([]string{t.TempDir()}, []pkcs11.ModuleConfig{{Path: softhsmtest.Module}})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, rsaPKI
}

// tokenKey is the URI of the listed token key whose certificate is e's.
func tokenKey(t *testing.T, c *core.Core, e *testpki.Entity) signer.KeyRef {
	t.Helper()
	refs, err := c.Keys.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		if r.Certificate != nil && r.Certificate.Equal(e.Cert) {
			return r
		}
	}
	t.Fatalf("no token key for %s among %d keys", e.Name, len(refs))
	return signer.KeyRef{}
}

// TestTokenSignThroughCore: a token key signs a batch with one PIN entry;
// a wrong PIN is asked again with the attempt and the token's PIN state;
// the consent names the signer before any PIN.
func TestTokenSignThroughCore(t *testing.T) {
	c, p := tokenWith(t, "CORE TOKEN", "rsa/legal_head")
	ref := tokenKey(t, c, p.Find("rsa/legal_head"))
	ui := &scriptUI{secrets: []string{"00000000", softhsmtest.UserPIN}}
	res, err := c.Sign(context.Background(), core.SignRequest{KeyURI: ref.URI, Format: signer.FormatCMS,
		Items: []core.Item{{Name: "a", Data: []byte("Акт 1")}, {Name: "b", Data: []byte("Акт 2")}, {Name: "c", Data: []byte("Акт 3")}}}, ui)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outputs) != 3 {
		t.Fatalf("%d outputs", len(res.Outputs))
	}
	for _, o := range res.Outputs {
		if _, err := cms.Verify(o.Bytes, nil); err != nil {
			t.Errorf("%s: %v", o.Item.Name, err)
		}
	}
	if len(ui.consents) != 1 || ui.consents[0].Count != 3 || ui.consents[0].Key.Certificate == nil || ui.consents[0].Key.Token != "CORE TOKEN" {
		t.Errorf("consent %+v", ui.consents)
	}
	if len(ui.requests) != 2 || ui.requests[0].Kind != signer.SecretPIN || ui.requests[1].Attempt != 2 || ui.requests[1].PIN != signer.PINCountLow {
		t.Errorf("requests %+v", ui.requests)
	}
}

// TestTokenExpiredRefusedBeforePIN: the certificate on the token is read
// without a PIN, so an expired key is refused before one is asked.
func TestTokenExpiredRefusedBeforePIN(t *testing.T) {
	c, p := tokenWith(t, "OLD TOKEN", "rsa/individual_expired")
	ref := tokenKey(t, c, p.Find("rsa/individual_expired"))
	ui := &scriptUI{secrets: []string{softhsmtest.UserPIN}}
	_, err := c.Sign(context.Background(), core.SignRequest{KeyURI: ref.URI, Format: signer.FormatCMS, Items: []core.Item{{Data: []byte("x")}}}, ui)
	if !errors.Is(err, core.ErrCertificateExpired) {
		t.Fatalf("err = %v", err)
	}
	if len(ui.requests) != 0 || len(ui.consents) != 0 {
		t.Errorf("asked %d PINs, %d consents for an expired key", len(ui.requests), len(ui.consents))
	}
}

// TestTokenRemovedBeforeSigning: a token listed, then pulled out before
// the signing: a clear error, no PIN asked.
func TestTokenRemovedBeforeSigning(t *testing.T) {
	c, p := tokenWith(t, "PULLED TOKEN", "rsa/legal_head")
	ref := tokenKey(t, c, p.Find("rsa/legal_head"))
	if err := softhsmtest.DeleteToken("PULLED TOKEN"); err != nil {
		t.Fatal(err)
	}
	ui := &scriptUI{secrets: []string{softhsmtest.UserPIN}}
	_, err := c.Sign(context.Background(), core.SignRequest{KeyURI: ref.URI, Format: signer.FormatCMS, Items: []core.Item{{Data: []byte("x")}}}, ui)
	if !errors.Is(err, pkcs11.ErrTokenNotFound) && !errors.Is(err, pkcs11.ErrTokenRemoved) && !errors.Is(err, signer.ErrNoKey) {
		t.Fatalf("err = %v, want the token gone", err)
	}
	if len(ui.requests) != 0 {
		t.Errorf("a PIN was asked for a pulled token: %+v", ui.requests)
	}
}

// TestSignDocumentsBatchToken: the batch story on a SoftHSM token: 200
// documents with one PIN, a damaged one skipped, a second batch cancelled
// half way.
func TestSignDocumentsBatchToken(t *testing.T) {
	c, p := tokenWith(t, "BATCH TOKEN", "rsa/legal_head")
	ref := tokenKey(t, c, p.Find("rsa/legal_head"))
	batchStory(t, c, withStore(t, c), ref.URI, softhsmtest.UserPIN)
}
