package core_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// batchCore is a core over a bbolt store in its own folder.
func batchCore(t testing.TB) (*core.Core, string) {
	t.Helper()
	c, err := core.New(core.Options{DataDir: t.TempDir(), Keys: core.NewKeys(nil, nil)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, withStore(t, c)
}

// withStore gives c a bbolt store in a folder of its own (returned), and
// makes it work offline.
func withStore(t testing.TB, c *core.Core) string {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "store"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Store = st
	c.UpdateSettings(func(s *core.Settings) { s.Offline = true })
	t.Cleanup(func() { st.Close() })
	return dir
}

func addDocs(t testing.TB, c *core.Core, n, size int, name string) []store.ID {
	t.Helper()
	var nds []store.NewDocument
	for i := range n {
		body := fmt.Sprintf("%s %d\n", name, i) + strings.Repeat("x", size)
		nds = append(nds, store.NewDocument{Name: fmt.Sprintf("%s-%04d.txt", name, i), Content: []byte(body[:size])})
	}
	docs, err := c.Store.AddDocuments(context.Background(), nds)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]store.ID, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}

// TestSignDocumentsBatch: 200 documents signed with one consent and one
// password; a damaged document is skipped and the rest signed; a second
// batch cancelled half way keeps what it signed and says what it did not.
func TestSignDocumentsBatch(t *testing.T) {
	p := gostPKI(t)
	c, dir := batchCore(t)
	batchStory(t, c, dir, p.Find("gost/legal_head").P12Path, testpki.DefaultPassword)
}

// batchStory signs 200 documents and a damaged one with key in one batch,
// then cancels a second batch half way, checking the summaries against the
// store; secret opens the key (a password or a PIN).
func batchStory(t *testing.T, c *core.Core, dir, key, secret string) {
	ctx := context.Background()
	ids := addDocs(t, c, 200, 1024, "invoice")
	// One large document, damaged on disk (its content lives in a file).
	big, err := c.Store.AddDocument(ctx, store.NewDocument{Name: "scan.txt", Content: []byte(strings.Repeat("s", 40<<10))})
	if err != nil {
		t.Fatal(err)
	}
	blobs, _ := filepath.Glob(filepath.Join(dir, "store", "blobs", "*", "*"))
	if len(blobs) != 1 {
		t.Fatalf("blob files: %v", blobs)
	}
	os.Chmod(blobs[0], 0o600)
	if err := os.WriteFile(blobs[0], []byte(strings.Repeat("S", 40<<10)), 0o600); err != nil {
		t.Fatal(err)
	}
	ui := &scriptUI{secrets: []string{secret}}
	res, err := c.SignDocuments(ctx, core.DocumentsSignRequest{KeyURI: key, IDs: append(ids, big.ID)}, ui)
	if err != nil {
		t.Fatal(err)
	}
	if res.Signed != 200 || res.Skipped != 1 || res.Failed != 0 || len(ui.requests) != 1 || len(ui.consents) != 1 {
		t.Fatalf("batch: signed %d, skipped %d, failed %d; %d passwords asked, %d consents", res.Signed, res.Skipped, res.Failed, len(ui.requests), len(ui.consents))
	}
	if last := res.Items[len(res.Items)-1]; last.ID != big.ID || !strings.Contains(last.Skipped, "does not match") || last.Title != "scan.txt" {
		t.Errorf("the damaged document: %+v", last)
	}
	if n := ui.consents[0].Count; n != 200 {
		t.Errorf("the consent counts %d documents", n)
	}
	for _, id := range ids[:3] {
		if sigs, _ := c.Store.Signatures(ctx, id, 1); len(sigs) != 1 {
			t.Errorf("%s has %d signatures", id, len(sigs))
		}
	}

	// A second batch, cancelled half way through.
	more := addDocs(t, c, 100, 1024, "act")
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ui2 := &scriptUI{secrets: []string{secret}}
	res, err = c.SignDocuments(cctx, core.DocumentsSignRequest{KeyURI: key, IDs: more,
		Progress: func(stage core.Stage, f float64) {
			if stage == core.StageSign && f >= 0.5 {
				cancel()
			}
		}}, ui2)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled batch: %v", err)
	}
	if res.Signed == 0 || res.Signed >= 100 || res.Signed+res.Failed != 100 {
		t.Fatalf("cancelled batch: signed %d, failed %d", res.Signed, res.Failed)
	}
	stored := 0
	for i, id := range more {
		sigs, _ := c.Store.Signatures(ctx, id, 1)
		stored += len(sigs)
		if (len(sigs) == 1) != (res.Items[i].Signature != nil) {
			t.Errorf("%s: %d signatures stored, summary %+v", id, len(sigs), res.Items[i])
		}
	}
	if stored != res.Signed {
		t.Errorf("%d stored, the summary says %d", stored, res.Signed)
	}
}

// BenchmarkSignDocuments: 1,000 stored documents of 10 KB signed with one
// password, each signature verified (offline) and stored in the bbolt
// store — the figure (goal: ≤ 2 s RSA-2048, ≤ 10 s GOST-512).
//
//	go test -run '^$' -bench SignDocuments -benchtime 1x ./internal/core/
func BenchmarkSignDocuments(b *testing.B) {
	for _, family := range []testpki.Family{testpki.FamilyGOST, testpki.FamilyRSA} {
		b.Run(string(family), func(b *testing.B) {
			var keyPath string
			if family == testpki.FamilyGOST {
				keyPath = gostPKI(&testing.T{}).Find("gost/legal_head").P12Path
			} else {
				p, err := testpki.Generate(testpki.Options{Dir: b.TempDir(), Families: []testpki.Family{testpki.FamilyRSA}})
				if err != nil {
					b.Fatal(err)
				}
				keyPath = p.Find("rsa/legal_head").P12Path
			}
			for range b.N {
				c, _ := batchCore(b)
				ids := addDocs(b, c, 1000, 10<<10, "doc")
				b.ResetTimer()
				res, err := c.SignDocuments(context.Background(), core.DocumentsSignRequest{KeyURI: keyPath, IDs: ids},
					&scriptUI{secrets: []string{testpki.DefaultPassword}})
				b.StopTimer()
				if err != nil || res.Signed != 1000 {
					b.Fatalf("signed %d: %v", res.Signed, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/1000docs")
		})
	}
}

// TestSignDocumentsBatchPDF: in one batch, with one password, PDFs are
// signed inside — each becomes its next version, stamped where asked —
// while a text gets a CMS and an XML an XMLDSig; a PDF signed as a
// detached CMS when the batch says so.
func TestSignDocumentsBatchPDF(t *testing.T) {
	p := gostPKI(t)
	c, _ := batchCore(t)
	ctx := context.Background()
	pdfBytes, err := os.ReadFile(filepath.Join("..", "..", "signer", "pdf", "testdata", "table.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := c.Store.AddDocuments(ctx, []store.NewDocument{
		{Name: "act-1.pdf", Content: pdfBytes}, {Name: "act-2.pdf", Content: pdfBytes},
		{Name: "note.txt", Content: []byte("Хат")},
		{Name: "invoice.xml", Content: []byte(`<?xml version="1.0" encoding="UTF-8"?><invoice n="1"/>`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []store.ID
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	ui := &scriptUI{secrets: []string{testpki.DefaultPassword}}
	res, err := c.SignDocuments(ctx, core.DocumentsSignRequest{KeyURI: p.Find("gost/legal_head").P12Path, IDs: ids,
		PDFStamp: &core.PDFStamp{Page: -1, Corner: "top-right", Language: "kk"}}, ui)
	if err != nil {
		t.Fatal(err)
	}
	if res.Signed != 4 || res.Failed+res.Skipped != 0 || len(ui.requests) != 1 || len(ui.consents) != 1 {
		t.Fatalf("batch: %+v; %d passwords asked, %d consents", res, len(ui.requests), len(ui.consents))
	}
	for i, want := range []struct {
		format  string
		version uint32
	}{{"pdf", 2}, {"pdf", 2}, {"cms", 1}, {"xmldsig", 1}} {
		d, err := c.Store.Document(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		sigs, _ := c.Store.Signatures(ctx, ids[i], d.Version)
		if d.Version != want.version || len(sigs) != 1 || sigs[0].Format != want.format {
			t.Errorf("%s: version %d, signatures %d (%v), want version %d and one %s", docs[i].Name, d.Version, len(sigs), sigs, want.version, want.format)
		}
		if want.format == "pdf" {
			signed, _ := c.Store.Content(ctx, ids[i], 2)
			if !strings.Contains(string(signed), "/FontFile2") {
				t.Errorf("%s: no stamp in the signed PDF", docs[i].Name)
			}
		}
	}
	// A detached batch signs a PDF as CMS, beside it.
	more, _ := c.Store.AddDocument(ctx, store.NewDocument{Name: "act-3.pdf", Content: pdfBytes})
	ui = &scriptUI{secrets: []string{testpki.DefaultPassword}}
	res, err = c.SignDocuments(ctx, core.DocumentsSignRequest{KeyURI: p.Find("gost/legal_head").P12Path, IDs: []store.ID{more.ID},
		Options: docsign.Options{Detached: true}}, ui)
	if err != nil || res.Signed != 1 || res.Items[0].Signature.Format != "cms" {
		t.Errorf("a detached batch on a PDF: %+v %v", res, err)
	}
}
