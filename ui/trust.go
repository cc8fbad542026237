package ui

import (
	"fyne.io/fyne/v2"

	"github.com/qoltanba/qoltanba/internal/core"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// newVerifier is the core's verifier: the same trust (TEST anchors marked
// as such), cache, OCSP address and offline mode as the CLI's on the same
// data folder, so both give the same verdict.
func (g *App) newVerifier() *pki.Verifier {
	g.syncCoreSettings()
	v, err := g.core.Verifier(core.VerifyOptions{})
	if err != nil {
		fyne.LogError("verifier", err)
		return &pki.Verifier{Trust: pki.NewTrustStore(""), Offline: g.settings.Offline, Cache: g.core.Cache()}
	}
	return v
}

// seedTestRevocation puts the test PKI's CRLs in the revocation cache under
// the addresses its certificates name, so TEST signatures verify offline
// (the test PKI's services run only under "qoltanba testpki serve").
func seedTestRevocation(cache *pki.Cache, p *testpki.PKI) {
	at := time.Now()
	put := func(urls []string, issuer *testpki.CA) {
		if issuer == nil || len(issuer.CRLDER) == 0 {
			return
		}
		for _, u := range urls {
			_ = cache.Put(pki.KindCRL, u, issuer.Cert, "", issuer.CRLDER, at)
		}
	}
	for _, ca := range p.AllCAs() {
		put(ca.Cert.CRLDistributionPoints, ca.Issuer)
	}
	for _, e := range p.Entities {
		put(e.Cert.CRLDistributionPoints, e.Issuer)
	}
}
