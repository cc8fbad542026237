//go:build cgo

package pkcs11

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"math/big"
	"os"
	"sync"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/qoltanba/qoltanba/internal/softhsmtest"
)

// The library, PINs and set-up calls are internal/softhsmtest's, shared
// with the ui and cmd/qoltanba tests.
const (
	softhsmModule = softhsmtest.Module
	userPIN       = softhsmtest.UserPIN
)

// hsm is the SoftHSM2 set-up shared by the tests of this binary: SoftHSM
// reads SOFTHSM2_CONF once, at C_Initialize, and this package initialises a
// module once per process, so every test works in one token directory, on
// tokens of its own (by label). A token whose files vanish stays failed for
// the life of the initialised library, so a test that pulls tokens has the
// set-up rebuilt (library finalised, new directory) for the tests after it:
// see pullsTokens.
type hsm struct {
	conf   *softhsmtest.Config
	module *Module
	lib    *softhsmtest.Lib // the same library, for set-up calls (C_CreateObject…)
	store  *Store
	// The tokens created before the module was loaded.
	main, nocert, wrongpin string
	p256                   *ecdsa.PrivateKey
	p256Cert               *x509.Certificate
}

var (
	hsmMu   sync.Mutex // guards the three below
	hsmVal  *hsm
	hsmErr  error
	hsmSkip string
)

func cleanupSoftHSM() {
	hsmMu.Lock()
	defer hsmMu.Unlock()
	if hsmVal != nil {
		hsmVal.close()
		hsmVal = nil
	}
}

// close finalises the library (the store holds the last reference) and
// removes the token directory.
func (h *hsm) close() {
	h.store.Close()
	os.RemoveAll(h.conf.Dir)
}

// softHSM returns the shared set-up, building it when none is current, or
// skips when SoftHSM2 is absent.
func softHSM(t testing.TB) *hsm {
	t.Helper()
	hsmMu.Lock()
	if hsmVal == nil && hsmErr == nil && hsmSkip == "" {
		hsmVal, hsmSkip, hsmErr = newHSM(t)
	}
	h, skip, err := hsmVal, hsmSkip, hsmErr
	hsmMu.Unlock()
	if skip != "" {
		t.Skip(skip)
	}
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// pullsTokens marks a test that removes token directories: when it ends,
// the set-up is closed and the next softHSM call builds a fresh one, so
// later tests (and -count, -shuffle) see no failed slots or reused labels.
func (h *hsm) pullsTokens(t testing.TB) {
	t.Cleanup(func() {
		hsmMu.Lock()
		defer hsmMu.Unlock()
		if hsmVal == h {
			hsmVal = nil
			h.close()
		}
	})
}

func newHSM(t testing.TB) (*hsm, string, error) {
	if why := softhsmtest.Missing(); why != "" {
		return nil, why, nil
	}
	conf, err := softhsmtest.ForProcess() // SOFTHSM2_CONF: for this process and pkcs11-tool
	if err != nil {
		return nil, "", err
	}
	h := &hsm{conf: conf, main: "QOLTANBA MAIN", nocert: "QOLTANBA NOCERT", wrongpin: "QOLTANBA PIN"}
	ok := false
	defer func() {
		if !ok { // a half-built set-up: release the library and the directory
			if h.store != nil {
				h.store.Close()
			}
			os.RemoveAll(conf.Dir)
		}
	}()
	for _, label := range []string{h.main, h.nocert, h.wrongpin} {
		if err := softhsmtest.InitToken(label); err != nil {
			return nil, "", err
		}
	}
	h.store = NewStore([]ModuleConfig{{Path: softhsmModule}})
	if len(h.store.Problems) > 0 {
		return nil, "", fmt.Errorf("load SoftHSM: %v", h.store.Problems)
	}
	h.module = h.store.Modules()[0]
	h.lib = &softhsmtest.Lib{Ctx: h.module.ck.(*miekgModule).ctx}

	// The main token: an RSA key paired by ID, a P-256 key paired by ID, an
	// RSA key without IDs (paired by modulus).
	rsaHead := entity(t, "rsa/legal_head")
	rsaInd := entity(t, "rsa/individual")
	if h.p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, "", err
	}
	ca := testPKI(t).CA("rsa")
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: rsaHead.Cert.Subject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, ExtKeyUsage: rsaHead.Cert.ExtKeyUsage,
		UnknownExtKeyUsage: rsaHead.Cert.UnknownExtKeyUsage,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &h.p256.PublicKey, ca.Key)
	if err != nil {
		return nil, "", fmt.Errorf("issue P-256 certificate: %w", err)
	}
	if h.p256Cert, err = x509.ParseCertificate(der); err != nil {
		return nil, "", err
	}
	l := h.lib
	err = h.withToken(h.main, func(s p11.SessionHandle) error {
		if err := l.ImportRSA(s, rsaHead.Key.(*rsa.PrivateKey), []byte{0x01}, "head-rsa"); err != nil {
			return err
		}
		if err := l.ImportCert(s, rsaHead.Cert, []byte{0x01}, "head-rsa"); err != nil {
			return err
		}
		if err := l.ImportEC(s, h.p256, []byte{0x02, 0xA5}, "head-p256", true); err != nil {
			return err
		}
		if err := l.ImportCert(s, h.p256Cert, []byte{0x02, 0xA5}, "head-p256"); err != nil {
			return err
		}
		if err := l.ImportRSA(s, rsaInd.Key.(*rsa.PrivateKey), nil, "individual key"); err != nil {
			return err
		}
		return l.ImportCert(s, rsaInd.Cert, nil, "individual certificate")
	})
	if err != nil {
		return nil, "", err
	}
	// A token with a key but no certificate.
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", err
	}
	if err := h.withToken(h.nocert, func(s p11.SessionHandle) error {
		return l.ImportEC(s, other, []byte{0x07}, "orphan", true)
	}); err != nil {
		return nil, "", err
	}
	if err := h.withToken(h.wrongpin, func(s p11.SessionHandle) error {
		if err := l.ImportRSA(s, rsaInd.Key.(*rsa.PrivateKey), []byte{0x09}, "pin-test"); err != nil {
			return err
		}
		return l.ImportCert(s, rsaInd.Cert, []byte{0x09}, "pin-test")
	}); err != nil {
		return nil, "", err
	}
	ok = true
	return h, "", nil
}

// withToken runs f in a read-write session logged in as the user.
func (h *hsm) withToken(label string, f func(p11.SessionHandle) error) error {
	return h.lib.Session(label, p11.CKU_USER, userPIN, f)
}

// initToken initialises the module's free slot in-process (a token
// "inserted" while the program runs) and sets its user PIN.
func (h *hsm) initToken(label string) error { return h.lib.InsertToken(label) }

// tokenDir returns the directory SoftHSM keeps a token in.
func (h *hsm) tokenDir(label string) (string, error) { return h.conf.TokenDir(label) }
