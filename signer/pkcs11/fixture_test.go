package pkcs11

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// The test PKI is generated once per test binary (RSA keys are slow).
var (
	pkiOnce sync.Once
	pkiVal  *testpki.PKI
	pkiErr  error
)

func testPKI(t testing.TB) *testpki.PKI {
	t.Helper()
	pkiOnce.Do(func() { pkiVal, pkiErr = testpki.Generate(testpki.Options{}) })
	if pkiErr != nil {
		t.Fatalf("generate test PKI: %v", pkiErr)
	}
	return pkiVal
}

func entity(t testing.TB, name string) *testpki.Entity {
	t.Helper()
	e := testPKI(t).Find(name)
	if e == nil {
		t.Fatalf("test PKI has no %s", name)
	}
	return e
}

// scriptUI is a signer.UI that answers with fixed PINs and records the
// requests it was given.
type scriptUI struct {
	mu       sync.Mutex
	pins     [][]byte // given in order; the last one repeats
	given    [][]byte // what was handed out, to check it was zeroed
	requests []signer.SecretRequest
}

func newUI(pins ...string) *scriptUI {
	u := &scriptUI{}
	for _, p := range pins {
		u.pins = append(u.pins, []byte(p))
	}
	return u
}

func (u *scriptUI) RequestSecret(_ context.Context, req signer.SecretRequest) ([]byte, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.requests = append(u.requests, req)
	if len(u.pins) == 0 {
		return nil, signer.ErrCancelled
	}
	p := u.pins[0]
	if len(u.pins) > 1 {
		u.pins = u.pins[1:]
	}
	c := append([]byte(nil), p...)
	u.given = append(u.given, c)
	return c, nil
}

func (u *scriptUI) Consent(context.Context, signer.Consent) error { return nil }

// zeroed reports whether every PIN handed out has been overwritten.
func (u *scriptUI) zeroed() bool {
	for _, g := range u.given {
		for _, b := range g {
			if b != 0 {
				return false
			}
		}
	}
	return true
}

func TestMain(m *testing.M) {
	code := m.Run()
	cleanupSoftHSM()
	os.Exit(code)
}
