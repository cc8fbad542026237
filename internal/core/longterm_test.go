package core_test

import (
	"context"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pdf"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// TestPDFLongTerm: a PDF signed online with a timestamp carries the data
// to verify it later (PAdES-B-LT): its certificates and the OCSP response
// go into a document security store that keeps the signature valid; on
// another computer, offline with an empty cache, it verifies as valid from
// that data, where the same signature without it is indeterminate.
func TestPDFLongTerm(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := testpki.Generate(testpki.Options{Dir: t.TempDir(), BaseURL: "http://" + ln.Addr().String(), Families: []testpki.Family{testpki.FamilyGOST}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(testpki.NewServer(p))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	root := p.Root(testpki.FamilyGOST).CertPath

	newCore := func(offline bool) *core.Core {
		c, err := core.New(core.Options{DataDir: t.TempDir(), Keys: core.NewKeys(nil, nil)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := c.ImportRoot(root); err != nil {
			t.Fatal(err)
		}
		c.UpdateSettings(func(s *core.Settings) { s.Offline = offline })
		return c
	}
	src, err := os.ReadFile(filepath.Join("..", "..", "signer", "pdf", "testdata", "table.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sign := func(name, tsa string) string {
		in, out := filepath.Join(dir, name+".pdf"), filepath.Join(dir, name+".signed.pdf")
		os.WriteFile(in, src, 0o600)
		c := newCore(false)
		res, err := c.Sign(context.Background(), core.SignRequest{KeyURI: p.Find("gost/legal_head").P12Path, Format: signer.FormatPDF,
			Items: []core.Item{{Path: in, Output: out}}, TSA: tsa}, &scriptUI{secrets: []string{testpki.DefaultPassword}})
		if err != nil {
			t.Fatal(err)
		}
		if w := res.Outputs[0].Warning; w != "" {
			t.Fatalf("%s: %s", name, w)
		}
		return out
	}
	lt := sign("lt", srv.URL+"/tsp")
	plain := sign("plain", "")

	fh, _ := os.Open(lt)
	info, _ := fh.Stat()
	f, err := pdf.Open(fh, info.Size())
	if err != nil {
		t.Fatal(err)
	}
	dss, _ := pdf.ReadDSS(f)
	_, sigs, _ := pdf.Verify(f)
	fh.Close()
	if len(dss.OCSPs) == 0 || len(dss.Certs) < 3 || len(sigs) != 1 || sigs[0].After != pdf.ValidationData {
		t.Fatalf("the signed PDF's store: %d certificates, %d OCSP responses, %d CRLs; after the signature: %v", len(dss.Certs), len(dss.OCSPs), len(dss.CRLs), sigs)
	}

	// Elsewhere, offline, with nothing cached.
	for _, tc := range []struct {
		file string
		want pki.Indication
	}{{lt, pki.TotalPassed}, {plain, pki.Indeterminate}} {
		r, _, err := newCore(true).VerifyFile(context.Background(), tc.file, "", core.VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Signatures[0].Indication; got != tc.want {
			t.Errorf("%s offline: %s %s, want %s", filepath.Base(tc.file), got, r.Signatures[0].SubIndication, tc.want)
		}
	}
}
