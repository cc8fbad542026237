package ui

import (
	"context"
	"errors"
	"time"

	"github.com/qoltanba/qoltanba/signer/pkcs11"
)

// tokenBackend is what the window keeps of the token store it loaded and
// watches: it releases the modules when the watch has stopped. Signing
// reaches the same store through the core's key registry (setTokens).
type tokenBackend interface {
	Close() error
}

// tokenModules are the modules to load: the Settings list, or the usual
// driver locations.
func (g *App) tokenModules() []pkcs11.ModuleConfig {
	paths := g.settings.Modules
	if len(paths) == 0 {
		paths = pkcs11.UsualModules()
	}
	cfgs := make([]pkcs11.ModuleConfig, len(paths))
	for i, p := range paths {
		cfgs[i] = pkcs11.ModuleConfig{Path: p}
	}
	return cfgs
}

// lookForTokens loads the PKCS#11 modules and lists the keys on the tokens,
// off the UI goroutine (modules can take seconds to initialise), then calls
// done on Fyne's goroutine with a message for the user.
func (g *App) lookForTokens(done func(msg string, lvl level)) {
	stopped := g.stopTokenWatch()
	gen := g.watch.gen
	cfgs := g.tokenModules()
	old := g.tokenHW
	g.setTokens(nil)
	go func() {
		closeWhenStopped(old, stopped)
		if len(cfgs) == 0 {
			runOnUI(func() { done(T("tokens.noDrivers"), levelWarn) })
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		store := pkcs11.NewStore(cfgs)
		keys, err := store.TokenKeys(ctx)
		problems := errors.Join(append(store.Problems, err)...)
		items := make([]*keyItem, 0, len(keys))
		for _, k := range keys {
			items = append(items, &keyItem{KeyRef: k.KeyRef, Source: sourceToken})
		}
		runOnUI(func() {
			if g.closed || g.watch.gen != gen {
				// Quit, or another look started since: nothing watches
				// this store, and the newer one answers the user.
				go store.Close()
				return
			}
			g.setTokens(store)
			g.tokens = items
			if !g.opts.NoTokens {
				g.watchStore(store)
			}
			g.refreshKeys()
			switch {
			case len(items) > 0:
				done(T("tokens.found", map[string]any{"Count": len(items)}), levelOK)
			case problems != nil:
				done(T("tokens.problem", map[string]any{"Error": problems.Error()}), levelWarn)
			default:
				done(T("tokens.none"), levelWarn)
			}
		})
	}()
}

// closeTokens releases the modules, once the watch that polled them has
// left its PKCS#11 call (at most tokenStopWait; after that the release is
// left to happen when it does, rather than finalise under a call).
func (g *App) closeTokens() {
	stopped := g.stopTokenWatch()
	if stopped == nil {
		stopped = g.watch.stopped
	}
	hw := g.tokenHW
	g.setTokens(nil)
	if hw == nil {
		return
	}
	if stopped != nil {
		select {
		case <-stopped:
		case <-time.After(tokenStopWait):
			go closeWhenStopped(hw, stopped)
			return
		}
	}
	hw.Close()
}

// closeWhenStopped closes a token backend once the watch over it has
// stopped (stopped nil: none ran); worker side.
func closeWhenStopped(hw tokenBackend, stopped <-chan struct{}) {
	if hw == nil {
		return
	}
	if stopped != nil {
		<-stopped
	}
	hw.Close()
}

// setTokens makes st the token store of the window and of the core's key
// registry, so that every signing in the process uses the modules the
// window loaded and watches; nil while none is loaded. UI goroutine.
func (g *App) setTokens(st *pkcs11.Store) {
	if st == nil {
		g.tokenHW = nil // not a nil *pkcs11.Store inside the interface
	} else {
		g.tokenHW = st
	}
	g.core.Keys.UseTokens(st) // the old store is closed by its watcher's owner
}
