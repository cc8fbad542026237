package cms_test

import (
	"bytes"
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/cms"
)

// TestReportsWhatIsNotVerified: what a CMS file holds beyond the signature
// that was checked is named in every signer's evidence, never dropped in
// silence: a second PEM block, data after the block, an unknown algorithm
// in digestAlgorithms.
func TestReportsWhatIsNotVerified(t *testing.T) {
	r := getRSA(t)
	content := []byte("Акт № 4")
	der, err := cms.Sign(bytes.NewReader(content), r.alice.key, r.alice.cert, nil, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pemOne := cms.EncodePEM(der)
	other, err := cms.Sign(bytes.NewReader([]byte("другой")), r.alice.key, r.alice.cert, nil, cms.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   []byte
		want string // in a warning; "" for none
	}{
		{"one PEM block", pemOne, ""},
		{"two PEM blocks", append(append([]byte{}, pemOne...), cms.EncodePEM(other)...), "second PEM block (CMS)"},
		{"text after the block", append(append([]byte{}, pemOne...), "tail"...), "4 bytes follow the PEM block"},
		{"unknown digest algorithm listed", withExtraDigestAlg(t, der, asn1.ObjectIdentifier{1, 2, 3, 4, 5}), "unknown algorithm 1.2.3.4.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := cms.Verify(tt.in, nil)
			if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(append(ev[0].Warnings, ev[0].Unverified...), "\n")
			switch {
			case tt.want == "" && joined != "":
				t.Errorf("warnings %q", joined)
			case tt.want != "" && !strings.Contains(joined, tt.want):
				t.Errorf("warnings %q lack %q", joined, tt.want)
			}
			if strings.Contains(tt.want, "PEM") != (len(ev[0].Unverified) > 0) {
				t.Errorf("unverified %q", ev[0].Unverified)
			}
			if !ev[0].DigestValid || !ev[0].SignatureValid {
				t.Errorf("the first signature no longer verifies: %+v", ev[0])
			}
		})
	}
}

// withExtraDigestAlg adds an AlgorithmIdentifier with oid to the
// digestAlgorithms SET of a DER CMS (which no signature covers).
func withExtraDigestAlg(t *testing.T, der []byte, oid asn1.ObjectIdentifier) []byte {
	t.Helper()
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"explicit,tag:0"`
	}
	if _, err := asn1.Unmarshal(der, &ci); err != nil {
		t.Fatal(err)
	}
	var sdSeq, version, algs asn1.RawValue
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sdSeq); err != nil {
		t.Fatal(err)
	}
	rest, err := asn1.Unmarshal(sdSeq.Bytes, &version)
	if err != nil {
		t.Fatal(err)
	}
	if rest, err = asn1.Unmarshal(rest, &algs); err != nil {
		t.Fatal(err)
	}
	extra, _ := asn1.Marshal(struct{ OID asn1.ObjectIdentifier }{oid})
	set, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: append(append([]byte{}, algs.Bytes...), extra...)})
	body := append(append(append([]byte{}, version.FullBytes...), set...), rest...)
	sdDER, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	typ, _ := asn1.Marshal(ci.Type)
	wrapped, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sdDER})
	out, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: append(typ, wrapped...)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
