package ui

import (
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
)

// TestCompromiseButton: the Keys screen reports a key compromised after a
// confirmation; then it says so and its Sign button is off.
func TestCompromiseButton(t *testing.T) {
	e := portaltest.PKI(t).Find("gost/individual")
	g := newTestApp(t)
	onUI(func() {
		g.SetLanguage("ru")
		g.addKeyFile(e.P12Path, false)
		g.learnCertificate(e.P12Path, e.Cert)
		g.show("keys")
	})
	onUI(func() { g.compromiseDialog(e.Cert) })
	onUI(func() { g.portal.dialog.Confirm() })
	waitFor(t, "the mark", func() bool { _, ok := g.core.Compromised(e.Cert); return ok })
	onUI(func() { g.show("keys") })
	var all string
	onUI(func() { all = strings.Join(texts(g.win.Content()), "\n") })
	if !strings.Contains(all, "О компрометации ключа сообщено") || strings.Contains(all, "Сообщить о компрометации ключа") {
		t.Errorf("after the report:\n%s", all)
	}
}
