package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/evidence"
	"github.com/qoltanba/qoltanba/sync/store"
)

// ImportFile adds a file to the store as a new document. A folder, or a
// file over the store's limit, is refused before a byte is read (a scan of
// gigabytes is not read to be refused). nd's Name defaults to the file's;
// its Content is the file's. A PDF that arrives signed has its signatures
// verified and recorded as received (its journal says so).
func (c *Core) ImportFile(ctx context.Context, path string, nd store.NewDocument) (store.Document, error) {
	if c.Store == nil {
		return store.Document{}, ErrNoStore
	}
	info, err := os.Stat(path)
	if err != nil {
		return store.Document{}, fmt.Errorf("read %s: %w", path, err)
	}
	if info.IsDir() {
		return store.Document{}, fmt.Errorf("%w: %s is a folder: name a file", ErrInput, path)
	}
	if info.Size() > store.DefaultMaxContentSize {
		return store.Document{}, fmt.Errorf("%s: %w: %.1f MB, the limit is %d MB", filepath.Base(path), store.ErrTooLarge,
			float64(info.Size())/(1<<20), store.DefaultMaxContentSize>>20)
	}
	if nd.Content, err = os.ReadFile(path); err != nil {
		return store.Document{}, fmt.Errorf("read %s: %w", path, err)
	}
	if nd.Name == "" {
		nd.Name = filepath.Base(path)
	}
	d, err := c.Store.AddDocument(ctx, nd)
	if err != nil {
		return d, err
	}
	if d, err = c.recordArrived(ctx, d, nd.Content); err != nil {
		return d, err
	}
	c.changed(d.ID)
	return d, nil
}

// recordArrived records the signatures a PDF carries when it arrives, each
// verified now, as received signatures of its first version. A PDF that
// cannot be read this way is kept as it is.
func (c *Core) recordArrived(ctx context.Context, d store.Document, content []byte) (store.Document, error) {
	if !docsign.IsPDFMediaType(d.MediaType) {
		return d, nil
	}
	sigs, err := docsign.ArrivedPDF(ctx, func() (*pki.Verifier, error) { return c.Verifier(VerifyOptions{}) }, content)
	if err != nil || len(sigs) == 0 {
		return d, err
	}
	adds := make([]store.SignatureAdd, len(sigs))
	for i, ns := range sigs {
		adds[i] = store.SignatureAdd{Document: d.ID, Version: d.Version, Sig: ns}
	}
	if _, err := c.Store.AddSignatures(ctx, adds); err != nil {
		return d, fmt.Errorf("record the signatures inside %s: %w", d.Name, err)
	}
	return c.Store.Document(ctx, d.ID)
}

// Exported is an evidence package written and journaled.
type Exported struct {
	Package *evidence.Package
	Path    string
	Size    int64
	SHA256  store.Digest32
	Entry   store.Entry
}

// ExportEvidence writes the evidence package of a document (content,
// signatures, certificates, revocation data, reports, journal) to path, and
// journals the export with the package's digest.
func (c *Core) ExportEvidence(ctx context.Context, id store.ID, path string, opts VerifyOptions, lang string) (*Exported, error) {
	if c.Store == nil {
		return nil, ErrNoStore
	}
	d, err := c.Store.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	v, err := c.Verifier(opts)
	if err != nil {
		return nil, err
	}
	pkg, err := evidence.Build(ctx, c.Store, id, v, c.now(), evidence.InLanguage(lang))
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", id, err)
	}
	sum, err := pkg.WriteFile(path)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	entry, err := c.Store.Record(ctx, store.Event{Action: store.ActionExport, Document: id, Version: d.Version, Digest: sum,
		Detail: fmt.Sprintf("evidence package %s (%d signature(s))", filepath.Base(path), len(pkg.Reports))})
	if err != nil {
		return nil, fmt.Errorf("journal the export: %w", err)
	}
	c.changed(id)
	return &Exported{Package: pkg, Path: path, Size: info.Size(), SHA256: sum, Entry: entry}, nil
}
