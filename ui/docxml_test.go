package ui

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/beevik/etree"

	"github.com/qoltanba/qoltanba/internal/verifytest"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
	"github.com/qoltanba/qoltanba/sync/store"
)

const invoiceXML = `<?xml version="1.0" encoding="UTF-8"?>
<invoice number="118"><seller bin="910240000024">ТОО Альфа</seller><total currency="KZT">1250000</total></invoice>`

// TestDocumentsSignXML: an XML document in the store is signed from the
// Documents screen with an RSA key file. The stored signature is an
// enveloped XMLDSig of the whole document that signer/xmldsig and the
// independent xmlsec1 both verify; the document shows the signature and
// the journal; the evidence package exports and checks.
func TestDocumentsSignXML(t *testing.T) {
	p := rsaTestPKI(t)
	head := p.Find("rsa/legal_head")
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	doc, err := st.AddDocument(ctx, store.NewDocument{Name: "invoice-118.xml", Kind: store.KindInvoice, Content: []byte(invoiceXML)})
	if err != nil {
		t.Fatal(err)
	}
	g := newTestAppWith(t, Options{Store: st})
	g.settings.Offline = true
	installTestPKI(t, g.settings.DataDir, p)
	key := writeP12(t, head, t.TempDir())
	onUI(func() {
		g.addKeyFile(key, false)
		g.show("documents")
	})
	openAndWait(t, g, doc.ID)

	// The key choice says the signature is XML, and offers no CMS options.
	onUI(func() { g.docSignDialog(doc.ID) })
	if g.docs.signDialog == nil {
		t.Fatal("no key choice dialog")
	}
	var dialogTexts []string
	onUI(func() { dialogTexts = texts(g.win.Canvas().Overlays().Top()) })
	if !contains(dialogTexts, T("sign.xmlNote")) || contains(dialogTexts, T("sign.detached")) {
		t.Errorf("the key choice for an XML document: texts %q", dialogTexts)
	}
	onUI(func() { g.docs.signDialog.Confirm() })
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	var summary string
	onUI(func() {
		for _, r := range g.secret.summary {
			summary += r[0] + "=" + r[1] + "\n"
		}
	})
	for _, w := range []string{"Document=invoice-118.xml (version 1, invoice-118.xml)", "Format=" + T("sign.formatXML"), "Key=" + head.Cert.Subject.CommonName} {
		if !strings.Contains(summary, w) {
			t.Errorf("the password dialog does not show %q before asking:\n%s", w, summary)
		}
	}
	test.Type(g.secret.entry, testpki.DefaultPassword)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the stored signature", func() bool {
		return !g.docs.busy && g.docs.detail != nil && len(g.docs.detail.sigs) == 1 && g.docs.detailAt == g.docs.detailSeq
	})
	if g.docs.noticeLvl == levelBad {
		t.Fatalf("signing failed: %s", g.docs.notice)
	}

	sig := g.docs.detail.sigs[0]
	if sig.Format != "xmldsig" || sig.Detached || sig.Signer.IIN != head.IIN {
		t.Errorf("stored signature: format %q, detached %v, signer IIN %q; want xmldsig, enveloped, %s", sig.Format, sig.Detached, sig.Signer.IIN, head.IIN)
	}
	signed, err := st.SignatureBytes(ctx, doc.ID, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkEnveloped(t, signed)
	ev, err := xmldsig.Verify(signed)
	if err != nil || len(ev) != 1 {
		t.Fatalf("xmldsig.Verify: %d signatures, %v", len(ev), err)
	}
	if !ev[0].DigestValid || !ev[0].SignatureValid || ev[0].Certificate == nil || !ev[0].Certificate.Equal(head.Cert) || ev[0].Scope != "whole document" {
		t.Errorf("xmldsig.Verify: digest %v, signature %v, scope %q, %s", ev[0].DigestValid, ev[0].SignatureValid, ev[0].Scope, ev[0].CryptoError)
	}
	verifytest.XMLSec(t, p, "the signed document", signed)

	var screen []string
	onUI(func() { screen = texts(g.win.Content()) })
	all := strings.Join(screen, "\n")
	for _, w := range []string{"SIGNED", "The signature is valid", "Signature 1 added to version 1", "XMLDSIG", head.IIN} {
		if !strings.Contains(all, w) {
			t.Errorf("after signing the document lacks %q; texts:\n%s", w, all)
		}
	}
	// The journal's sign entry names the format and the signer (whatever
	// the journal view's layout).
	if !slices.ContainsFunc(screen, func(s string) bool {
		return strings.Contains(strings.ToLower(s), "xmldsig") && strings.Contains(s, head.Cert.Subject.CommonName)
	}) {
		t.Errorf("the journal shown lacks the XML signing by %s; texts:\n%s", head.Cert.Subject.CommonName, all)
	}

	exportAndCheck(t, g, doc.ID, "invoice.evidence.zip")
	onUI(func() { screen = texts(g.win.Content()) })
	if all = strings.Join(screen, "\n"); !strings.Contains(all, "invoice.evidence.zip") {
		t.Errorf("the journal shown lacks the export; texts:\n%s", all)
	}
}

// checkEnveloped: the signed XML is the original document with one
// ds:Signature appended to its root, referencing the whole document through
// the enveloped-signature transform.
func checkEnveloped(t *testing.T, signed []byte) {
	t.Helper()
	d := etree.NewDocument()
	if err := d.ReadFromBytes(signed); err != nil {
		t.Fatalf("the signature is not XML: %v", err)
	}
	root := d.Root()
	if root == nil || root.Tag != "invoice" || root.SelectAttrValue("number", "") != "118" {
		t.Fatalf("the signed document's root is not the invoice:\n%s", signed)
	}
	var sigs []*etree.Element
	for _, c := range root.ChildElements() {
		if c.Tag == "Signature" && c.NamespaceURI() == "http://www.w3.org/2000/09/xmldsig#" {
			sigs = append(sigs, c)
		}
	}
	if len(sigs) != 1 {
		t.Fatalf("%d ds:Signature children of the root, want 1:\n%s", len(sigs), signed)
	}
	ref := sigs[0].FindElement("./SignedInfo/Reference")
	if ref == nil || ref.SelectAttrValue("URI", "-") != "" {
		t.Fatalf("the reference is not to the whole document:\n%s", signed)
	}
	enveloped := false
	for _, tr := range ref.FindElements("./Transforms/Transform") {
		enveloped = enveloped || tr.SelectAttrValue("Algorithm", "") == "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	}
	if !enveloped {
		t.Errorf("no enveloped-signature transform:\n%s", signed)
	}
	if !bytes.Contains(signed, []byte("ТОО Альфа")) || !bytes.Contains(signed, []byte("1250000")) {
		t.Errorf("the content is not in the signed document:\n%s", signed)
	}
}
