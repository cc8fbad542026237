package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/sync/register"
	"github.com/qoltanba/qoltanba/sync/store"
)

// TestRegistersScreen: a signed document is in this month's outgoing
// register in Kazakh, a received one in the incoming register; last
// year's is empty.
func TestRegistersScreen(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, d := range []struct{ name, origin string }{{"шарт-17.txt", "made"}, {"шот-118.txt", "received"}} {
		doc, err := st.AddDocument(ctx, store.NewDocument{Name: d.name, Counterparty: "ТОО Альфа", Content: []byte(d.name)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddSignature(ctx, doc.ID, 1, store.NewSignature{Format: "cms", Bytes: []byte(d.name),
			Signer: store.Signer{CommonName: "АБАЕВ АЙДОС"}, Origin: d.origin}); err != nil {
			t.Fatal(err)
		}
	}
	g := newTestAppWith(t, Options{Store: st})
	onUI(func() {
		g.SetLanguage("kk")
		g.show("registers")
	})
	waitFor(t, "the outgoing register", func() bool { return g.registers.reg != nil && !g.registers.busy })
	var all string
	onUI(func() { all = strings.Join(texts(g.win.Content()), "\n") })
	for _, want := range []string{"Тіркеу журналдары", "Шығыс", "Осы ай", "шарт-17", "қол қойылды", "2 жазба", "CSV ретінде сақтау…"} {
		if !strings.Contains(all, want) {
			t.Errorf("the outgoing register lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "шот-118") {
		t.Errorf("the received document is in the outgoing register:\n%s", all)
	}
	shot(t, g, "registers-kk")
	// A document signed meanwhile (here through the core, as a website
	// or the Documents screen would) appears without leaving the screen.
	act, err := st.AddDocument(ctx, store.NewDocument{Name: "акт-5.txt", Content: []byte("Акт № 5")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddSignature(ctx, act.ID, 1, store.NewSignature{Format: "cms", Bytes: []byte("акт"),
		Signer: store.Signer{CommonName: "АБАЕВ АЙДОС"}, Origin: "made"}); err != nil {
		t.Fatal(err)
	}
	g.core.Changed(act.ID)
	waitFor(t, "the register to follow the store", func() bool {
		var all string
		onUI(func() { all = strings.Join(texts(g.win.Content()), "\n") })
		return strings.Contains(all, "акт-5")
	})
	onUI(func() { g.registers.direction = register.Incoming; g.loadRegister() })
	waitFor(t, "the incoming register", func() bool {
		return g.registers.reg != nil && !g.registers.busy && g.registers.reg.Direction == register.Incoming
	})
	onUI(func() { all = strings.Join(texts(g.win.Content()), "\n") })
	if !strings.Contains(all, "шот-118") || !strings.Contains(all, "алынды") || strings.Contains(all, "шарт-17") {
		t.Errorf("the incoming register:\n%s", all)
	}
	onUI(func() { g.registers.period = "lastYear"; g.loadRegister() })
	waitFor(t, "last year's register", func() bool {
		r := g.registers.reg
		return r != nil && !g.registers.busy && r.From.Year() == time.Now().Year()-1
	})
	onUI(func() { all = strings.Join(texts(g.win.Content()), "\n") })
	if !strings.Contains(all, "Бұл кезеңде жазба жоқ.") {
		t.Errorf("last year's register:\n%s", all)
	}
}

func TestPeriodBounds(t *testing.T) {
	now := time.Date(2026, 12, 6, 15, 0, 0, 0, time.Local)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.Local) }
	for _, tc := range []struct {
		period   string
		from, to time.Time
	}{
		{"thisMonth", day(2026, 12, 1), day(2027, 1, 1)},
		{"lastMonth", day(2026, 11, 1), day(2026, 12, 1)},
		{"thisQuarter", day(2026, 10, 1), day(2027, 1, 1)},
		{"lastQuarter", day(2026, 7, 1), day(2026, 10, 1)},
		{"thisYear", day(2026, 1, 1), day(2027, 1, 1)},
		{"lastYear", day(2025, 1, 1), day(2026, 1, 1)},
	} {
		if from, to := periodBounds(tc.period, now); !from.Equal(tc.from) || !to.Equal(tc.to) {
			t.Errorf("%s: %v — %v", tc.period, from, to)
		}
	}
}
