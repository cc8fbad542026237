package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/qoltanba/qoltanba/signer/pkcs11"
)

// tokenWatchInterval is how often the slots are polled: C_GetSlotList is
// cheap, and two seconds feels live when a token is plugged in.
const tokenWatchInterval = 2 * time.Second

// tokenSettle is how long a newly inserted token that shows no key with a
// certificate is read again on every poll: a reader reports the card
// before its middleware has read the files (and SoftHSM, before its
// objects are written), and what the first reading showed would otherwise
// stay until the next plug.
const tokenSettle = 10 * time.Second

// tokenStopWait bounds how long closing the modules waits for the watching
// worker to leave its PKCS#11 call: finalising a module under a call in
// flight crashes some drivers.
const tokenStopWait = 3 * time.Second

// tokenWatch is the live detection of tokens: a worker polling the modules'
// slots (pkcs11.Store.Watch) that re-reads the token keys when a token comes
// or goes and hands them to the Keys screen through runOnUI.
type tokenWatch struct {
	cancel context.CancelFunc
	// done is closed once the running worker, and the poller it reads,
	// have stopped; stopped is the done of the last worker stopped, which
	// closeTokens waits for before it closes the modules that worker used.
	done, stopped chan struct{}
	// gen counts starts and stops: a module load that finishes after a
	// newer start or a stop is stale and closes its store.
	gen int
	// interval replaces tokenWatchInterval when set (tests).
	interval time.Duration
}

// startTokenWatch loads the PKCS#11 modules (Settings, else the usual
// driver locations) on a worker and starts watching. Loading a module can
// take seconds, so it never runs on the path to the first frame.
func (g *App) startTokenWatch() {
	if g.opts.NoTokens || g.closed {
		return
	}
	stopped := g.stopTokenWatch()
	cfgs := g.tokenModules()
	if len(cfgs) == 0 {
		return
	}
	gen := g.watch.gen
	old := g.tokenHW
	g.setTokens(nil)
	go func() {
		closeWhenStopped(old, stopped)
		st := pkcs11.NewStore(cfgs)
		for _, p := range st.Problems {
			fyne.LogError("load token module", p)
		}
		runOnUI(func() {
			if g.closed || g.watch.gen != gen {
				go st.Close() // nothing watches it yet
				return
			}
			g.setTokens(st)
			g.watchStore(st)
		})
	}()
}

// watchStore starts the watching worker over st; UI goroutine.
func (g *App) watchStore(st *pkcs11.Store) {
	g.stopTokenWatch()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	g.watch.cancel, g.watch.done = cancel, done
	interval := g.watch.interval
	if interval <= 0 {
		interval = tokenWatchInterval
	}
	go func() {
		defer close(done)
		g.watchTokens(ctx, st, interval)
	}()
}

// watchTokens runs until ctx ends: on every insertion or removal it lists
// the token keys again (no PIN needed) and refreshes the key list. It
// returns only after the poller has stopped, so that no PKCS#11 call of
// the watch is in flight once done is closed.
func (g *App) watchTokens(ctx context.Context, st *pkcs11.Store, interval time.Duration) {
	events := st.Watch(ctx, interval)
	defer func() {
		for range events { // closed by the poller once ctx has ended
		}
	}()
	// empty: inserted tokens that showed no keys yet, by insertion time,
	// read again on the next polls (reread) for up to tokenSettle.
	empty := map[string]time.Time{}
	var reread <-chan time.Time
	shown := "\x00" // the list last handed to the screen (none yet)
	for {
		changed := false
		select {
		case <-ctx.Done():
			return
		case <-reread:
			reread = nil
			changed = true
		case ev, ok := <-events:
			if !ok {
				return
			}
			// Take what else arrived together (the tokens present at
			// the start come as a burst) before reading the keys once.
			batch := []pkcs11.Event{ev}
		drain:
			for {
				select {
				case e, ok := <-events:
					if !ok {
						return
					}
					batch = append(batch, e)
				default:
					break drain
				}
			}
			for _, e := range batch {
				switch e.Kind {
				case pkcs11.WatchError:
					fyne.LogError("watch tokens", e.Err)
				case pkcs11.TokenInserted:
					empty[tokenID(e.Token)] = time.Now()
					changed = true
				case pkcs11.TokenRemoved:
					delete(empty, tokenID(e.Token))
					changed = true
				}
			}
		}
		if !changed {
			continue
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
			if k.Certificate != nil {
				delete(empty, tokenID(k.Token)) // settled: a key the user can sign with
			}
			items = append(items, &keyItem{KeyRef: k.KeyRef, Source: sourceToken})
		}
		for id, at := range empty {
			if time.Since(at) > tokenSettle {
				delete(empty, id) // a token without keys, then
			}
		}
		if len(empty) > 0 && reread == nil {
			reread = time.After(interval)
		}
		// Rebuilding the screen loses what the user is typing there:
		// only a list that changed is handed over.
		if sig := keyListSig(items); sig != shown {
			shown = sig
		} else {
			continue
		}
		runOnUI(func() {
			if ctx.Err() != nil {
				return
			}
			g.tokens = items
			g.refreshKeys()
			switch {
			case g.current == "welcome" && len(g.keys) > 0 && g.opts.Screen == "":
				g.show("keys") // the token is what the welcome was waiting for
			case g.current == "keys", g.current == "sign" && !g.sign.busy:
				g.show(g.current)
			}
		})
	}
}

// keyListSig sums up a token key list for comparison: URIs and whether
// each certificate is known.
func keyListSig(items []*keyItem) string {
	var b strings.Builder
	for _, k := range items {
		b.WriteString(k.URI)
		if k.Certificate != nil {
			b.WriteString("+cert")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// tokenID names a token across polls, as pkcs11.Watch does.
func tokenID(t pkcs11.Token) string {
	path := ""
	if t.Module != nil {
		path = t.Module.Path
	}
	return path + "\x00" + t.Serial + "\x00" + t.Label
}

// stopTokenWatch ends the watching worker and returns a channel closed once
// it has stopped (nil if none ran). The modules stay loaded in g.tokenHW
// until closeTokens.
func (g *App) stopTokenWatch() <-chan struct{} {
	g.watch.gen++
	done := g.watch.done
	if g.watch.cancel != nil {
		g.watch.cancel()
	}
	g.watch.cancel, g.watch.done = nil, nil
	if done != nil {
		g.watch.stopped = done
	}
	return done
}
