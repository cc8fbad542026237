package xmldsig

import (
	"bytes"
	"path/filepath"
	"regexp"
	"testing"
)

var kalkanSamples = []struct {
	name  string
	opts  SignOptions
	scope string
}{
	{"xml_simple", SignOptions{}, "whole document"},
	{"xml_ns", SignOptions{}, "whole document"},
	{"xml_xpath", SignOptions{ID: "part"}, `element Id="part" at /root/a`},
}

// TestKalkanSamplesVerify: the GOST-512 documents NCALayer signed verify, and
// the certificate reported is the self-signed one they carry.
func TestKalkanSamplesVerify(t *testing.T) {
	_, cert := kalkanKey(t)
	for _, s := range kalkanSamples {
		t.Run(s.name, func(t *testing.T) {
			evs, err := Verify(readFile(t, filepath.Join(kalkanDir(t), s.name+".signed.xml")))
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("%d signatures, want 1", len(evs))
			}
			ev := evs[0]
			if !ev.DigestValid || !ev.SignatureValid {
				t.Fatalf("digest %v signature %v: %s", ev.DigestValid, ev.SignatureValid, ev.CryptoError)
			}
			if ev.Certificate == nil || !ev.Certificate.Equal(cert) {
				t.Errorf("certificate is not the sample's self-signed one")
			}
			if ev.Certificate != nil && ev.Certificate.Subject.CommonName != "TEST GOST512" {
				t.Errorf("CN %q", ev.Certificate.Subject.CommonName)
			}
			if ev.Scope != s.scope || ev.Format != "xmldsig" || ev.DigestAlgorithm != "GOST34.11-2015-512" || ev.SignatureAlgorithm != "GOST34.10-2015-512" {
				t.Errorf("evidence %+v", ev)
			}
			if len(ev.Warnings) != 0 {
				t.Errorf("warnings %q", ev.Warnings)
			}
		})
	}
}

var signatureValueRE = regexp.MustCompile(`(?s)<ds:SignatureValue>.*?</ds:SignatureValue>`)

func blankSignatureValue(b []byte) []byte {
	return signatureValueRE.ReplaceAll(b, []byte("<ds:SignatureValue>X</ds:SignatureValue>"))
}

// TestKalkanShape signs each Kalkan input with the sample key and compares
// with NCALayer's output byte for byte, SignatureValue aside (GOST signatures
// are randomized); the compact style must be the same document without the
// layout whitespace.
func TestKalkanShape(t *testing.T) {
	key, cert := kalkanKey(t)
	dir := kalkanDir(t)
	for _, s := range kalkanSamples {
		t.Run(s.name, func(t *testing.T) {
			input := readFile(t, filepath.Join(dir, s.name+".input.xml"))
			want := readFile(t, filepath.Join(dir, s.name+".signed.xml"))

			got, err := Sign(input, key, cert, s.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(blankSignatureValue(got), blankSignatureValue(want)) {
				t.Errorf("NCALayer style differs from Kalkan's:\n got %q\nwant %q", blankSignatureValue(got), blankSignatureValue(want))
			}
			mustVerify(t, got, s.scope)

			opts := s.opts
			opts.Style = StyleCompact
			compact, err := Sign(input, key, cert, opts)
			if err != nil {
				t.Fatal(err)
			}
			// Compact = Kalkan's output minus newlines and CR LF wrapping
			// inside the signature, and with the signature value unwrapped.
			wantCompact := compactOf(blankSignatureValue(want))
			if !bytes.Equal(blankSignatureValue(compact), wantCompact) {
				t.Errorf("compact style:\n got %q\nwant %q", blankSignatureValue(compact), wantCompact)
			}
			if bytes.ContainsAny(compact[bytes.Index(compact, []byte("<ds:Signature")):], "\r\n") || bytes.Contains(compact, []byte("&#13;")) {
				t.Errorf("compact style contains line breaks")
			}
			mustVerify(t, compact, s.scope)
		})
	}
}

func compactOf(b []byte) []byte {
	i := bytes.Index(b, []byte("<ds:Signature"))
	sig := bytes.ReplaceAll(b[i:], []byte("&#13;\n"), nil)
	sig = bytes.ReplaceAll(sig, []byte("\n"), nil)
	return append(append([]byte(nil), b[:i]...), sig...)
}

func mustVerify(t *testing.T, doc []byte, scope string) {
	t.Helper()
	evs, err := Verify(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if !ev.DigestValid || !ev.SignatureValid {
			t.Fatalf("signature %d: digest %v signature %v: %s\n%s", ev.Index, ev.DigestValid, ev.SignatureValid, ev.CryptoError, doc)
		}
	}
	if scope != "" && evs[len(evs)-1].Scope != scope {
		t.Errorf("scope %q, want %q", evs[len(evs)-1].Scope, scope)
	}
}
