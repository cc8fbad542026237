package core_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/evidence"
	"github.com/qoltanba/qoltanba/sync/store"
)

// TestSignStoredPDF: a stored PDF signed inside twice becomes versions 2
// and 3; version 3 carries both signatures (the first as recorded on
// version 2), each verifies, and the evidence package checks offline.
func TestSignStoredPDF(t *testing.T) {
	p := gostPKI(t)
	c, _ := batchCore(t)
	ctx := context.Background()
	content, err := os.ReadFile(filepath.Join("..", "..", "signer", "pdf", "testdata", "table.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Store.AddDocument(ctx, store.NewDocument{Name: "contract.pdf", Title: "Шарт № 17", Content: content})
	if err != nil {
		t.Fatal(err)
	}
	trust := pki.NewTrustStore("")
	trust.AddTest(p.Root(testpki.FamilyGOST).Cert)
	for i, who := range []string{"gost/legal_head", "gost/legal_signer"} {
		ui := &scriptUI{secrets: []string{testpki.DefaultPassword}}
		var stamp *core.PDFStamp
		if i == 1 {
			stamp = &core.PDFStamp{Page: 1, Language: "ru"}
		}
		res, err := c.SignDocument(ctx, core.DocumentSignRequest{KeyURI: p.Find(who).P12Path, ID: d.ID,
			Options: docsign.Options{Format: docsign.FormatPDF}, PDFStamp: stamp}, ui)
		if err != nil {
			t.Fatalf("signer %d: %v", i+1, err)
		}
		if res.Signature.Format != "pdf" || res.Signature.Version != uint32(i+2) || res.Signature.Origin != "made" {
			t.Errorf("signer %d: stored %+v", i+1, res.Signature)
		}
		if ui.consents[0].Format != "pdf" {
			t.Errorf("the consent is for %q", ui.consents[0].Format)
		}
	}
	doc, _ := c.Store.Document(ctx, d.ID)
	sigs, _ := c.Store.Signatures(ctx, d.ID, 3)
	if doc.Version != 3 || doc.State != store.StateSigned || len(sigs) != 2 || sigs[0].Signer.CommonName == sigs[1].Signer.CommonName {
		t.Fatalf("document %+v, signatures %+v", doc, sigs)
	}
	signed, _ := c.Store.Content(ctx, d.ID, 3)
	if !bytes.HasPrefix(signed, content) {
		t.Error("the signed PDF does not keep the original's bytes")
	}
	// The evidence package of the document checks offline.
	pkg, err := evidence.Build(ctx, c.Store, d.ID, &pki.Verifier{Trust: trust, Offline: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	pkg.WriteZip(&zipped)
	files, err := evidence.Read(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()), evidence.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	chk, err := evidence.Check(ctx, files, evidence.CheckOptions{Trust: trust})
	if err != nil || len(chk.Problems) != 0 || len(chk.Signatures) != 3 {
		t.Fatalf("the evidence package: %+v %v", chk, err)
	}
	// The signed PDF arriving elsewhere: its two signatures are recorded
	// as received, each with its verification.
	arrived := filepath.Join(t.TempDir(), "contract.signed.pdf")
	os.WriteFile(arrived, signed, 0o600)
	c.UpdateSettings(func(s *core.Settings) { s.Offline = true })
	d2, err := c.ImportFile(ctx, arrived, store.NewDocument{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := c.Store.Signatures(ctx, d2.ID, 1)
	if d2.State != store.StateSigned || len(got) != 2 || got[0].Origin != "received" || got[0].Format != "pdf" || len(got[1].Report) == 0 {
		t.Fatalf("the arrived PDF: %+v, signatures %+v", d2, got)
	}
	// A document that is not a PDF is not signed inside.
	txt, _ := c.Store.AddDocument(ctx, store.NewDocument{Name: "note.txt", Content: []byte("note")})
	if _, err := c.SignDocument(ctx, core.DocumentSignRequest{KeyURI: p.Find("gost/legal_head").P12Path, ID: txt.ID,
		Options: docsign.Options{Format: docsign.FormatPDF}}, &scriptUI{}); err == nil {
		t.Error("a text document was signed as a PDF")
	}
}
