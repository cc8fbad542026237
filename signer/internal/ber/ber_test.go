package ber

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestToDER(t *testing.T) {
	tests := []struct {
		name    string
		in, out string
	}{
		{"indefinite sequence", "30 80 02 01 05 00 00", "30 03 02 01 05"},
		{"nested indefinite", "30 80 30 80 05 00 00 00 00 00", "30 04 30 02 05 00"},
		{"non-minimal length", "30 82 00 03 02 01 05", "30 03 02 01 05"},
		{"long form below 128", "04 81 02 aa bb", "04 02 aa bb"},
		{"constructed octet string", "24 80 04 02 aa bb 04 01 cc 00 00", "04 03 aa bb cc"},
		{"constructed definite octet string", "24 07 04 02 aa bb 04 01 cc", "04 03 aa bb cc"},
		{"nested constructed octet string", "24 80 24 80 04 01 aa 00 00 04 01 bb 00 00", "04 02 aa bb"},
		{"empty constructed octet string", "24 80 00 00", "04 00"},
		{"constructed bit string", "23 80 03 02 00 aa 03 02 04 b0 00 00", "03 03 04 aa b0"},
		{"constructed utf8string", "2c 80 0c 01 61 0c 01 62 00 00", "0c 02 61 62"},
		{"boolean normalised", "01 01 01", "01 01 ff"},
		{"high tag long form", "9f 81 00 00", "9f 81 00 00"},
		{"low tag in long form", "9f 05 00", "85 00"},
		{"implicit context string kept constructed", "a0 80 04 01 aa 00 00", "a0 03 04 01 aa"},
		{"length of 300", "04 82 01 2c" + strings.Repeat("00", 300), "04 82 01 2c" + strings.Repeat("00", 300)},
		{"indefinite becomes long", "30 80 04 81 80" + strings.Repeat("11", 128) + "00 00", "30 81 83 04 81 80" + strings.Repeat("11", 128)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToDER(unhex(t, tt.in))
			if err != nil {
				t.Fatalf("ToDER: %v", err)
			}
			if want := unhex(t, tt.out); !bytes.Equal(got, want) {
				t.Fatalf("got  %x\nwant %x", got, want)
			}
			checkDER(t, got, 0)
		})
	}
}

func TestToDERErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   error
		offset int
	}{
		{"empty", "", ErrSyntax, 0},
		{"truncated length", "30", ErrSyntax, 0},
		{"truncated content", "04 05 aa", ErrSyntax, 0},
		{"trailing data", "05 00 00", ErrSyntax, 2},
		{"missing EOC", "30 80 05 00", ErrSyntax, 0},
		{"EOC in definite", "30 04 05 00 00 00", ErrSyntax, 4},
		{"EOC at top", "00 00", ErrSyntax, 0},
		{"EOC with length", "30 80 00 01 00", ErrSyntax, 2},
		{"indefinite primitive", "04 80 00 00", ErrSyntax, 0},
		{"reserved length", "04 ff", ErrSyntax, 0},
		{"huge length", "04 88 7f ff ff ff ff ff ff ff", ErrSyntax, 0},
		{"child overruns parent", "30 02 04 03 aa bb cc", ErrSyntax, 2},
		{"constructed integer", "22 03 02 01 00", ErrSyntax, 0},
		{"primitive sequence", "10 00", ErrSyntax, 0},
		{"mixed segments", "24 80 04 01 aa 0c 01 62 00 00", ErrSyntax, 5},
		{"bit string unused in middle", "23 08 03 02 04 aa 03 02 00 bb", ErrSyntax, 0},
		{"bit string empty segment", "23 02 03 00", ErrSyntax, 0},
		{"tag leading zero", "9f 80 01 00", ErrSyntax, 0},
		{"tag too large", "9f ff ff ff ff 7f 00", ErrSyntax, 0},
		{"bad boolean", "01 02 00 00", ErrSyntax, 0},
		{"too deep", strings.Repeat("30 80 ", 100) + strings.Repeat("00 00 ", 100), ErrTooDeep, 65 * 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ToDER(unhex(t, tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Offset != tt.offset {
				t.Fatalf("err = %v, want offset %d", err, tt.offset)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	in := unhex(t, "04 04 00 00 00 00")
	if _, err := (Limits{MaxSize: 5}).ToDER(in); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("MaxSize: err = %v", err)
	}
	in = unhex(t, "30 80 30 80 00 00 00 00")
	if _, err := (Limits{MaxDepth: 1}).ToDER(in); err != nil {
		t.Fatalf("depth 1: %v", err)
	}
	in = unhex(t, "30 80 30 80 30 80 00 00 00 00 00 00")
	if _, err := (Limits{MaxDepth: 1}).ToDER(in); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("depth 2: err = %v", err)
	}
}

// TestDERUnchanged checks the property that DER input comes back unchanged,
// on a certificate and on assorted asn1.Marshal output.
func TestDERUnchanged(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(12345),
		Subject:      pkix.Name{CommonName: "тест", Organization: []string{"Qoltanba"}},
		NotBefore:    time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0),
		DNSNames:              []string{"example.kz"},
		BasicConstraintsValid: true, IsCA: true,
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	type inner struct {
		B    bool
		F    bool
		S    string `asn1:"utf8"`
		Bits asn1.BitString
		Tag  int `asn1:"tag:200,explicit"`
	}
	type outer struct {
		I     *big.Int
		O     []byte
		Set   []int `asn1:"set"`
		In    inner
		OID   asn1.ObjectIdentifier
		Large []byte
	}
	v := outer{
		I: new(big.Int).Lsh(big.NewInt(-3), 300), O: []byte{1, 2, 3}, Set: []int{3, 1, 2},
		In:  inner{B: true, S: "қолтаңба", Bits: asn1.BitString{Bytes: []byte{0xA0}, BitLength: 3}, Tag: 7},
		OID: asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 2}, Large: make([]byte, 70000),
	}
	m, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for name, der := range map[string][]byte{"certificate": cert, "marshal": m} {
		got, err := ToDER(der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, der) {
			t.Fatalf("%s: DER input changed", name)
		}
	}
}

// TestDERUnchangedNCA: the NCA CA certificates and CRL (DER) pass through
// unchanged.
func TestDERUnchangedNCA(t *testing.T) {
	nca := sharedtest.Dir(t, "testdata", "nca")
	names := []string{"gost2015/root_test_gost_2022.cer", "gost2015/nca_gost2022_test.cer", "gost2015/nca_gost2022_test.crl", "rsa2018/nca_rsa_test.crl"}
	for _, name := range names {
		der, err := os.ReadFile(filepath.Join(nca, name))
		if err != nil {
			t.Skipf("../shared absent: %v", err)
		}
		got, err := ToDER(der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, der) {
			t.Fatalf("%s: DER input changed", name)
		}
	}
}

// checkDER walks b with encoding/asn1, which rejects indefinite and
// non-minimal lengths and non-minimal tags, and descends into constructed
// elements.
func checkDER(t testing.TB, b []byte, depth int) {
	t.Helper()
	for len(b) > 0 {
		var rv asn1.RawValue
		rest, err := asn1.Unmarshal(b, &rv)
		if err != nil {
			t.Fatalf("output is not DER: %v (%x)", err, b)
		}
		if rv.IsCompound && depth < 100 {
			if rv.Class == asn1.ClassUniversal && isStringType(uint32(rv.Tag)) {
				t.Fatalf("constructed universal string in output: %x", rv.FullBytes)
			}
			checkDER(t, rv.Bytes, depth+1)
		}
		b = rest
	}
}

func FuzzToDER(f *testing.F) {
	for _, s := range []string{
		"30 80 02 01 05 00 00",
		"24 80 24 80 04 01 aa 00 00 04 01 bb 00 00",
		"23 80 03 02 00 aa 03 02 04 b0 00 00",
		"9f 81 00 00",
		"30 82 00 03 01 01 01",
		"a0 80 30 80 06 03 2a 03 04 00 00 00 00",
	} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := (Limits{MaxSize: 1 << 16}).ToDER(in)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(in) {
				t.Fatalf("error without a valid offset: %v", err)
			}
			return
		}
		again, err := ToDER(out)
		if err != nil {
			t.Fatalf("output does not convert again: %v", err)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("not idempotent:\n%x\n%x", out, again)
		}
		checkDER(t, out, 0)
	})
}
