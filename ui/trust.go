package ui

import (
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// newVerifier builds the verification settings: the trust store in the data
// folder (roots the user imported, pinned NCA roots fetched before, and the
// test PKI's roots if a TEST key was created), the revocation cache, the
// OCSP address and offline mode from Settings.
func (g *App) newVerifier() *pki.Verifier {
	ts, err := pki.OpenTrustStore(g.dataPath("trust"), pki.ProductionRootPins)
	if err != nil {
		ts = pki.NewTrustStore(g.dataPath("trust"))
	}
	addTestTrust(ts, g.dataDir)
	cache := &pki.Cache{Dir: g.dataPath("cache")}
	v := &pki.Verifier{Trust: ts, Offline: g.settings.Offline, Cache: cache}
	if g.settings.OCSP != "" {
		v.Revocation = &pki.Revocation{
			OCSP: &pki.OCSPClient{URL: g.settings.OCSP, Cache: cache},
			CRL:  &pki.CRLClient{Cache: cache},
		}
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
