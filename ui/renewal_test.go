package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
)

// TestRenewalReminder: 29 days before a key's certificate ends, every
// screen says so with the steps at NCA RK, in the user's language; 31 days
// before, nothing; after the end, the Keys screen shows it expired.
func TestRenewalReminder(t *testing.T) {
	p := portaltest.PKI(t)
	e := p.Find("gost/individual")
	for _, tc := range []struct {
		before time.Duration
		want   bool
	}{{29 * 24 * time.Hour, true}, {31 * 24 * time.Hour, false}} {
		g := newTestApp(t)
		defer func(old func() time.Time) { now = old }(now)
		now = func() time.Time { return e.Cert.NotAfter.Add(-tc.before) }
		onUI(func() {
			SetLanguage("ru")
			g.addKeyFile(e.P12Path, false) // a key of the user's (the welcome's own TEST key is not nagged about)
			g.learnCertificate(e.P12Path, e.Cert)
			g.show("documents")
		})
		var all string
		onUI(func() { all = strings.Join(texts(g.win.Content()), "\n") })
		got := strings.Contains(all, "перевыпустите его сейчас")
		if got != tc.want {
			t.Errorf("%v before the end: reminder shown %v, want %v:\n%s", tc.before, got, tc.want, all)
		}
		if tc.want && !strings.Contains(all, "Как перевыпустить") {
			t.Errorf("no way to the steps:\n%s", all)
		}
		if tc.want && g.renewalMenuItem() == nil {
			t.Error("no reminder for the tray")
		}
	}
}
