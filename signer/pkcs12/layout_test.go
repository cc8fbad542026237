package pkcs12

import (
	"bytes"
	"encoding/asn1"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/internal/ber"
)

// skeleton lists every element of DER b as depth, class, tag and length,
// with the contents of OIDs, INTEGERs and BOOLEANs; OCTET STRING contents
// (salts, ciphertexts, MACs) are left out. Two files with the same skeleton
// have the same layout.
func skeleton(t *testing.T, b []byte, depth int, out *strings.Builder) {
	t.Helper()
	for len(b) > 0 {
		var rv asn1.RawValue
		rest, err := asn1.Unmarshal(b, &rv)
		if err != nil {
			t.Fatalf("skeleton: %v", err)
		}
		fmt.Fprintf(out, "%*s%d/%d len %d", 2*depth, "", rv.Class, rv.Tag, len(rv.Bytes))
		if rv.Class == asn1.ClassUniversal && (rv.Tag == asn1.TagOID || rv.Tag == asn1.TagInteger || rv.Tag == asn1.TagBoolean) {
			fmt.Fprintf(out, " %x", rv.Bytes)
		}
		out.WriteByte('\n')
		if rv.IsCompound {
			skeleton(t, rv.Bytes, depth+1, out)
		}
		b = rest
	}
}

// layoutOf returns the skeletons of a file: the PFX, the AuthenticatedSafe,
// and each SafeContents after decryption (with the shrouded key's
// ciphertext left out as an OCTET STRING).
func layoutOf(t *testing.T, data []byte, password string) []string {
	t.Helper()
	var out []string
	sk := func(b []byte) {
		der, err := ber.ToDER(b)
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		skeleton(t, der, 0, &sb)
		out = append(out, sb.String())
	}
	der, err := ber.ToDER(data)
	if err != nil {
		t.Fatal(err)
	}
	sk(der)
	var pfx pfxPDU
	if err := unmarshalExact(der, &pfx); err != nil {
		t.Fatal(err)
	}
	as, _ := octetContent(pfx.AuthSafe, "layout")
	sk(as)
	asDER, _ := ber.ToDER(as)
	var cis []contentInfo
	if err := unmarshalExact(asDER, &cis); err != nil {
		t.Fatal(err)
	}
	d := &decoder{password: []byte(password)}
	for _, ci := range cis {
		var safe []byte
		if ci.ContentType.Equal(oidData) {
			safe, _ = octetContent(ci, "layout")
		} else if safe, err = d.decryptData(ci, "layout"); err != nil {
			t.Fatal(err)
		}
		sk(safe)
	}
	return out
}

// TestLegacyNCALayout re-encodes the key and certificate of every NCA file
// with LegacyNCA and checks that the result has NCA's layout element for
// element (algorithms, parameters, attribute order, iteration counts and
// every length), apart from NCA's BER indefinite lengths, which ToDER
// normalises before comparing.
func TestLegacyNCALayout(t *testing.T) {
	for _, path := range ncaFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Decode(data, ncaPassword)
		if err != nil {
			t.Fatal(err)
		}
		e := f.Entries[0]
		ours, err := Encode(e.PrivateKey, e.Certificate, e.Chain, ncaPassword, &Options{Layout: LegacyNCA})
		if err != nil {
			t.Fatal(err)
		}
		want, got := layoutOf(t, data, ncaPassword), layoutOf(t, ours, ncaPassword)
		if len(want) != len(got) {
			t.Fatalf("%s: %d layers, want %d", filepath.Base(path), len(got), len(want))
		}
		for i := range want {
			if want[i] != got[i] {
				t.Errorf("%s: layer %d differs:\nNCA:\n%s\nours:\n%s", filepath.Base(path), i, want[i], got[i])
			}
		}
		if !bytes.Equal(f.Entries[0].LocalKeyID, e.Certificate.SubjectKeyId) {
			t.Errorf("%s: localKeyId is not the SubjectKeyId", filepath.Base(path))
		}
	}
}
