package pkcs11

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/qoltanba/qoltanba/signer"
)

// Store is a signer.KeyStore over the tokens of a set of modules.
type Store struct {
	mu      sync.Mutex
	modules []*Module
	// Problems are the modules that failed to load: shown, not fatal.
	Problems []error
}

var _ signer.KeyStore = (*Store)(nil)

// NewStore loads the modules (see LoadAll); the ones that fail are recorded
// in Problems and the rest are used.
func NewStore(cfgs []ModuleConfig) *Store {
	mods, err := LoadAll(cfgs)
	s := &Store{modules: mods}
	if err != nil {
		s.Problems = unjoin(err)
	}
	return s
}

// Modules returns the loaded modules.
func (s *Store) Modules() []*Module {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Module(nil), s.modules...)
}

// Close releases the modules (the last user of each finalises it). Keys
// opened from the store must be closed first.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, m := range s.modules {
		errs = append(errs, m.Close())
	}
	s.modules = nil
	return errors.Join(errs...)
}

// Tokens lists the present tokens of every module.
func (s *Store) Tokens() ([]Token, error) {
	var out []Token
	var errs []error
	for _, m := range s.Modules() {
		ts, err := m.Tokens()
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, ts...)
	}
	return out, errors.Join(errs...)
}

// TokenKey is one key (or certificate) on a token, as listed without a PIN.
type TokenKey struct {
	signer.KeyRef
	Token Token
	// HasPrivateKey is true when the private key was seen; most tokens hide
	// private keys until login, so false proves nothing for a certificate.
	HasPrivateKey bool
}

// List implements signer.KeyStore: every certificate on every token (with
// its key's URI), plus keys without a certificate, with Certificate nil.
func (s *Store) List(ctx context.Context) ([]signer.KeyRef, error) {
	keys, err := s.TokenKeys(ctx)
	refs := make([]signer.KeyRef, len(keys))
	for i, k := range keys {
		refs[i] = k.KeyRef
	}
	return refs, err
}

// TokenKeys is List with the token each key lives on. Errors of one token or
// module do not hide the keys of the others: they are joined into err.
func (s *Store) TokenKeys(ctx context.Context) ([]TokenKey, error) {
	tokens, err := s.Tokens()
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	var out []TokenKey
	for _, t := range tokens {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		keys, err := t.Keys()
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, keys...)
	}
	return out, errors.Join(errs...)
}

// Keys lists the token's keys without logging in.
func (t Token) Keys() ([]TokenKey, error) {
	ts := t.Module.token(t)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ck := t.Module.ck
	session, err := ck.OpenSession(t.Slot)
	if err != nil {
		return nil, t.wrap("open session", err)
	}
	defer ck.CloseSession(session)
	objs, err := scan(ck, session)
	if err != nil {
		return nil, t.wrap("list objects", err)
	}
	var out []TokenKey
	for _, p := range objs.pairs() {
		out = append(out, TokenKey{KeyRef: t.keyRef(p), Token: t, HasPrivateKey: p.priv != nil})
	}
	return out, errors.Join(objs.bad...)
}

// keyRef describes a pair for lists and prompts.
func (t Token) keyRef(p pair) signer.KeyRef {
	ref := signer.KeyRef{URI: t.keyURI(p).String(), Label: p.label(), Token: cmp.Or(strings.TrimSpace(t.Label), "PKCS#11 token")}
	if p.cert != nil {
		ref.Certificate = p.cert.cert
	}
	return ref
}

// keyURI names a pair: token attributes, the ID (stable, shared by key and
// certificate) and the label; the module path lets another process find it.
func (t Token) keyURI(p pair) *URI {
	u := t.URI()
	u.ID = p.id()
	u.Object = p.label()
	if u.ID != nil {
		u.Object = "" // labels of key and certificate may differ; the ID names both
	}
	return u
}

// wrap gives an error its token context and turns a vanished token into
// ErrTokenRemoved.
func (t Token) wrap(what string, err error) error {
	if isGone(err) {
		return fmt.Errorf("token %s: %s: %w (%w)", t, what, ErrTokenRemoved, err)
	}
	return fmt.Errorf("token %s: %s: %w", t, what, err)
}

// find resolves a URI to exactly one token among the store's modules,
// loading the URI's module-path if the store does not have it yet.
func (s *Store) find(u *URI) (Token, error) {
	if u.ModulePath != "" {
		found := false
		for _, m := range s.Modules() {
			found = found || m.Path == u.ModulePath
		}
		if !found {
			m, err := Load(ModuleConfig{Path: u.ModulePath})
			if err != nil {
				return Token{}, err
			}
			s.mu.Lock()
			s.modules = append(s.modules, m)
			s.mu.Unlock()
		}
	}
	var match []Token
	var errs []error
	for _, m := range s.Modules() {
		if !u.matchesLibrary(m.Path, m.Info) {
			continue
		}
		ts, _, err := m.scanSlots()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, t := range ts {
			if u.matchesToken(t.info()) && (u.SlotID < 0 || uint(u.SlotID) == t.Slot) {
				match = append(match, t)
			}
		}
	}
	switch len(match) {
	case 0:
		err := fmt.Errorf("%w: no present token matches %s", ErrTokenNotFound, u)
		if len(errs) > 0 {
			err = fmt.Errorf("%w; %w", err, errors.Join(errs...))
		}
		return Token{}, err
	case 1:
		return match[0], nil
	}
	return Token{}, fmt.Errorf("%w: %d tokens match %s: name one with token= or serial=", ErrTokenNotFound, len(match), u)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// certOf returns the pair's certificate or nil.
