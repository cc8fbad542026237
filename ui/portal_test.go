package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// TestPortalFlow: a portal added, a login with the AUTH key through the
// window's dialogs, a document arriving (the list refreshes by itself),
// its portal card, "Sign and send" with the password dialog, the receipt
// shown, the status line in the sidebar — in Russian, with no English
// left in the portal card.
func TestPortalFlow(t *testing.T) {
	env := portaltest.Start(t, portaltest.Options{NoTSA: true})
	g := newTestApp(t)
	g.settings.Offline = true
	person := env.PKI.Find("gost/individual")
	onUI(func() {
		g.SetLanguage("ru")
		g.addKeyFile(env.PKI.Find("gost/individual_auth").P12Path, true)
		g.addKeyFile(person.P12Path, true)
	})
	waitFor(t, "the portal sync", func() bool { return g.portal.engine != nil })
	a, err := g.portal.engine.Add(context.Background(), "", env.URL)
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() { g.show("settings") })
	onUI(func() { g.portalLoginDialog(a.Name) })
	onUI(func() { g.portal.dialog.Confirm() })
	waitFor(t, "the password dialog of the login", func() bool { return g.secret != nil })
	var asked string
	onUI(func() {
		for _, r := range g.secret.summary {
			asked += r[0] + "=" + r[1] + "\n"
		}
	})
	if !strings.Contains(asked, "qoltanba-portal login") || !strings.Contains(asked, env.URL) {
		t.Errorf("the login's password dialog does not show the portal and its challenge:\n%s", asked)
	}
	test.Type(g.secret.entry, testpki.DefaultPassword)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the session", func() bool {
		acc, err := g.store.Account(context.Background(), a.Name)
		return err == nil && acc.Session != "" && g.secret == nil
	})

	env.Publish(t, person.IIN, "", "Договор поставки", "Текст договора\n")
	onUI(func() { g.show("documents") })
	g.kickPortal()
	waitFor(t, "the document from the portal in the list", func() bool { return len(g.docs.page.Documents) == 1 })
	id := g.docs.page.Documents[0].ID
	openAndWait(t, g, id)
	card := strings.Join(func() (s []string) { onUI(func() { s = texts(g.docs.detailBox) }); return }(), "\n")
	for _, w := range []string{"Портал", "ждёт вашей подписи", "входящий (от портала)", "Подписать и отправить", "Отказать…"} {
		if !strings.Contains(card, w) {
			t.Errorf("the portal card lacks %q:\n%s", w, card)
		}
	}

	onUI(func() { g.portalStep(id, stepSign) })
	onUI(func() { g.portal.dialog.Confirm() })
	waitFor(t, "the password dialog of the signature", func() bool { return g.secret != nil })
	test.Type(g.secret.entry, testpki.DefaultPassword)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the receipt", func() bool {
		d := g.docs.detail
		return !g.docs.busy && d != nil && d.link != nil && d.link.Sync == store.SyncReceipt && len(d.receipts) == 1
	})
	var all string
	onUI(func() { all = strings.Join(texts(g.win.Content()), "\n") })
	for _, w := range []string{"Квитанция портала", "квитанция получена", "подписан", "Портал:"} {
		if !strings.Contains(all, w) {
			t.Errorf("after sign and send the window lacks %q:\n%s", w, all)
		}
	}
	onUI(func() { card = strings.Join(texts(g.docs.detailBox), "\n") })
	end := strings.Index(card, "Подписи")
	if end < 0 {
		t.Fatalf("no signatures card after the portal card:\n%s", card)
	}
	for _, english := range []string{"awaiting", "incoming", "receipt", "good", "signed"} {
		if strings.Contains(strings.ToLower(card[:end]), english) {
			t.Errorf("English %q in the Russian portal card:\n%s", english, card[:end])
		}
	}
	// The journal tells the exchange in Russian too.
	onUI(func() { card = strings.Join(texts(g.docs.detailBox), "\n") })
	for _, w := range []string{"получен с портала", "к отправке на", "квитанция от", "подпись, ревизия портала 2"} {
		if !strings.Contains(card, w) {
			t.Errorf("the journal lacks %q:\n%s", w, card)
		}
	}
	for _, english := range []string{"receipt from", "to send to", "from 127.0.0.1", "sent to"} {
		if strings.Contains(card, english) {
			t.Errorf("English %q in the Russian journal", english)
		}
	}
	shot(t, g, "portal-ru")
	if d, _ := g.store.Document(context.Background(), id); d.State != store.StateAcknowledged {
		t.Errorf("state %s", d.State)
	}
}
