package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// gostPKI is a GOST-only test PKI written to a temporary folder: each key
// file has its certificate beside it, so the Keys screen shows the holder
// without a password.
func gostPKI(t *testing.T) *testpki.PKI {
	t.Helper()
	p, err := testpki.Generate(testpki.Options{Dir: t.TempDir(), Families: []testpki.Family{testpki.FamilyGOST}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestKeyValidityColours: the Keys screen says, in words and with a badge,
// whether a key is valid, expires within 30 days, has expired or is not
// yet valid — the day the user looks, not the day the key was added.
func TestKeyValidityColours(t *testing.T) {
	p := gostPKI(t)
	head := p.Find("gost/legal_head")
	if head == nil || head.P12Path == "" {
		t.Fatal("no gost/legal_head key file in the test PKI")
	}
	cert := head.Cert
	g := newTestApp(t)
	t.Cleanup(func() { now = time.Now })

	cases := []struct {
		name      string
		at        time.Time
		want      validity
		wantText  string
		wantBadge string
	}{
		{"valid", cert.NotAfter.AddDate(0, 0, -200), validOK,
			T("validity.ok", map[string]any{"Date": cert.NotAfter.Format(time.DateOnly), "Days": 200}), ""},
		{"expires in 10 days", cert.NotAfter.AddDate(0, 0, -10).Add(-time.Hour), validExpiring,
			T("validity.expiring", map[string]any{"Date": cert.NotAfter.Format(time.DateOnly), "Days": 10}), T("badge.expiring")},
		{"expired", cert.NotAfter.Add(time.Hour), validExpired,
			T("validity.expired", map[string]any{"Date": cert.NotAfter.Format(time.DateOnly)}), T("badge.invalid")},
		{"not yet valid", cert.NotBefore.Add(-time.Hour), validNotYet,
			T("validity.notYet", map[string]any{"Date": cert.NotBefore.Format(time.DateOnly)}), T("badge.invalid")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now = func() time.Time { return c.at }
			var screen []string
			var k *keyItem
			onUI(func() {
				g.addKeyFile(head.P12Path, true)
				g.show("keys")
				k = g.keyByURI(g.keysUI.selected)
				screen = texts(g.win.Content())
			})
			if k == nil || k.Certificate == nil {
				t.Fatalf("the key's certificate is not shown without a password (selected %q)", g.keysUI.selected)
			}
			if v, _ := validityOf(k.Certificate, now()); v != c.want {
				t.Errorf("validity = %v, want %v", v, c.want)
			}
			if !contains(screen, c.wantText) {
				t.Errorf("no %q on the Keys screen; texts: %q", c.wantText, screen)
			}
			for _, b := range []string{T("badge.expiring"), T("badge.invalid")} {
				if got := contains(screen, b); got != (b == c.wantBadge) {
					t.Errorf("badge %q shown = %v, want %v", b, got, b == c.wantBadge)
				}
			}
			if c.want == validExpiring && !contains(screen, T("validity.renewSoon")) {
				t.Errorf("no advice to renew before expiry; texts: %q", screen)
			}
		})
	}
}

// TestVerifyVerdicts: the Verify screen's traffic light for a good
// signature of an untrusted test PKI (yellow: the chain cannot be
// confirmed), an altered original (red) and a file that is no signature
// (a plain message, no report).
func TestVerifyVerdicts(t *testing.T) {
	p := gostPKI(t)
	head := p.Find("gost/legal_head")
	dir := t.TempDir()
	original := filepath.Join(dir, "invoice.txt")
	content := []byte("Шот-фактура № 7\n")
	if err := os.WriteFile(original, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sig, err := cms.Sign(bytes.NewReader(content), head.Key, head.Cert, head.Chain()[1:], cms.SignOptions{Detached: true, IncludeChain: true})
	if err != nil {
		t.Fatal(err)
	}
	sigPath := original + ".cms"
	if err := os.WriteFile(sigPath, sig, 0o600); err != nil {
		t.Fatal(err)
	}
	altered := filepath.Join(dir, "invoice-altered.txt")
	if err := os.WriteFile(altered, []byte("Шот-фактура № 8\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "notes.cms")
	if err := os.WriteFile(junk, []byte("not a signature at all"), 0o600); err != nil {
		t.Fatal(err)
	}

	g := newTestApp(t)
	verify := func(file, orig string) []string {
		t.Helper()
		onUI(func() {
			g.verify = verifyState{file: file, original: orig}
			g.show("verify")
			g.startVerify()
		})
		var screen []string
		waitFor(t, "the verification of "+filepath.Base(file), func() bool {
			screen = texts(g.win.Content())
			return !g.verify.busy
		})
		onUI(func() { screen = texts(g.win.Content()) })
		return screen
	}

	screen := verify(sigPath, "")
	r := g.verify.report
	if r == nil || len(r.Signatures) != 1 {
		t.Fatalf("no report for the good signature: err %q, texts %q", g.verify.errText, screen)
	}
	s := r.Signatures[0]
	if s.Indication == pki.TotalFailed {
		t.Errorf("a good signature of the test PKI is red: %+v", s)
	}
	if got := indicationLevel(s.Indication); got == levelBad {
		t.Errorf("level %v for %s", got, s.Indication)
	}
	for _, w := range []string{T("verdict." + string(s.Indication)), head.Cert.Subject.CommonName, head.IIN, T("badge.test")} {
		if !contains(screen, w) {
			t.Errorf("good signature: no %q on screen; texts %q", w, screen)
		}
	}
	if g.verify.original != original {
		t.Errorf("the original beside the signature was not found: %q", g.verify.original)
	}

	screen = verify(sigPath, altered)
	r = g.verify.report
	if r == nil || len(r.Signatures) != 1 || r.Signatures[0].Indication != pki.TotalFailed {
		t.Fatalf("an altered original is not a failed signature: %+v, texts %q", r, screen)
	}
	if !contains(screen, T("verdict.TOTAL_FAILED")) {
		t.Errorf("no red verdict on screen; texts %q", screen)
	}

	screen = verify(junk, original)
	if g.verify.report != nil || g.verify.errText == "" {
		t.Fatalf("a file that is no signature gave a report: %+v", g.verify.report)
	}
	if !contains(screen, T("verify.cannot")) || strings.Contains(strings.Join(screen, "\n"), "asn1") {
		t.Errorf("not a plain message for a non-signature; texts %q", screen)
	}
}
