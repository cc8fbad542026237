//go:build cgo

package softhsmtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"
)

// TestLib goes through what the module's SoftHSM tests do: a token made
// before the library loads and one inserted after, keys and a certificate
// imported, objects found and destroyed by ID, the token's directory found.
func TestLib(t *testing.T) {
	c := ForTest(t)
	TestToken(t, "SOFTHSMTEST OFFLINE")
	lib, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lib.Close) // before TestToken's deletion
	if _, err := lib.SlotOf("SOFTHSMTEST OFFLINE"); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.SlotOf("SOFTHSMTEST NONE"); err == nil {
		t.Error("SlotOf found a token never made")
	}
	const live = "SOFTHSMTEST LIVE"
	if err := lib.InsertToken(live); err != nil {
		t.Fatal(err)
	}
	k, err := newTestKeys()
	if err != nil {
		t.Fatal(err)
	}
	count := func(sh p11.SessionHandle, id []byte) int {
		t.Helper()
		if err := lib.Ctx.FindObjectsInit(sh, []*p11.Attribute{p11.NewAttribute(p11.CKA_ID, id)}); err != nil {
			t.Fatal(err)
		}
		defer lib.Ctx.FindObjectsFinal(sh)
		objs, _, err := lib.Ctx.FindObjects(sh, 16)
		if err != nil {
			t.Fatal(err)
		}
		return len(objs)
	}
	err = lib.Session(live, p11.CKU_USER, UserPIN, func(sh p11.SessionHandle) error {
		if err := lib.ImportRSA(sh, k.rsa, []byte{0x01}, "rsa"); err != nil {
			return err
		}
		if err := lib.ImportEC(sh, k.p256, []byte{0x02}, "ec", true); err != nil {
			return err
		}
		if err := lib.ImportCert(sh, k.cert, []byte{0x02}, "ec"); err != nil {
			return err
		}
		if err := lib.ImportEC(sh, k.p224, []byte{0x03}, "p224", false); err == nil {
			t.Error("ImportEC took a P-224 key SoftHSM is not given curve parameters for")
		}
		for _, tt := range []struct {
			id   byte
			want int
		}{{0x01, 1}, {0x02, 3}, {0x03, 0}} {
			if n := count(sh, []byte{tt.id}); n != tt.want {
				t.Errorf("objects with ID %02x: %d, want %d", tt.id, n, tt.want)
			}
		}
		if err := lib.DestroyID(sh, []byte{0x02}); err != nil {
			return err
		}
		if n := count(sh, []byte{0x02}); n != 0 {
			t.Errorf("DestroyID left %d objects", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Session(live, p11.CKU_USER, "00000000", func(p11.SessionHandle) error { return nil }); err == nil {
		t.Error("Session logged in with a wrong PIN")
	}
	if dir, err := c.TokenDir(live); err != nil {
		t.Error(err)
	} else if _, err := os.Stat(dir); err != nil {
		t.Error(err)
	}
}

// testKeys are what TestLib imports: only imported, never trusted, so the
// RSA key is small and the certificate self-signed.
type testKeys struct {
	rsa        *rsa.PrivateKey
	p256, p224 *ecdsa.PrivateKey
	cert       *x509.Certificate // for p256
}

func newTestKeys() (k testKeys, err error) {
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
		return k, err
	}
	if k.p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return k, err
	}
	if k.p224, err = ecdsa.GenerateKey(elliptic.P224(), rand.Reader); err != nil {
		return k, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "softhsmtest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.p256.PublicKey, k.p256)
	if err == nil {
		k.cert, err = x509.ParseCertificate(der)
	}
	return k, err
}
