package bridge

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// MaxWaiting bounds the requests that wait for the user while a dialog is
// open; more are refused with NCALayer's cancel answer, so that a page
// cannot flood the user.
const MaxWaiting = 4

// Bridge answers websites' requests on the core. It is safe for use by
// many connections at once; the user sees one dialog at a time.
type Bridge struct {
	core    *core.Core
	prompts Prompts
	log     *slog.Logger

	// gate holds the user's attention: one dialog at a time.
	gate    chan struct{}
	waiting atomic.Int32

	mu     sync.Mutex
	denied map[string]bool // origins denied until restart

	// records feeds the recorder goroutine (record).
	records    chan func()
	recordOnce sync.Once
	recording  sync.WaitGroup

	// MaxMessage overrides the largest message read (MaxMessage).
	MaxMessage int64
	Stats      Stats
}

// New makes a bridge on c that asks the user through p.
func New(c *core.Core, p Prompts, log *slog.Logger) *Bridge {
	if log == nil {
		log = slog.Default()
	}
	return &Bridge{core: c, prompts: p, log: log, gate: make(chan struct{}, 1), denied: map[string]bool{}}
}

// session is one socket's state: the origin the browser sent, the locale
// the page chose and the files the user chose for it.
type session struct {
	origin string
	locale string
	files  []string
}

// errRefused: too many requests wait for the user, or the origin was
// denied; the page gets NCALayer's cancel answer.
var errRefused = errors.New("refused")

// attend runs f while the user's attention is held: one dialog at a time,
// with at most MaxWaiting requests in line.
func (b *Bridge) attend(ctx context.Context, f func() error) error {
	if b.waiting.Add(1) > MaxWaiting {
		b.waiting.Add(-1)
		return fmt.Errorf("%w: %d requests already wait for the user", errRefused, MaxWaiting)
	}
	select {
	case b.gate <- struct{}{}:
		b.waiting.Add(-1)
	case <-ctx.Done():
		b.waiting.Add(-1)
		return ctx.Err()
	}
	defer func() { <-b.gate }()
	return f()
}

// permit asks, under the gate, whether the session's origin may do action.
func (b *Bridge) permit(ctx context.Context, s *session, action Action) error {
	b.mu.Lock()
	denied := b.denied[s.origin]
	b.mu.Unlock()
	if denied {
		return fmt.Errorf("%w: the user denied %s", errRefused, s.origin)
	}
	if slices.Contains(b.core.Settings().Websites, s.origin) {
		return nil
	}
	p, err := b.prompts.Allow(ctx, AllowRequest{Origin: s.origin, Action: action, Locale: s.locale})
	if err != nil {
		return err
	}
	switch p {
	case AllowAlways:
		if err := b.core.UpdateSettings(func(st *core.Settings) {
			if !slices.Contains(st.Websites, s.origin) {
				st.Websites = append(st.Websites, s.origin)
			}
		}); err != nil {
			b.log.Warn("bridge: cannot remember the allowed website", "origin", s.origin, "err", err)
		}
		return nil
	case AllowOnce:
		return nil
	}
	b.mu.Lock()
	b.denied[s.origin] = true
	b.mu.Unlock()
	return fmt.Errorf("%w: the user denied %s", errRefused, s.origin)
}

// Forget removes an origin from the allowed and denied websites.
func (b *Bridge) Forget(origin string) error {
	b.mu.Lock()
	delete(b.denied, origin)
	b.mu.Unlock()
	return b.core.UpdateSettings(func(st *core.Settings) {
		st.Websites = slices.DeleteFunc(st.Websites, func(o string) bool { return o == origin })
	})
}

// keyJob is what a request needs of a key.
type keyJob struct {
	// trusted checks the site's chain condition, once per certificate.
	trusted  func(context.Context, *x509.Certificate) bool
	action   Action
	storages []string // nil: every storage
	cond     conditions
	use      core.Use
	logo     []byte
}

// chooseKey offers the keys that fit job and returns the one chosen.
func (b *Bridge) chooseKey(ctx context.Context, s *session, job keyJob) (signer.KeyRef, error) {
	if job.trusted == nil {
		job.trusted = (&trustCheck{core: b.core}).trusted
	}
	all, err := b.candidates(ctx)
	if err != nil {
		return signer.KeyRef{}, err
	}
	allowed := func(storage string) bool { return job.storages == nil || slices.Contains(job.storages, storage) }
	req := KeyRequest{Origin: s.origin, Action: job.action, Files: allowed(StorageFile),
		Requires: job.cond.Requirements, Logo: job.logo, Locale: s.locale}
	for _, c := range all {
		if !allowed(c.storage) {
			continue
		}
		if c.ref.Certificate != nil && b.fits(ctx, c.ref.Certificate, job) != nil {
			continue
		}
		req.Keys = append(req.Keys, c.ref)
	}
	if len(req.Keys) == 0 && !req.Files {
		return signer.KeyRef{}, errNoKey
	}
	ref, err := b.prompts.ChooseKey(ctx, req)
	if err != nil {
		return signer.KeyRef{}, err
	}
	offered := slices.ContainsFunc(req.Keys, func(k signer.KeyRef) bool { return k.URI == ref.URI })
	if !offered && !(req.Files && keyfile.Check(ref.URI) == nil) {
		return signer.KeyRef{}, fmt.Errorf("%w: %s was not offered", errWrongSigner, ref.Label)
	}
	return b.core.Keys.Describe(ctx, ref.URI)
}

// fits applies the site's conditions to a known certificate. The core's
// own policy (expiry, revocation, usage) is not applied here: a key it
// refuses is still listed, and the core says why when it is chosen.
func (b *Bridge) fits(ctx context.Context, cert *x509.Certificate, job keyJob) error {
	return job.cond.accept(cert, func(c *x509.Certificate) bool { return job.trusted(ctx, c) })
}

// trustCheck answers "does this certificate chain to a current, non-TEST
// anchor" for one request: the trust store is opened once and each
// certificate's chain built once, however many keys are listed and
// checked again after the key opens.
type trustCheck struct {
	core   *core.Core
	store  *pki.TrustStore
	opened bool
	seen   map[string]bool
}

func (t *trustCheck) trusted(ctx context.Context, cert *x509.Certificate) bool {
	key := string(cert.Raw)
	if v, ok := t.seen[key]; ok {
		return v
	}
	if !t.opened {
		t.opened = true
		t.store, _ = t.core.TrustStore()
		t.seen = map[string]bool{}
	}
	ok := false
	if t.store != nil && !t.core.IsTest(cert) {
		chains, err := t.store.BuildChains(ctx, cert, pki.ChainOptions{Cache: t.core.Cache(), Online: !t.core.Settings().Offline})
		ok = err == nil && len(chains) > 0
	}
	t.seen[key] = ok
	return ok
}
