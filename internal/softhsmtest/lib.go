//go:build cgo

package softhsmtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"
)

// Lib is the SoftHSM library initialised in this process, for the set-up
// calls the product never makes (C_InitToken, C_CreateObject…). Ctx may be
// the product's own handle on the library, so one process initialises it
// once.
type Lib struct {
	Ctx *p11.Ctx
}

// Load initialises the library with the configuration SOFTHSM2_CONF names
// now. C_Initialize fails when this process already initialised it: Close
// before another configuration is used.
func Load() (*Lib, error) {
	ctx := p11.New(Module)
	if ctx == nil {
		return nil, fmt.Errorf("%s is not a loadable PKCS#11 module", Module)
	}
	if err := ctx.Initialize(); err != nil {
		ctx.Destroy()
		return nil, fmt.Errorf("C_Initialize %s: %w", Module, err)
	}
	return &Lib{Ctx: ctx}, nil
}

// Close finalises and unloads a library Load initialised.
func (l *Lib) Close() {
	l.Ctx.Finalize()
	l.Ctx.Destroy()
}

// SlotOf finds a token by label (SoftHSM puts tokens in random slots).
// Slots it cannot read (pulled tokens) are passed over.
func (l *Lib) SlotOf(label string) (uint, error) {
	slots, err := l.Ctx.GetSlotList(true)
	if err != nil {
		return 0, fmt.Errorf("C_GetSlotList: %w", err)
	}
	for _, s := range slots {
		if ti, err := l.Ctx.GetTokenInfo(s); err == nil && strings.TrimRight(ti.Label, " \x00") == label {
			return s, nil
		}
	}
	return 0, fmt.Errorf("no token labelled %q", label)
}

// InsertToken initialises the free slot's token in this process and sets
// its user PIN: SoftHSM's way of plugging a token in while a program that
// already initialised the library runs.
func (l *Lib) InsertToken(label string) error {
	slots, err := l.Ctx.GetSlotList(true)
	if err != nil {
		return fmt.Errorf("C_GetSlotList: %w", err)
	}
	for _, s := range slots {
		ti, err := l.Ctx.GetTokenInfo(s)
		if err != nil || ti.Flags&p11.CKF_TOKEN_INITIALIZED != 0 {
			continue
		}
		if err := l.Ctx.InitToken(s, SOPIN, label); err != nil {
			return fmt.Errorf("C_InitToken %q: %w", label, err)
		}
		// The token now lives in a new slot: Session finds it by label.
		return l.Session(label, p11.CKU_SO, SOPIN, func(sh p11.SessionHandle) error {
			if err := l.Ctx.InitPIN(sh, UserPIN); err != nil {
				return fmt.Errorf("C_InitPIN: %w", err)
			}
			return nil
		})
	}
	return errors.New("no free SoftHSM slot")
}

// Session runs f in a read-write session on the token labelled label,
// logged in as user (p11.CKU_USER or p11.CKU_SO) with pin.
func (l *Lib) Session(label string, user uint, pin string, f func(p11.SessionHandle) error) error {
	slot, err := l.SlotOf(label)
	if err != nil {
		return err
	}
	sh, err := l.Ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
	if err != nil {
		return fmt.Errorf("open session on %q: %w", label, err)
	}
	defer l.Ctx.CloseSession(sh)
	// The SO cannot log in while any read-only session is open, and a
	// token watch (the product's) opens one for a moment on every reading:
	// wait it out.
	for tries := 0; ; tries++ {
		err = l.Ctx.Login(sh, user, pin)
		if e, ok := err.(p11.Error); ok && e == p11.CKR_SESSION_READ_ONLY_EXISTS && tries < 200 {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		break
	}
	if err != nil {
		return fmt.Errorf("log in to %q: %w", label, err)
	}
	defer l.Ctx.Logout(sh)
	return f(sh)
}

// objectAttrs are the attributes every imported object has: a token
// object with a label, and a CKA_ID when id is not nil (without one, keys
// and certificates are paired by their public key).
func objectAttrs(class uint, id []byte, label string) []*p11.Attribute {
	a := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, class),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_LABEL, label),
	}
	if id != nil {
		a = append(a, p11.NewAttribute(p11.CKA_ID, id))
	}
	return a
}

// ImportRSA puts an RSA private key on the token, sensitive and for
// signing, as NCA's tools write it.
func (l *Lib) ImportRSA(sh p11.SessionHandle, k *rsa.PrivateKey, id []byte, label string) error {
	k.Precompute()
	tpl := append(objectAttrs(p11.CKO_PRIVATE_KEY, id, label),
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
	if _, err := l.Ctx.CreateObject(sh, tpl); err != nil {
		return fmt.Errorf("import RSA key %s: %w", label, err)
	}
	return nil
}

// curveOIDs name the curves SoftHSM signs with, for CKA_EC_PARAMS.
var curveOIDs = map[elliptic.Curve]asn1.ObjectIdentifier{
	elliptic.P256(): {1, 2, 840, 10045, 3, 1, 7},
	elliptic.P384(): {1, 3, 132, 0, 34},
	elliptic.P521(): {1, 3, 132, 0, 35},
}

// ImportEC puts an EC private key on the token, and its public key too
// when withPublic (tokens differ: some keep only the private half).
func (l *Lib) ImportEC(sh p11.SessionHandle, k *ecdsa.PrivateKey, id []byte, label string, withPublic bool) error {
	oid, ok := curveOIDs[k.Curve]
	if !ok {
		return fmt.Errorf("import EC key %s: curve %s not supported", label, k.Curve.Params().Name)
	}
	params, err := asn1.Marshal(oid)
	if err != nil {
		return err
	}
	d, err := k.Bytes()
	if err != nil {
		return fmt.Errorf("import EC key %s: %w", label, err)
	}
	tpl := append(objectAttrs(p11.CKO_PRIVATE_KEY, id, label),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_EC_PARAMS, params),
		p11.NewAttribute(p11.CKA_VALUE, d),
	)
	if _, err := l.Ctx.CreateObject(sh, tpl); err != nil {
		return fmt.Errorf("import EC key %s: %w", label, err)
	}
	if !withPublic {
		return nil
	}
	ek, err := k.PublicKey.ECDH()
	if err != nil {
		return fmt.Errorf("import EC public key %s: %w", label, err)
	}
	point, err := asn1.Marshal(ek.Bytes()) // CKA_EC_POINT is a DER OCTET STRING
	if err != nil {
		return err
	}
	pub := append(objectAttrs(p11.CKO_PUBLIC_KEY, id, label),
		p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC),
		p11.NewAttribute(p11.CKA_VERIFY, true),
		p11.NewAttribute(p11.CKA_EC_PARAMS, params),
		p11.NewAttribute(p11.CKA_EC_POINT, point),
	)
	if _, err := l.Ctx.CreateObject(sh, pub); err != nil {
		return fmt.Errorf("import EC public key %s: %w", label, err)
	}
	return nil
}

// ImportCert puts an X.509 certificate on the token, public.
func (l *Lib) ImportCert(sh p11.SessionHandle, c *x509.Certificate, id []byte, label string) error {
	serial, err := asn1.Marshal(c.SerialNumber)
	if err != nil {
		return fmt.Errorf("import certificate %s: serial: %w", label, err)
	}
	tpl := append(objectAttrs(p11.CKO_CERTIFICATE, id, label),
		p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509),
		p11.NewAttribute(p11.CKA_PRIVATE, false),
		p11.NewAttribute(p11.CKA_SUBJECT, c.RawSubject),
		p11.NewAttribute(p11.CKA_ISSUER, c.RawIssuer),
		p11.NewAttribute(p11.CKA_SERIAL_NUMBER, serial),
		p11.NewAttribute(p11.CKA_VALUE, c.Raw),
	)
	if _, err := l.Ctx.CreateObject(sh, tpl); err != nil {
		return fmt.Errorf("import certificate %s: %w", label, err)
	}
	return nil
}

// DestroyID removes the objects with CKA_ID id (up to 16 of them).
func (l *Lib) DestroyID(sh p11.SessionHandle, id []byte) error {
	if err := l.Ctx.FindObjectsInit(sh, []*p11.Attribute{p11.NewAttribute(p11.CKA_ID, id)}); err != nil {
		return fmt.Errorf("C_FindObjectsInit: %w", err)
	}
	objs, _, err := l.Ctx.FindObjects(sh, 16)
	l.Ctx.FindObjectsFinal(sh)
	if err != nil {
		return fmt.Errorf("C_FindObjects: %w", err)
	}
	for _, o := range objs {
		if err := l.Ctx.DestroyObject(sh, o); err != nil {
			return fmt.Errorf("C_DestroyObject: %w", err)
		}
	}
	return nil
}

// ImportRSAKey puts an RSA key and its certificate on the token label
// (logged in as the user), both with id and label: a key as NCA's tokens
// hold one.
func (l *Lib) ImportRSAKey(token string, k *rsa.PrivateKey, c *x509.Certificate, id []byte, label string) error {
	return l.Session(token, p11.CKU_USER, UserPIN, func(sh p11.SessionHandle) error {
		if err := l.ImportRSA(sh, k, id, label); err != nil {
			return err
		}
		return l.ImportCert(sh, c, id, label)
	})
}

// LoadFor is Load for a test: it fails t on error and closes the library
// when t ends.
func LoadFor(t testing.TB) *Lib {
	t.Helper()
	lib, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lib.Close)
	return lib
}
