package ui

import (
	"fyne.io/fyne/v2"

	"github.com/qoltanba/qoltanba/internal/core"

	"github.com/qoltanba/qoltanba/signer/pki"
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
