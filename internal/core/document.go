package core

import (
	"context"
	"crypto/x509"
	"errors"

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
	// transaction).
	Save docsign.Save
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
