//go:build cgo

package pkcs11

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"
)

const (
	softhsmModule = "/usr/lib/softhsm/libsofthsm2.so"
	soPIN         = "87654321"
	userPIN       = "12345678"
)

// hsm is the SoftHSM2 set-up shared by the tests of this binary: SoftHSM
// reads SOFTHSM2_CONF once, at C_Initialize, and this package initialises a
// module once per process, so every test works in one token directory, on
// tokens of its own (by label).
type hsm struct {
	dir    string
	conf   string
	module *Module
	ctx    *p11.Ctx // the same library, for set-up calls (C_CreateObject…)
	store  *Store
	// The tokens created before the module was loaded.
	main, nocert, wrongpin string
	p256                   *ecdsa.PrivateKey
	p256Cert               *x509.Certificate
}

var (
	hsmOnce sync.Once
	hsmVal  *hsm
	hsmErr  error
	hsmSkip string
)

func cleanupSoftHSM() {
	if hsmVal != nil {
		hsmVal.store.Close()
		os.RemoveAll(hsmVal.dir)
	}
}

// softHSM returns the shared set-up, or skips when SoftHSM2 is absent.
func softHSM(t testing.TB) *hsm {
	t.Helper()
	hsmOnce.Do(func() { hsmVal, hsmSkip, hsmErr = newHSM(t) })
	if hsmSkip != "" {
		t.Skip(hsmSkip)
	}
	if hsmErr != nil {
		t.Fatal(hsmErr)
	}
	return hsmVal
}

func newHSM(t testing.TB) (*hsm, string, error) {
	if _, err := os.Stat(softhsmModule); err != nil {
		return nil, "softhsm2 absent (" + softhsmModule + "): install the softhsm2 package (scripts/deps.sh test)", nil
	}
	if _, err := exec.LookPath("softhsm2-util"); err != nil {
		return nil, "softhsm2-util absent: install the softhsm2 package (scripts/deps.sh test)", nil
	}
	dir, err := os.MkdirTemp("", "qoltanba-softhsm-")
	if err != nil {
		return nil, "", err
	}
	h := &hsm{dir: dir, conf: filepath.Join(dir, "softhsm2.conf"),
		main: "QOLTANBA MAIN", nocert: "QOLTANBA NOCERT", wrongpin: "QOLTANBA PIN"}
	if err := os.MkdirAll(filepath.Join(dir, "tokens"), 0o700); err != nil {
		return nil, "", err
	}
	conf := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n", filepath.Join(dir, "tokens"))
	if err := os.WriteFile(h.conf, []byte(conf), 0o600); err != nil {
		return nil, "", err
	}
	os.Setenv("SOFTHSM2_CONF", h.conf) // read by SoftHSM at C_Initialize, in this process and in pkcs11-tool
	for _, label := range []string{h.main, h.nocert, h.wrongpin} {
		if out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", soPIN, "--pin", userPIN).CombinedOutput(); err != nil {
			return nil, "", fmt.Errorf("softhsm2-util --init-token %s: %v\n%s", label, err, out)
		}
	}
	h.store = NewStore([]ModuleConfig{{Path: softhsmModule}})
	if len(h.store.Problems) > 0 {
		return nil, "", fmt.Errorf("load SoftHSM: %v", h.store.Problems)
	}
	h.module = h.store.Modules()[0]
	h.ctx = h.module.ck.(*miekgModule).ctx

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
	err = h.withToken(h.main, func(s p11.SessionHandle) error {
		if err := h.importRSA(s, rsaHead.Key.(*rsa.PrivateKey), []byte{0x01}, "head-rsa"); err != nil {
			return err
		}
		if err := h.importCert(s, rsaHead.Cert, []byte{0x01}, "head-rsa"); err != nil {
			return err
		}
		if err := h.importEC(s, h.p256, []byte{0x02, 0xA5}, "head-p256", true); err != nil {
			return err
		}
		if err := h.importCert(s, h.p256Cert, []byte{0x02, 0xA5}, "head-p256"); err != nil {
			return err
		}
		if err := h.importRSA(s, rsaInd.Key.(*rsa.PrivateKey), nil, "individual key"); err != nil {
			return err
		}
		return h.importCert(s, rsaInd.Cert, nil, "individual certificate")
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
		return h.importEC(s, other, []byte{0x07}, "orphan", true)
	}); err != nil {
		return nil, "", err
	}
	if err := h.withToken(h.wrongpin, func(s p11.SessionHandle) error {
		if err := h.importRSA(s, rsaInd.Key.(*rsa.PrivateKey), []byte{0x09}, "pin-test"); err != nil {
			return err
		}
		return h.importCert(s, rsaInd.Cert, []byte{0x09}, "pin-test")
	}); err != nil {
		return nil, "", err
	}
	return h, "", nil
}

// slotOf finds a token by label (softhsm2-util --free puts it in a random slot).
func (h *hsm) slotOf(label string) (uint, error) {
	ts, err := h.module.Tokens() // err may name unreadable (removed) tokens
	for _, t := range ts {
		if t.Label == label {
			return t.Slot, nil
		}
	}
	return 0, fmt.Errorf("no token labelled %q (%v)", label, err)
}

// withToken runs f in a read-write session logged in as the user.
func (h *hsm) withToken(label string, f func(p11.SessionHandle) error) error {
	slot, err := h.slotOf(label)
	if err != nil {
		return err
	}
	s, err := h.ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer h.ctx.CloseSession(s)
	if err := h.ctx.Login(s, p11.CKU_USER, userPIN); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	defer h.ctx.Logout(s)
	return f(s)
}

func idAttrs(id []byte, label string) []*p11.Attribute {
	a := []*p11.Attribute{p11.NewAttribute(p11.CKA_TOKEN, true), p11.NewAttribute(p11.CKA_LABEL, label)}
	if id != nil {
		a = append(a, p11.NewAttribute(p11.CKA_ID, id))
	}
	return a
}

func (h *hsm) importRSA(s p11.SessionHandle, k *rsa.PrivateKey, id []byte, label string) error {
	k.Precompute()
	tpl := append(idAttrs(id, label),
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_RSA),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_MODULUS, k.N.Bytes()),
		p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, big.NewInt(int64(k.E)).Bytes()),
		p11.NewAttribute(p11.CKA_PRIVATE_EXPONENT, k.D.Bytes()),
		p11.NewAttribute(p11.CKA_PRIME_1, k.Primes[0].Bytes()),
		p11.NewAttribute(p11.CKA_PRIME_2, k.Primes[1].Bytes()),
		p11.NewAttribute(p11.CKA_EXPONENT_1, k.Precomputed.Dp.Bytes()),
		p11.NewAttribute(p11.CKA_EXPONENT_2, k.Precomputed.Dq.Bytes()),
		p11.NewAttribute(p11.CKA_COEFFICIENT, k.Precomputed.Qinv.Bytes()),
	)
	if _, err := h.ctx.CreateObject(s, tpl); err != nil {
		return fmt.Errorf("import RSA key %s: %w", label, err)
	}
	return nil
}

var oidP256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}

func (h *hsm) importEC(s p11.SessionHandle, k *ecdsa.PrivateKey, id []byte, label string, withPublic bool) error {
	params, _ := asn1.Marshal(oidP256)
	d, err := k.Bytes()
	if err != nil {
		return err
	}
	tpl := append(idAttrs(id, label),
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_EC_PARAMS, params),
		p11.NewAttribute(p11.CKA_VALUE, d),
	)
	if _, err := h.ctx.CreateObject(s, tpl); err != nil {
		return fmt.Errorf("import EC key %s: %w", label, err)
	}
	if !withPublic {
		return nil
	}
	ek, err := k.PublicKey.ECDH()
	if err != nil {
		return err
	}
	point, _ := asn1.Marshal(ek.Bytes())
	pub := append(idAttrs(id, label),
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PUBLIC_KEY),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC),
		p11.NewAttribute(p11.CKA_VERIFY, true),
		p11.NewAttribute(p11.CKA_EC_PARAMS, params),
		p11.NewAttribute(p11.CKA_EC_POINT, point),
	)
	if _, err := h.ctx.CreateObject(s, pub); err != nil {
		return fmt.Errorf("import EC public key %s: %w", label, err)
	}
	return nil
}

func (h *hsm) importCert(s p11.SessionHandle, c *x509.Certificate, id []byte, label string) error {
	tpl := append(idAttrs(id, label),
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_CERTIFICATE),
		p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509),
		p11.NewAttribute(p11.CKA_PRIVATE, false),
		p11.NewAttribute(p11.CKA_SUBJECT, c.RawSubject),
		p11.NewAttribute(p11.CKA_ISSUER, c.RawIssuer),
		p11.NewAttribute(p11.CKA_SERIAL_NUMBER, mustDER(c.SerialNumber)),
		p11.NewAttribute(p11.CKA_VALUE, c.Raw),
	)
	if _, err := h.ctx.CreateObject(s, tpl); err != nil {
		return fmt.Errorf("import certificate %s: %w", label, err)
	}
	return nil
}

func mustDER(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// initToken initialises the module's free slot in-process (a token
// "inserted" while the program runs) and sets its user PIN.
func (h *hsm) initToken(label string) error {
	slots, err := h.ctx.GetSlotList(true)
	if err != nil {
		return err
	}
	for _, s := range slots {
		ti, err := h.ctx.GetTokenInfo(s)
		if err != nil || ti.Flags&p11.CKF_TOKEN_INITIALIZED != 0 {
			continue
		}
		if err := h.ctx.InitToken(s, soPIN, label); err != nil {
			return fmt.Errorf("C_InitToken: %w", err)
		}
		// The token now lives in a new slot; find it to set the user PIN.
		slot, err := h.slotOf(label)
		if err != nil {
			return err
		}
		sess, err := h.ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
		if err != nil {
			return err
		}
		defer h.ctx.CloseSession(sess)
		if err := h.ctx.Login(sess, p11.CKU_SO, soPIN); err != nil {
			return fmt.Errorf("SO login: %w", err)
		}
		defer h.ctx.Logout(sess)
		return h.ctx.InitPIN(sess, userPIN)
	}
	return fmt.Errorf("no free SoftHSM slot")
}

// tokenDir returns the directory SoftHSM keeps a token in (named by its UUID).
func (h *hsm) tokenDir(label string) (string, error) {
	entries, err := os.ReadDir(filepath.Join(h.dir, "tokens"))
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(h.dir, "tokens", e.Name(), "token.object"))
		if err == nil && strings.Contains(string(b), label) {
			return filepath.Join(h.dir, "tokens", e.Name()), nil
		}
	}
	return "", fmt.Errorf("no token directory for %q", label)
}
