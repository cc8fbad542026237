package core

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// DocumentsSignRequest signs the current versions of many stored
// documents with one consent and one secret: the accountant's batch.
type DocumentsSignRequest struct {
	Origin string
	KeyURI string
	IDs    []store.ID
	// Options apply to every document; an empty Format picks, document by
	// document, XML for XML, PDF (signed inside: the next version) for
	// PDFs unless Detached, and CMS for the others.
	Options docsign.Options
	// PDFStamp makes the signatures of PDFs signed inside visible.
	PDFStamp         *PDFStamp
	RequireTimestamp bool
	Verify           VerifyOptions
	Progress         func(Stage, float64)
}

// BatchItem is what became of one document of a batch.
type BatchItem struct {
	ID    store.ID
	Title string
	// Signature is set when it was signed and stored; Skipped says why a
	// document was left out before the secret (damaged, not signable),
	// SkipErr the same as an error for callers to act on (store.ErrTampered,
	// docsign.ErrFormat, ErrNotSignable, ErrNotInside); Err why signing or
	// storing it failed.
	Signature *store.Signature
	Skipped   string
	SkipErr   error
	Err       error
}

// ErrNotSignable: a batch signs drafts, ready and signed documents only.
var ErrNotSignable = errors.New("only draft, ready or signed documents are signed")

// ErrNotInside: a PDF that cannot take a signature inside (damaged, or no
// such page for the stamp); a detached CMS signs it.
var ErrNotInside = errors.New("the PDF cannot be signed inside")

// BatchResult is a batch's summary.
type BatchResult struct {
	Items                   []BatchItem
	Signed, Skipped, Failed int
	Signer                  pki.Identity
	Warning                 string
}

// SignDocuments signs many stored documents in one operation. Each is
// planned first (a damaged or unsignable document is skipped and said so;
// the others go on), then the core's Sign asks once and signs them one by
// one, each signature verified and stored as soon as it is made: a batch
// cancelled half way keeps what was signed, and the summary says what was
// signed, skipped and not done.
func (c *Core) SignDocuments(ctx context.Context, req DocumentsSignRequest, ui signer.UI) (*BatchResult, error) {
	if c.Store == nil {
		return nil, ErrNoStore
	}
	res := &BatchResult{}
	// PDFs signed inside pass through a private temporary folder, as the
	// PDF signing works on files.
	var pdfDir string
	defer func() {
		if pdfDir != "" {
			os.RemoveAll(pdfDir)
		}
	}()
	var plans []*docsign.Plan
	var items []Item
	var index []int // res.Items index of each planned document
	for _, id := range req.IDs {
		bi := BatchItem{ID: id}
		plan, err := docsign.Prepare(ctx, c.Store, id, req.Options)
		switch {
		case err != nil:
			bi.SkipErr = err
		case !signableForBatch(plan.Document.State):
			bi.SkipErr = fmt.Errorf("it is %s: %w", plan.Document.State, ErrNotSignable)
		}
		if plan != nil {
			bi.Title = plan.Document.Title
		} else if d, derr := c.Store.Document(ctx, id); derr == nil {
			bi.Title = d.Title
		}
		var item Item
		if bi.SkipErr == nil {
			item = Item{Name: bi.Title, Version: plan.Version.Number, FileName: plan.Version.Name,
				Data: plan.Content(), MediaType: plan.Version.MediaType, Format: signer.FormatCMS}
			switch plan.Options.Format {
			case docsign.FormatXML:
				item.Format = signer.FormatXML
			case docsign.FormatPDF:
				if pdfDir == "" {
					if pdfDir, err = os.MkdirTemp("", "qoltanba-batch-"); err != nil {
						return nil, err
					}
				}
				n := len(items)
				item.Format, item.Data = signer.FormatPDF, nil
				item.Path, item.Output = filepath.Join(pdfDir, fmt.Sprintf("%d.pdf", n)), filepath.Join(pdfDir, fmt.Sprintf("%d.signed.pdf", n))
				if err := os.WriteFile(item.Path, plan.Content(), 0o600); err != nil {
					return nil, err
				}
				// A PDF that cannot take a signature inside is left out
				// before the secret, as a damaged document is.
				if err := checkPDF(item, req.PDFStamp.page()); err != nil {
					bi.SkipErr = fmt.Errorf("%w (%v): sign it as a detached CMS", ErrNotInside, err)
				}
			}
		}
		if bi.SkipErr != nil {
			bi.Skipped = bi.SkipErr.Error()
		}
		res.Items = append(res.Items, bi)
		if bi.Skipped != "" {
			res.Skipped++
			continue
		}
		plans = append(plans, plan)
		index = append(index, len(res.Items)-1)
		items = append(items, item)
	}
	if len(items) == 0 {
		return res, nil
	}
	v, err := c.Verifier(req.Verify)
	if err != nil {
		return nil, err
	}
	// Signatures are committed a group at a time: one transaction (one
	// fsync) per batchCommit documents, and whatever is signed is
	// committed before SignDocuments returns, however it ends.
	var pending []pendingSig
	flush := func() {
		if len(pending) == 0 {
			return
		}
		adds := make([]store.SignatureAdd, len(pending))
		for j, p := range pending {
			adds[j] = p.add
		}
		sigs, ferr := c.Store.AddSignatures(context.WithoutCancel(ctx), adds)
		for j, p := range pending {
			bi := &res.Items[index[p.item]]
			if ferr != nil {
				bi.Err = ferr
				res.Failed++
				continue
			}
			bi.Signature = &sigs[j]
			res.Signed++
			c.changed(bi.ID)
		}
		pending = pending[:0]
	}
	signed, err := c.Sign(ctx, SignRequest{
		Origin: req.Origin, KeyURI: req.KeyURI, Format: items[0].Format, Items: items,
		Detached: req.Options.Detached, Compact: req.Options.Compact,
		TSA: req.Options.TSA, RequireTimestamp: req.RequireTimestamp, Progress: req.Progress,
		PDFStamp: req.PDFStamp,
		OnSigned: func(i int, out Signed, cert *x509.Certificate) error {
			bi := &res.Items[index[i]]
			if plans[i].Options.Format == docsign.FormatPDF {
				// A new version, written at once in its own transaction.
				rec, rerr := c.recordBatchPDF(ctx, plans[i], items[i].Output, out.Bytes, cert, v)
				if rerr != nil {
					bi.Err = rerr
					res.Failed++
					return nil
				}
				bi.Signature = &rec.Signature
				res.Signed++
				c.changed(bi.ID)
				if out.Warning != "" {
					res.Warning = out.Warning
				}
				return nil
			}
			_, rerr := docsign.RecordWith(ctx, plans[i], out.Bytes, cert, v, func(ctx context.Context, ns store.NewSignature) (store.Signature, error) {
				pending = append(pending, pendingSig{i, store.SignatureAdd{Document: plans[i].Document.ID, Version: plans[i].Version.Number, Sig: ns}})
				return store.Signature{}, nil
			})
			if rerr != nil {
				bi.Err = rerr
				res.Failed++
				return nil // the others go on
			}
			if out.Warning != "" {
				res.Warning = out.Warning
			}
			if len(pending) >= batchCommit {
				flush()
			}
			return nil
		},
	}, ui)
	flush()
	if signed != nil {
		res.Signer = signed.Signer
	}
	if err != nil {
		for i := range res.Items {
			bi := &res.Items[i]
			if bi.Signature == nil && bi.Skipped == "" && bi.Err == nil {
				bi.Err = err
				res.Failed++
			}
		}
		return res, err
	}
	return res, nil
}

// recordBatchPDF stores a PDF signed inside as its document's next
// version, and drops the signed file.
func (c *Core) recordBatchPDF(ctx context.Context, plan *docsign.Plan, path string, der []byte, cert *x509.Certificate, v *pki.Verifier) (*docsign.Result, error) {
	signed, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	os.Remove(path)
	return docsign.RecordPDF(context.WithoutCancel(ctx), c.Store, plan, signed, der, cert, v)
}

// batchCommit is how many signatures one transaction of a batch stores.
const batchCommit = 100

type pendingSig struct {
	item int // index in plans
	add  store.SignatureAdd
}

func signableForBatch(s store.State) bool {
	return s == store.StateDraft || s == store.StateReady || s == store.StateSigned
}
