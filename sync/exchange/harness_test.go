package exchange_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/pgtest"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/exchange"
	"github.com/qoltanba/qoltanba/sync/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// passwordUI answers every secret with the test password and keeps the
// consents it was shown.
type passwordUI struct {
	mu       sync.Mutex
	consents []signer.Consent
}

func (u *passwordUI) RequestSecret(context.Context, signer.SecretRequest) ([]byte, error) {
	return []byte(testpki.DefaultPassword), nil
}

func (u *passwordUI) Consent(_ context.Context, c signer.Consent) error {
	u.mu.Lock()
	u.consents = append(u.consents, c)
	u.mu.Unlock()
	return nil
}

// desktop is one user's Qoltanba: a data folder with its store, the
// core, the sync engine, and the test PKI's root trusted as TEST.
type desktop struct {
	dir    string
	core   *core.Core
	store  store.Store
	engine *exchange.Engine
	ui     *passwordUI
	p      *testpki.PKI
}

func newDesktop(t testing.TB, dir string) *desktop {
	t.Helper()
	p := portaltest.PKI(t)
	if dir == "" {
		dir = t.TempDir()
	}
	d := bareDesktop(t, dir)
	d.p = p
	c := d.core
	if err := os.MkdirAll(c.TestTrustDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []testpki.Family{testpki.FamilyGOST, testpki.FamilyRSA} {
		if err := os.WriteFile(filepath.Join(c.TestTrustDir(), string(f)+"-root.cer"), p.Root(f).Cert.Raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// bareDesktop is a desktop without the test PKI (for stub portals).
func bareDesktop(t testing.TB, dir string) *desktop {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "store"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := core.New(core.Options{DataDir: dir, Store: st, Keys: core.NewKeys(nil, nil)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &desktop{dir: dir, core: c, store: st, engine: &exchange.Engine{Core: c}, ui: &passwordUI{}}
}

// key is a test key's URI (its file).
func (d *desktop) key(name string) string { return d.p.Find(name).P12Path }

// login adds the portal and logs in with the entity's AUTH key.
func (d *desktop) login(t testing.TB, env *portaltest.Env, auth string) store.Account {
	t.Helper()
	ctx := context.Background()
	if _, err := d.engine.Add(ctx, "test", env.URL); err != nil {
		t.Fatal(err)
	}
	a, err := d.engine.Login(ctx, "test", d.key(auth), d.ui)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (d *desktop) sync(t testing.TB) exchange.Summary {
	t.Helper()
	s, err := d.engine.Sync(context.Background(), "test")
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return s
}
