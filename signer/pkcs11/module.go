package pkcs11

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
)

// ModuleConfig names a module and the vendor details this package cannot
// discover through PKCS#11.
type ModuleConfig struct {
	Path string
	// GOST256Mechanism and GOST512Mechanism sign a software-computed digest
	// with GOST 34.10 keys of 256 and 512 bits. Zero means CKM_GOSTR3410
	// (0x1201) and the TC26 CKM_GOSTR3410_512 (0xD4321006); Kazakh token
	// vendors may number theirs in the CKM_VENDOR_DEFINED range.
	GOST256Mechanism, GOST512Mechanism uint
	// GOSTSignatureNCAOrder says the module returns r‖s little-endian (the
	// order NCA documents carry) instead of PKCS#11's s‖r big-endian.
	GOSTSignatureNCAOrder bool
}

// Module is a loaded and initialised PKCS#11 library. Load hands out one
// shared Module per path and process; Close releases a reference.
type Module struct {
	Path string
	Info libraryInfo
	cfg  ModuleConfig
	ck   cryptoki
	// ownsInit is false when another part of the process had initialised
	// the library first: then it is not finalised here either.
	ownsInit bool
	refs     int // guarded by registry.mu

	mu     sync.Mutex
	tokens map[tokenKey]*tokenState
}

// tokenKey names a token across slot changes: the reader's slot may differ
// after a re-insert, the serial and label do not.
type tokenKey struct{ serial, label string }

// tokenState serialises work on one token (PKCS#11 login state is per token
// and application, and tokens are slow, single-threaded devices) and counts
// the Keys that keep the token logged in.
type tokenState struct {
	mu     sync.Mutex
	logins int
}

var registry = struct {
	mu      sync.Mutex
	modules map[string]*Module
}{modules: map[string]*Module{}}

// Load loads the module at cfg.Path and calls C_Initialize, unless this
// process already did: then it returns the same Module with one more
// reference. A path that is not a PKCS#11 library gives ErrNotPKCS11.
func Load(cfg ModuleConfig) (*Module, error) {
	if cfg.Path == "" {
		return nil, fmt.Errorf("%w: empty module path", ErrNotPKCS11)
	}
	if abs, err := filepath.Abs(cfg.Path); err == nil {
		cfg.Path = abs
	}
	return loadWith(cfg, loadLibrary)
}

func loadWith(cfg ModuleConfig, load func(string) (cryptoki, error)) (*Module, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if m := registry.modules[cfg.Path]; m != nil {
		m.refs++
		return m, nil
	}
	ck, err := load(cfg.Path)
	if err != nil {
		return nil, err
	}
	m := &Module{Path: cfg.Path, cfg: cfg, ck: ck, ownsInit: true, refs: 1, tokens: map[tokenKey]*tokenState{}}
	if err := ck.Initialize(); err != nil {
		if !isRV(err, ckrCryptokiAlreadyInitialize) {
			ck.Destroy()
			return nil, fmt.Errorf("%w: %s: C_Initialize: %w", ErrNotPKCS11, cfg.Path, err)
		}
		m.ownsInit = false
	}
	if m.Info, err = ck.Info(); err != nil {
		m.finalize()
		return nil, fmt.Errorf("%w: %s: C_GetInfo: %w", ErrNotPKCS11, cfg.Path, err)
	}
	registry.modules[cfg.Path] = m
	return m, nil
}

// Close releases this reference; the last one calls C_Finalize and unloads
// the library.
func (m *Module) Close() error {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if m.refs <= 0 {
		return nil
	}
	m.refs--
	if m.refs > 0 {
		return nil
	}
	delete(registry.modules, m.Path)
	return m.finalize()
}

func (m *Module) finalize() error {
	var err error
	if m.ownsInit {
		if e := m.ck.Finalize(); e != nil && !isRV(e, ckrCryptokiNotInitialized) {
			err = fmt.Errorf("%s: C_Finalize: %w", m.Path, e)
		}
	}
	m.ck.Destroy()
	return err
}

// token returns the state of the token, creating it on first use.
func (m *Module) token(t Token) *tokenState {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := tokenKey{t.Serial, t.Label}
	ts := m.tokens[k]
	if ts == nil {
		ts = &tokenState{}
		m.tokens[k] = ts
	}
	return ts
}

// LoadAll loads every path, collecting the failures instead of stopping at
// the first: a broken driver must not hide the tokens of the others.
func LoadAll(cfgs []ModuleConfig) ([]*Module, error) {
	var mods []*Module
	var errs []error
	for _, c := range cfgs {
		m, err := Load(c)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		mods = append(mods, m)
	}
	return mods, errors.Join(errs...)
}
