package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/rawsig"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func requireValid(t *testing.T, ev []pki.Evidence, want int) {
	t.Helper()
	if len(ev) != want {
		t.Fatalf("%d signatures, want %d", len(ev), want)
	}
	for i, e := range ev {
		if !e.SignatureValid || !e.DigestValid {
			t.Errorf("signature %d: signature valid %v, digest valid %v: %s", i, e.SignatureValid, e.DigestValid, e.CryptoError)
		}
	}
}

func TestSignWithNCAKey(t *testing.T) {
	nca := sharedNCA(t)
	head := filepath.Join(nca, "gost2015/legal/valid/head.p12")
	signer2 := filepath.Join(nca, "gost2015/legal/valid/employee_signright.p12")
	agreement := writeTemp(t, "agreement.txt", "Пайдаланушы келісімі — user agreement\n")
	xmlDoc := writeTemp(t, "request.xml", `<?xml version="1.0" encoding="UTF-8"?><request><data Id="d1">Өтініш</data><meta>x</meta></request>`)
	sign := func(t *testing.T, args ...string) string {
		t.Helper()
		code, _, stderr := runCLI(t, "Qwerty12\n", append([]string{"sign", "--password-stdin"}, args...)...)
		if code != 0 {
			t.Fatalf("sign %v: exit %d: %s", args, code, stderr)
		}
		if !strings.Contains(stderr, "Signing ") || !strings.Contains(stderr, "Signer: ") {
			t.Errorf("stderr does not show what is signed and by whom:\n%s", stderr)
		}
		return stderr
	}

	t.Run("cms attached", func(t *testing.T) {
		sign(t, "--key", head, agreement)
		out, err := os.ReadFile(agreement + ".cms")
		if err != nil {
			t.Fatal(err)
		}
		ev, err := cms.Verify(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		requireValid(t, ev, 1)
	})
	t.Run("cms detached pem, then co-signed", func(t *testing.T) {
		first := filepath.Join(t.TempDir(), "a.cms")
		sign(t, "--key", head, "--detached", "--pem", agreement, "-o", first)
		pemData, _ := os.ReadFile(first)
		if !bytes.HasPrefix(pemData, []byte("-----BEGIN CMS-----")) {
			t.Errorf("not PEM: %.40q", pemData)
		}
		sign(t, "--key", head, "--cosign", "--data", agreement, first)
		cosigned := strings.TrimSuffix(first, ".cms") + ".cosigned.cms"
		out, err := os.ReadFile(cosigned)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.Open(agreement)
		defer data.Close()
		ev, err := cms.Verify(out, data)
		if err != nil {
			t.Fatal(err)
		}
		requireValid(t, ev, 2)
	})
	t.Run("xml whole document, then by Id compact", func(t *testing.T) {
		sign(t, "--key", head, xmlDoc)
		signed := strings.TrimSuffix(xmlDoc, ".xml") + ".signed.xml"
		out, _ := os.ReadFile(signed)
		ev, err := xmldsig.Verify(out)
		if err != nil {
			t.Fatal(err)
		}
		requireValid(t, ev, 1)

		byID := filepath.Join(t.TempDir(), "byid.xml")
		sign(t, "--key", head, "--xml-id", "d1", "--compact", xmlDoc, "-o", byID)
		out, _ = os.ReadFile(byID)
		if bytes.Contains(out, []byte("\n<ds:")) {
			t.Error("compact output has line breaks between elements")
		}
		ev, err = xmldsig.Verify(out)
		if err != nil {
			t.Fatal(err)
		}
		requireValid(t, ev, 1)
		if !strings.Contains(ev[0].Scope, "d1") {
			t.Errorf("scope %q does not name the element", ev[0].Scope)
		}
	})
	t.Run("raw", func(t *testing.T) {
		sign(t, "--key", signer2, "--format", "raw", agreement)
		sig, _ := os.ReadFile(agreement + ".sig")
		if len(sig) != 128 {
			t.Fatalf("GOST-512 raw signature is %d bytes, want 128", len(sig))
		}
		data, _ := os.ReadFile(agreement)
		key, err := keyfile.Open(signer2, []byte("Qwerty12"))
		if err != nil {
			t.Fatal(err)
		}
		defer key.Close()
		pub, err := rawsig.CertificateKey(key.Certificate)
		if err != nil {
			t.Fatal(err)
		}
		if err := rawsig.Verify(pub, data, sig); err != nil {
			t.Errorf("raw signature does not verify: %v", err)
		}
		if err := rawsig.Verify(pub, append(data, '!'), sig); err == nil {
			t.Error("raw signature verifies over other data")
		}
	})
}

func TestSignErrors(t *testing.T) {
	nca := sharedNCA(t)
	head := filepath.Join(nca, "gost2015/legal/valid/head.p12")
	doc := writeTemp(t, "doc.txt", "text")
	notCMS := writeTemp(t, "plain.cms", "not a signature")
	dtd := writeTemp(t, "dtd.xml", `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`)
	folder := t.TempDir()
	tests := []struct {
		name   string
		stdin  string
		args   []string
		stderr string
	}{
		{"no key", "", []string{"sign", doc}, "name the key with --key"},
		{"no file", "", []string{"sign", "--key", head}, "name one file to sign"},
		{"unknown format", "", []string{"sign", "--key", head, "--format", "docx", doc}, `unknown format "docx"`},
		{"pdf flag", "", []string{"sign", "--key", head, "--format", "pdf", "--detached", doc}, "pdf writes the signed PDF to a file"},
		{"not a pdf", "", []string{"sign", "--key", head, "--format", "pdf", doc}, "not a PDF file"},
		{"xml flag on cms", "", []string{"sign", "--key", head, "--format", "cms", "--xml-id", "x", doc}, "are for xml"},
		{"cms flag on xml", "", []string{"sign", "--key", head, "--format", "xml", "--detached", doc}, "are for cms"},
		{"missing input", "Qwerty12\n", []string{"sign", "--key", head, "/nonexistent/doc.txt"}, "file to sign"},
		{"missing key", "Qwerty12\n", []string{"sign", "--key", "/nonexistent/key.p12", doc}, "key file /nonexistent/key.p12 does not exist"},
		{"wrong password", "nope\n", []string{"sign", "--key", head, "--password-stdin", doc}, "wrong password"},
		{"cosign not a CMS", "Qwerty12\n", []string{"sign", "--key", head, "--password-stdin", "--cosign", notCMS}, "is not a CMS signature"},
		// Bad input is found before the secret is asked: no --password-stdin
		// and no terminal, so asking would fail with "no password given".
		{"xml that is not XML", "", []string{"sign", "--key", head, "--format", "xml", doc}, "not well-formed XML"},
		{"xml with a DTD", "", []string{"sign", "--key", head, dtd}, "DOCTYPE"},
		{"a folder", "", []string{"sign", "--key", head, folder}, "is not a regular file"},
		{"cosign not a CMS, no secret", "", []string{"sign", "--key", head, "--cosign", notCMS}, "is not a CMS signature"},
		{"key that is not a key", "", []string{"sign", "--key", doc, doc}, "not a PKCS#12 file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.stdin, tt.args...)
			if code != 1 || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", code, stderr, tt.stderr)
			}
			if strings.Contains(stderr, "no password given") {
				t.Errorf("the password was asked before the input was checked:\n%s", stderr)
			}
		})
	}
}
