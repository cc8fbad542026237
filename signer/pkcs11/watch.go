package pkcs11

import (
	"context"
	"time"
)

// EventKind says what happened to a token.
type EventKind int

// The kinds of Event.
const (
	TokenInserted EventKind = iota + 1
	TokenRemoved
	// WatchError: a module could not be polled; Err says why. Watching goes on.
	WatchError
)

func (k EventKind) String() string {
	switch k {
	case TokenInserted:
		return "inserted"
	case TokenRemoved:
		return "removed"
	case WatchError:
		return "error"
	}
	return "unknown"
}

// Event is a change in the set of present tokens.
type Event struct {
	Kind  EventKind
	Token Token
	Err   error
}

// Watch polls the modules' slots every interval (C_GetSlotList with
// tokenPresent, which every module supports; C_WaitForSlotEvent is optional
// and SoftHSM has none) and reports tokens that appear or disappear. The
// tokens present at the start come first, as TokenInserted. The channel is
// closed when ctx ends.
func (s *Store) Watch(ctx context.Context, interval time.Duration) <-chan Event {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	ch := make(chan Event, 16)
	go func() {
		defer close(ch)
		type seenKey struct {
			module string
			slot   uint
			serial string
			label  string
		}
		seen := map[seenKey]Token{}
		send := func(e Event) bool {
			select {
			case ch <- e:
				return true
			case <-ctx.Done():
				return false
			}
		}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			now := map[seenKey]Token{}
			for _, m := range s.Modules() {
				ts, _, err := m.scanSlots()
				if err != nil {
					if !send(Event{Kind: WatchError, Err: err}) {
						return
					}
					// Keep the module's tokens as they were: one failed
					// poll is not a removal.
					for k, t := range seen {
						if k.module == m.Path {
							now[k] = t
						}
					}
					continue
				}
				for _, t := range ts {
					now[seenKey{m.Path, t.Slot, t.Serial, t.Label}] = t
				}
			}
			for k, t := range seen {
				if _, ok := now[k]; !ok && !send(Event{Kind: TokenRemoved, Token: t}) {
					return
				}
			}
			for k, t := range now {
				if _, ok := seen[k]; !ok && !send(Event{Kind: TokenInserted, Token: t}) {
					return
				}
			}
			seen = now
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return ch
}
