package evidence

import (
	"bytes"
	"context"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// signPlan signs a planned version with key directly and records it.
func signPlan(ctx context.Context, st store.Store, p *docsign.Plan, key *signer.Key, v *pki.Verifier) (*docsign.Result, error) {
	var sig []byte
	var err error
	if p.Options.Format == docsign.FormatXML {
		sig, err = xmldsig.Sign(p.Content(), key.Signer, key.Certificate, xmldsig.SignOptions{Style: xmldsig.StyleNCALayer, ID: p.Options.XMLID})
	} else {
		sig, err = cms.Sign(bytes.NewReader(p.Content()), key.Signer, key.Certificate, key.Chain, cms.SignOptions{Detached: p.Options.Detached, IncludeChain: true})
	}
	if err != nil {
		return nil, err
	}
	return docsign.Record(ctx, st, p, sig, key.Certificate, v)
}
