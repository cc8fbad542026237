package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"

	"github.com/qoltanba/qoltanba/signer/pkcs11"
)

// tokenWatchInterval is how often the slots are polled: C_GetSlotList is
// cheap, and two seconds feels live when a token is plugged in.
const tokenWatchInterval = 2 * time.Second

// tokenWatch is the live detection of tokens: a worker polling the modules'
// slots (pkcs11.Store.Watch) that re-reads the token keys when a token comes
// or goes and hands them to the Keys screen through fyne.Do.
type tokenWatch struct {
	cancel context.CancelFunc
}

// startTokenWatch loads the PKCS#11 modules (Settings, else the usual
// driver locations) on a worker and starts watching. Loading a module can
// take seconds, so it never runs on the path to the first frame.
func (g *App) startTokenWatch() {
	if g.opts.NoTokens || g.closed {
		return
	}
	g.stopTokenWatch()
	cfgs := g.tokenModules()
	if len(cfgs) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	g.watch.cancel = cancel
	old := g.tokenHW
	g.tokenHW = nil
	go func() {
		if old != nil {
			old.Close()
		}
		st := pkcs11.NewStore(cfgs)
		if ctx.Err() != nil {
			st.Close()
			return
		}
		runOnUI(func() {
			if ctx.Err() != nil {
				return
			}
			g.tokenHW = st
		})
		g.watchTokens(ctx, st)
	}()
}

// watchTokens runs until ctx ends: on every insertion or removal it lists
// the token keys again (no PIN needed) and refreshes the key list.
func (g *App) watchTokens(ctx context.Context, st *pkcs11.Store) {
	events := st.Watch(ctx, tokenWatchInterval)
	for ev := range events {
		if ev.Kind == pkcs11.WatchError {
			fyne.LogError("watch tokens", ev.Err)
			continue
		}
		// Drain what else arrived together (the tokens present at the
		// start come as a burst) before reading the keys once.
	drain:
		for {
			select {
			case _, ok := <-events:
				if !ok {
					return
				}
			default:
				break drain
			}
		}
		lctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		keys, err := st.TokenKeys(lctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			fyne.LogError("list token keys", err)
		}
		items := make([]*keyItem, 0, len(keys))
		for _, k := range keys {
			items = append(items, &keyItem{URI: k.URI, Label: k.Label, Source: sourceToken, Cert: k.Certificate, Token: k.Token.Label})
		}
		runOnUI(func() {
			if ctx.Err() != nil {
				return
			}
			g.tokens = items
			g.refreshKeys()
			if g.current == "keys" || (g.current == "welcome" && len(g.keys) > 0) {
				g.show(g.current)
			}
		})
	}
}

// stopTokenWatch ends the watching worker (the modules stay loaded in
// g.tokenHW until closeTokens).
func (g *App) stopTokenWatch() {
	if g.watch.cancel != nil {
		g.watch.cancel()
		g.watch.cancel = nil
	}
}
