// Package core is Qoltanba's application core: one value, built once in cmd
// and handed to every face (the CLI's commands, the window, the NCALayer
// bridge, the portal sync), that holds the document store, the key
// registry, the settings and the verifier configuration, and carries out
// the operations the faces call. The rules — which key may sign, expiry,
// revocation, timestamps, what the user sees before a secret — live here
// and in signer, once. It imports no GUI toolkit.
//
// Arrows point down: cmd → faces (ui, bridge, CLI commands) → core →
// signer, sync/store.
package core

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// Options configure a Core.
type Options struct {
	// DataDir is the user's data folder: settings, database, trust store,
	// revocation cache.
	DataDir string
	// Keys is the key registry; nil makes one over the usual folders and
	// the token modules of the settings.
	Keys *Keys
	// Store is the document store when the face opened it (the window
	// keeps it open; CLI commands open it when they need it).
	Store store.Store
	// Now replaces time.Now (tests).
	Now func() time.Time
}

// Core is the application core. Its fields are set by New and read by the
// faces; the operations are its methods.
type Core struct {
	DataDir string
	Keys    *Keys
	Store   store.Store
	// SettingsProblem says why the settings file could not be read (the
	// defaults are used then); empty when all was well.
	SettingsProblem string

	clock func() time.Time

	// settings are read by workers (verifiers, signing) while a face
	// changes them: Settings and UpdateSettings go through mu.
	mu        sync.RWMutex
	settings  Settings
	listeners []func(Change)
}

// New builds the core over a data folder: it reads the settings (a damaged
// file gives the defaults and a SettingsProblem, never a failure) and makes
// the key registry.
func New(opts Options) (*Core, error) {
	if opts.DataDir == "" {
		return nil, fmt.Errorf("core: no data folder")
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", opts.DataDir, err)
	}
	c := &Core{DataDir: opts.DataDir, Store: opts.Store, clock: opts.Now}
	settings, err := LoadSettings(opts.DataDir)
	if err != nil {
		c.SettingsProblem = err.Error()
	}
	c.settings = settings
	c.Keys = opts.Keys
	if c.Keys == nil {
		c.Keys = NewKeys(nil, settings.ModuleConfigs())
	}
	return c, nil
}

// Fallback is a core with the default settings and no store, for a face
// that must go on when New failed (the data folder cannot be made): it can
// still list and open keys and verify, and says why elsewhere.
func Fallback(dataDir string, problem error) *Core {
	c := &Core{DataDir: dataDir, settings: DefaultSettings(), Keys: NewKeys(nil, nil)}
	if problem != nil {
		c.SettingsProblem = problem.Error()
	}
	return c
}

// Close releases the token modules; the store is the opener's to close.
func (c *Core) Close() error { return c.Keys.Close() }

func (c *Core) now() time.Time {
	if c.clock != nil {
		return c.clock()
	}
	return time.Now()
}

// Path is a path inside the data folder.
func (c *Core) Path(elem ...string) string {
	return filepath.Join(append([]string{c.DataDir}, elem...)...)
}

// ErrTrustFile: a file or folder named to be trusted cannot be read as
// certificates.
var ErrTrustFile = errors.New("cannot trust")

// VerifyOptions adjust one verification.
type VerifyOptions struct {
	// Offline overrides the settings' offline mode when true.
	Offline bool
	// Trust are extra files or folders of trusted roots (the CLI's --trust).
	Trust []string
}

// Verifier is the one verification configuration of every face: the trust
// store of the data folder (imported roots, pinned fetched roots, TEST
// anchors marked as such), the revocation cache, the OCSP address and
// offline mode from the settings.
func (c *Core) Verifier(opts VerifyOptions) (*pki.Verifier, error) {
	ts, err := c.TrustStore()
	if err != nil {
		return nil, err
	}
	for _, t := range opts.Trust {
		info, err := os.Stat(t)
		if err != nil {
			return nil, fmt.Errorf("%w %s: %w", ErrTrustFile, t, err)
		}
		if info.IsDir() {
			_, err = ts.LoadDir(t)
		} else {
			_, err = ts.LoadFile(t)
		}
		if err != nil {
			return nil, fmt.Errorf("%w %s: %w", ErrTrustFile, t, err)
		}
	}
	cache := c.Cache()
	settings := c.Settings()
	v := &pki.Verifier{
		Trust:   ts,
		Offline: opts.Offline || settings.Offline,
		HTTP:    &http.Client{Timeout: 10 * time.Second},
		Cache:   cache,
		Now:     c.now,
	}
	if settings.OCSP != "" {
		v.Revocation = &pki.Revocation{
			OCSP: &pki.OCSPClient{URL: settings.OCSP, Cache: cache},
			CRL:  &pki.CRLClient{Cache: cache},
		}
	}
	return v, nil
}

// Cache is the revocation and CA certificate cache of the data folder.
func (c *Core) Cache() *pki.Cache { return &pki.Cache{Dir: c.Path("cache")} }

// Revocation reads the revocation cache only: what the signing policy
// consults, so signing never waits on the network.
func (c *Core) Revocation() *pki.Revocation {
	cache := c.Cache()
	return &pki.Revocation{OCSP: &pki.OCSPClient{URL: c.Settings().OCSP, Cache: cache}, CRL: &pki.CRLClient{Cache: cache}}
}

// knownCAs are the CA certificates the data folder knows (trusted roots,
// TEST ones, intermediates): where the signing policy finds a key's issuer
// when the key came without its chain (tokens, most key files), to look
// its status up in the revocation cache.
func (c *Core) knownCAs() []*x509.Certificate {
	ts, err := c.TrustStore()
	if err != nil {
		return nil
	}
	return append(ts.Intermediates(), ts.Anchors()...)
}

// TrustStore opens the data folder's trust store with its TEST anchors.
func (c *Core) TrustStore() (*pki.TrustStore, error) {
	ts, err := pki.OpenTrustStore(c.Path("trust"), pki.ProductionRootPins)
	if err != nil {
		return nil, fmt.Errorf("open the trust store: %w", err)
	}
	if _, err := ts.LoadTestDir(c.TestTrustDir()); err != nil {
		return nil, fmt.Errorf("open the TEST anchors: %w", err)
	}
	return ts, nil
}

// ImportRoot trusts the certificates of a file the user chose, from now on
// (they are kept in the data folder's trust store).
func (c *Core) ImportRoot(path string) ([]*x509.Certificate, error) {
	ts, err := pki.OpenTrustStore(c.Path("trust"), pki.ProductionRootPins)
	if err != nil {
		return nil, fmt.Errorf("open the trust store: %w", err)
	}
	return ts.Import(path)
}

// TestTrustDir is where TEST anchors are kept: certificates only, never
// their keys. Signatures that chain to them are reported TEST.
func (c *Core) TestTrustDir() string { return c.Path("trust", "test") }

// IsTest reports whether cert is a TEST one: issued by a test CA, or under
// a TEST anchor of the data folder. Faces mark such keys TEST.
func (c *Core) IsTest(cert *x509.Certificate) bool {
	if cert == nil {
		return false
	}
	if pki.IssuedByTestCA(cert) {
		return true
	}
	ts := pki.NewTrustStore("")
	if _, err := ts.LoadTestDir(c.TestTrustDir()); err != nil {
		return false
	}
	return ts.IssuedUnderTest(cert)
}
