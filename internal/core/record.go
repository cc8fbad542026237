package core

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// maxJournalDetail bounds the free text of a journal entry.
const maxJournalDetail = 1000

// RecordFileSigning puts a file signed outside the store (the window's Sign
// screen) in it (a PDF signed inside — file is then the signed PDF — is
// journaled): a file within the store's size limit becomes a document
// with the new signature, verified and stored with its report as a stored
// document's is (docsign.Record); a larger one is journaled as a key event
// naming the file and the signature's digest. It returns the document's id
// (zero when only journaled).
func (c *Core) RecordFileSigning(ctx context.Context, file string, format signer.Format, sig []byte, cert *x509.Certificate) (store.ID, error) {
	if c.Store == nil {
		return store.ID{}, ErrNoStore
	}
	info, err := os.Stat(file)
	if err != nil {
		return store.ID{}, fmt.Errorf("record the signing: %w", err)
	}
	if format == signer.FormatPDF {
		// file is the signed PDF; the store keeps signatures beside their
		// content, not inside it, so the signing is journaled.
		_, err := c.Store.Record(ctx, store.Event{Action: store.ActionKey, Digest: sha256.Sum256(sig), Certificate: fingerprint(cert),
			Detail: clip(fmt.Sprintf("signed inside the PDF (PAdES): %s (%d bytes)", filepath.Base(file), info.Size()))})
		if err != nil {
			return store.ID{}, fmt.Errorf("journal the signing: %w", err)
		}
		return store.ID{}, nil
	}
	if info.Size() > store.DefaultMaxContentSize {
		ext := ".cms"
		if format == signer.FormatXML {
			ext = ".signed.xml"
		}
		_, err := c.Store.Record(ctx, store.Event{Action: store.ActionKey, Digest: sha256.Sum256(sig), Certificate: fingerprint(cert),
			Detail: clip(fmt.Sprintf("signed %s (%s, %d bytes, not stored: larger than the store's limit) as %s",
				filepath.Base(file), format, info.Size(), filepath.Base(file)+ext))})
		if err != nil {
			return store.ID{}, fmt.Errorf("journal the signing: %w", err)
		}
		return store.ID{}, nil
	}
	content, err := os.ReadFile(file)
	if err != nil {
		return store.ID{}, fmt.Errorf("record the signing: %w", err)
	}
	// The same file signed again (by a second signer, say) is the same
	// document: the signature is added to it, not to a copy.
	return c.recordSigned(ctx, store.NewDocument{Name: filepath.Base(file), Content: content}, true, format, sig, cert)
}

// recordSigned stores content as a document (or finds it, when same is set
// and a document of that name and content exists) and adds sig to it,
// verified and with its report (docsign.Record).
func (c *Core) recordSigned(ctx context.Context, nd store.NewDocument, same bool, format signer.Format, sig []byte, cert *x509.Certificate) (store.ID, error) {
	v, err := c.Verifier(VerifyOptions{})
	if err != nil {
		return store.ID{}, err
	}
	var d store.Document
	found := false
	if same {
		if d, found, err = c.sameDocument(ctx, nd.Name, nd.Content); err != nil {
			return store.ID{}, err
		}
	}
	if !found {
		if d, err = c.Store.AddDocument(ctx, nd); err != nil {
			return store.ID{}, fmt.Errorf("store the document: %w", err)
		}
	}
	_, inside := cms.Content(sig)
	opts := docsign.Options{Format: docsign.FormatCMS, Detached: errors.Is(inside, cms.ErrNoContent)}
	if format == signer.FormatXML {
		opts.Format = docsign.FormatXML
	}
	plan, err := docsign.Prepare(ctx, c.Store, d.ID, opts)
	if err == nil {
		_, err = docsign.Record(ctx, c.Store, plan, sig, cert, v)
	}
	c.changed(d.ID) // a new document, or a signature on an existing one
	if err != nil {
		return d.ID, fmt.Errorf("store the signature: %w", err)
	}
	return d.ID, nil
}

// sameDocument finds the stored document named name whose current version
// is content.
func (c *Core) sameDocument(ctx context.Context, name string, content []byte) (store.Document, bool, error) {
	want := sha256.Sum256(content)
	page, err := c.Store.List(ctx, store.Query{Text: name, Limit: 1000})
	if err != nil {
		return store.Document{}, false, fmt.Errorf("look for the document: %w", err)
	}
	for _, d := range page.Documents {
		if d.Name == name && d.SHA256 == store.Digest32(want) {
			return d, true, nil
		}
	}
	return store.Document{}, false, nil
}

// RecordVerification journals a verification a face did: the file's name,
// the verdict, the report's digest and the first signer's certificate.
func RecordVerification(ctx context.Context, st store.Store, file string, r *pki.Report) error {
	if st == nil || r == nil {
		return nil
	}
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	ev := store.Event{Action: store.ActionVerify, Digest: sha256.Sum256(data),
		Detail: clip(fmt.Sprintf("%s: %s, %d signature(s)", filepath.Base(file), r.Worst(), len(r.Signatures)))}
	if len(r.Signatures) > 0 {
		ev.Certificate = digestOf(r.Signatures[0].Signer.Fingerprint)
	}
	if _, err := st.Record(ctx, ev); err != nil {
		return fmt.Errorf("journal the verification: %w", err)
	}
	return nil
}

func fingerprint(cert *x509.Certificate) store.Digest32 {
	if cert == nil {
		return store.Digest32{}
	}
	return sha256.Sum256(cert.Raw)
}

// digestOf reads a hex SHA-256 fingerprint (zero if malformed).
func digestOf(s string) store.Digest32 {
	var d store.Digest32
	if b, err := hex.DecodeString(s); err == nil && len(b) == len(d) {
		copy(d[:], b)
	}
	return d
}

func clip(s string) string {
	if len(s) <= maxJournalDetail {
		return s
	}
	return s[:maxJournalDetail] + "…"
}
