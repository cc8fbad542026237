package docsign

import (
	"bytes"
	"context"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
	"github.com/qoltanba/qoltanba/sync/store"
)

// signPlan makes the planned signature with key directly (the core's policy and
// prompts are tested in internal/core) and records it.
func signPlan(ctx context.Context, st store.Store, p *Plan, key *signer.Key, v *pki.Verifier) (*Result, error) {
	var sig []byte
	var err error
	if p.Options.Format == FormatXML {
		style := xmldsig.StyleNCALayer
		if p.Options.Compact {
			style = xmldsig.StyleCompact
		}
		sig, err = xmldsig.Sign(p.Content(), key.Signer, key.Certificate, xmldsig.SignOptions{Style: style, ID: p.Options.XMLID})
	} else {
		sig, err = cms.Sign(bytes.NewReader(p.Content()), key.Signer, key.Certificate, key.Chain, cms.SignOptions{Detached: p.Options.Detached, IncludeChain: true})
	}
	if err != nil {
		return nil, err
	}
	return Record(ctx, st, p, sig, key.Certificate, v)
}
