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

// ErrNoStore: the operation needs the document store and the face has not
// opened it.
var ErrNoStore = errors.New("the document store is not open")

// DocumentSignRequest signs a stored document's current version.
type DocumentSignRequest struct {
	Origin           string
	KeyURI           string
	ID               store.ID
	Options          docsign.Options
	RequireTimestamp bool
	Verify           VerifyOptions
	Progress         func(Stage, float64)
	// Save, if set, stores the checked signature instead of
	// Store.AddSignature (the portal sync adds its outbox item in the same
	// transaction). Not for PDFs signed inside.
	Save docsign.Save
	// PDFStamp makes a PDF signed inside visible (Options.Format pdf).
	PDFStamp *PDFStamp
}

// DocumentSigned is a stored signature, with what it lacks.
type DocumentSigned struct {
	*docsign.Result
	Plan *docsign.Plan
	// Certificate is the signer's, as read from the key; Signer its holder.
	Certificate *x509.Certificate
	Signer      pki.Identity
	Warning     string
}

// SignDocument signs the current version of a stored document through Sign
// (the same checks, consent and secret as every other signing), verifies the
// new signature and stores it with its report.
func (c *Core) SignDocument(ctx context.Context, req DocumentSignRequest, ui signer.UI) (*DocumentSigned, error) {
	if c.Store == nil {
		return nil, ErrNoStore
	}
	plan, err := docsign.Prepare(ctx, c.Store, req.ID, req.Options)
	if err != nil {
		return nil, err
	}
	o := plan.Options
	if req.PDFStamp != nil && o.Format != docsign.FormatPDF {
		return nil, fmt.Errorf("%w: a visible stamp is for a PDF signed inside, not a %s signature", ErrInput, o.Format)
	}
	if o.Format == docsign.FormatPDF {
		if req.Save != nil {
			return nil, fmt.Errorf("%w: a PDF signed inside is stored as a new version, not through Save", ErrInput)
		}
		return c.signDocumentPDF(ctx, req, plan, ui)
	}
	format := signer.FormatCMS
	if o.Format == docsign.FormatXML {
		format = signer.FormatXML
	}
	title := plan.Document.Title
	if title == "" {
		title = plan.Version.Name
	}
	res, err := c.Sign(ctx, SignRequest{
		Origin: req.Origin, KeyURI: req.KeyURI, Format: format,
		Items: []Item{{Name: title, Version: plan.Version.Number, FileName: plan.Version.Name,
			Data: plan.Content(), MediaType: plan.Version.MediaType}},
		Detached: o.Detached, XMLID: o.XMLID, Compact: o.Compact,
		TSA: o.TSA, RequireTimestamp: req.RequireTimestamp, Progress: req.Progress,
	}, ui)
	if err != nil {
		return nil, err
	}
	v, err := c.Verifier(req.Verify)
	if err != nil {
		return nil, err
	}
	out := res.Outputs[0]
	save := req.Save
	if save == nil {
		save = func(ctx context.Context, ns store.NewSignature) (store.Signature, error) {
			return c.Store.AddSignature(ctx, plan.Document.ID, plan.Version.Number, ns)
		}
	}
	rec, err := docsign.RecordWith(ctx, plan, out.Bytes, res.Key.Certificate, v, save)
	if err != nil {
		return nil, err
	}
	c.changed(req.ID)
	return &DocumentSigned{Result: rec, Plan: plan, Certificate: res.Key.Certificate, Signer: res.Signer, Warning: out.Warning}, nil
}

// signDocumentPDF signs a stored PDF inside: the signed PDF becomes the
// next version, with every signature it carries (docsign.RecordPDF). The
// content passes through a private temporary folder, as the PDF signing
// works on files.
func (c *Core) signDocumentPDF(ctx context.Context, req DocumentSignRequest, plan *docsign.Plan, ui signer.UI) (*DocumentSigned, error) {
	dir, err := os.MkdirTemp("", "qoltanba-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "document.pdf"), filepath.Join(dir, "signed.pdf")
	if err := os.WriteFile(in, plan.Content(), 0o600); err != nil {
		return nil, err
	}
	title := plan.Document.Title
	if title == "" {
		title = plan.Version.Name
	}
	res, err := c.Sign(ctx, SignRequest{
		Origin: req.Origin, KeyURI: req.KeyURI, Format: signer.FormatPDF, PDFStamp: req.PDFStamp,
		Items: []Item{{Name: title, Version: plan.Version.Number, FileName: plan.Version.Name, Path: in, Output: out,
			MediaType: plan.Version.MediaType}},
		TSA: plan.Options.TSA, RequireTimestamp: req.RequireTimestamp, Progress: req.Progress,
	}, ui)
	if err != nil {
		return nil, err
	}
	signed, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	v, err := c.Verifier(req.Verify)
	if err != nil {
		return nil, err
	}
	rec, err := docsign.RecordPDF(ctx, c.Store, plan, signed, res.Outputs[0].Bytes, res.Key.Certificate, v)
	if err != nil {
		return nil, err
	}
	c.changed(req.ID)
	return &DocumentSigned{Result: rec, Plan: plan, Certificate: res.Key.Certificate, Signer: res.Signer, Warning: res.Outputs[0].Warning}, nil
}
