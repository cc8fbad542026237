package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
)

// TestSignNeverOverwrites: signing a file again does not replace the
// signature beside it: it is refused, before the password, with the command
// that adds the second signature; that command keeps both; --force replaces.
func TestSignNeverOverwrites(t *testing.T) {
	p, _ := servedPKI(t)
	t.Setenv(dataDirEnv, t.TempDir())
	first, second := p.Find("gost/legal_head").P12Path, p.Find("gost/legal_signer").P12Path
	pw := testpki.DefaultPassword + "\n"

	for _, detached := range []bool{false, true} {
		doc := writeTemp(t, "act.txt", "Акт № 9")
		args := []string{"sign", "--password-stdin", doc}
		if detached {
			args = append(args, "--detached")
		}
		if code, _, stderr := runCLI(t, pw, append(args, "--key", first)...); code != 0 {
			t.Fatalf("first: %d %s", code, stderr)
		}
		before, _ := os.ReadFile(doc + ".cms")
		code, _, stderr := runCLI(t, "", append(args, "--key", second)...) // no password: asking would fail
		if code != 1 || !strings.Contains(stderr, "never overwritten") || !strings.Contains(stderr, "--cosign --data") || strings.Contains(stderr, "no password given") {
			t.Fatalf("second, detached=%v: exit %d\n%s", detached, code, stderr)
		}
		if after, _ := os.ReadFile(doc + ".cms"); !bytes.Equal(before, after) {
			t.Fatal("the first signature was changed")
		}
		// The hint's command: both signatures in one CMS.
		code, _, stderr = runCLI(t, pw, "sign", "--key", second, "--password-stdin", "--cosign", "--data", doc, "-o", doc+".cms", doc+".cms")
		if code != 0 {
			t.Fatalf("co-sign, detached=%v: %d %s", detached, code, stderr)
		}
		var content []byte
		if detached {
			content = []byte("Акт № 9")
		}
		sig, _ := os.ReadFile(doc + ".cms")
		if n, err := validSigners(sig, content); err != nil || n != 2 {
			t.Fatalf("co-signed, detached=%v: %v, %d valid signers", detached, err, n)
		}
		// A co-signature of another file's signature is refused.
		other := writeTemp(t, "other.txt", "другой")
		code, _, stderr = runCLI(t, "", "sign", "--key", second, "--cosign", "--data", other, "-o", doc+".cms", doc+".cms")
		if code != 1 || strings.Contains(stderr, "no password given") {
			t.Errorf("co-sign with another original, detached=%v: exit %d\n%s", detached, code, stderr)
		}
		// --force replaces.
		if code, _, stderr := runCLI(t, pw, append(args, "--key", second, "--force")...); code != 0 {
			t.Fatalf("--force: %d %s", code, stderr)
		}
	}

	// XML: the signed copy is refused too, and signing it in place adds one.
	doc := writeTemp(t, "a.xml", `<?xml version="1.0" encoding="UTF-8"?><a><b>Келісім</b></a>`)
	if code, _, stderr := runCLI(t, pw, "sign", "--key", first, "--password-stdin", doc); code != 0 {
		t.Fatalf("xml first: %d %s", code, stderr)
	}
	signed := strings.TrimSuffix(doc, ".xml") + ".signed.xml"
	if code, _, stderr := runCLI(t, "", "sign", "--key", second, doc); code != 1 || !strings.Contains(stderr, "-o "+signed+" "+signed) {
		t.Fatalf("xml second: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, pw, "sign", "--key", second, "--password-stdin", "-o", signed, signed); code != 0 {
		t.Fatalf("xml in place: %d %s", code, stderr)
	}
	data, _ := os.ReadFile(signed)
	if ev, err := xmldsig.Verify(data); err != nil || len(ev) != 2 {
		t.Fatalf("xml: %v, %d signatures", err, len(ev))
	}
}

// validSigners counts the signers of a CMS that verify (content: the
// original of a detached one, nil for an attached one).
func validSigners(sig, content []byte) (int, error) {
	var r io.Reader
	if content != nil {
		r = bytes.NewReader(content)
	}
	ev, err := cms.Verify(sig, r)
	n := 0
	for _, e := range ev {
		if e.DigestValid && e.SignatureValid {
			n++
		}
	}
	return n, err
}
