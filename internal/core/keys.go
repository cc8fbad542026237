package core

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
)

// Retry limits: a key file has no lock-out, but a face that keeps asking is
// a face stuck in a loop; a token counts its own attempts and locks, so it
// is asked again only while it is not locked.
const (
	maxFileAttempts  = 5
	maxTokenAttempts = 10
)

// Keys is the key registry: the one place that decides whether a URI names
// a key file or a token key, asks for its secret, counts retries and stops
// at a locked token. Key files and tokens are both signer.KeyStores; there
// is one token store per process (PKCS#11 C_Initialize is once per process),
// shared by every face.
type Keys struct {
	Files *keyfile.Store

	mu      sync.Mutex
	modules []pkcs11.ModuleConfig
	tokens  *pkcs11.Store
	// handed: a face manages the token store (UseTokens); none is loaded
	// behind its back, even while it has none.
	handed bool
}

// NewKeys makes a registry over the key files in folders (the usual ones
// when empty) and the tokens of modules (the usual drivers when empty),
// loaded on first use.
func NewKeys(folders []string, modules []pkcs11.ModuleConfig) *Keys {
	return &Keys{Files: &keyfile.Store{Folders: folders}, modules: modules}
}

// Tokens returns the token store, loading the modules on first use.
func (k *Keys) Tokens() *pkcs11.Store {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.tokens == nil && k.handed {
		return pkcs11.NewStore(nil) // no modules: every token URI is "not found"
	}
	if k.tokens == nil {
		cfgs := k.modules
		if len(cfgs) == 0 {
			for _, p := range pkcs11.UsualModules() {
				cfgs = append(cfgs, pkcs11.ModuleConfig{Path: p})
			}
		}
		k.tokens = pkcs11.NewStore(cfgs)
	}
	return k.tokens
}

// UseTokens makes st the process's token store (the window loads the modules
// its Settings name and watches them); the store it replaces is returned
// for the caller to close once nothing signs with it.
func (k *Keys) UseTokens(st *pkcs11.Store) (old *pkcs11.Store) {
	k.mu.Lock()
	defer k.mu.Unlock()
	old, k.tokens, k.handed = k.tokens, st, true
	return old
}

// Close releases the token modules.
func (k *Keys) Close() error {
	k.mu.Lock()
	st := k.tokens
	k.tokens = nil
	k.mu.Unlock()
	if st != nil {
		return st.Close()
	}
	return nil
}

// List returns the key files found and the keys on the present tokens. A
// failing token driver never hides the key files: its error is returned
// beside them.
func (k *Keys) List(ctx context.Context) ([]signer.KeyRef, error) {
	files, err := k.Files.List(ctx)
	if err != nil {
		return files, err
	}
	tokens, err := k.Tokens().List(ctx)
	return append(files, tokens...), err
}

// store picks the store a URI belongs to.
func (k *Keys) store(uri string) signer.KeyStore {
	if pkcs11.IsURI(uri) {
		return k.Tokens()
	}
	return k.Files
}

// Describe tells what is known of a key without a secret: a file's name and
// the certificate beside it, a token key's certificate. A URI that names
// nothing is an error wrapping signer.ErrNoKey.
func (k *Keys) Describe(ctx context.Context, uri string) (signer.KeyRef, error) {
	if !pkcs11.IsURI(uri) {
		path, err := keyfile.PathOf(uri)
		if err != nil {
			return signer.KeyRef{}, err
		}
		if err := keyfile.Check(path); err != nil {
			return signer.KeyRef{}, err
		}
		return keyfile.Ref(path), nil
	}
	want, err := pkcs11.ParseURI(uri)
	if err != nil {
		return signer.KeyRef{}, err
	}
	keys, listErr := k.Tokens().TokenKeys(ctx)
	for _, tk := range keys {
		if want.Selects(tk) {
			return tk.KeyRef, nil
		}
	}
	// Not listed without a PIN (some tokens hide everything until login):
	// Open finds out, and says so before any PIN if nothing is there.
	ref := signer.KeyRef{URI: uri, Label: want.Object, Token: want.Token}
	if ref.Token == "" {
		ref.Token = "PKCS#11 token"
	}
	if listErr != nil && len(keys) == 0 {
		// Nothing could be read (a token pulled out makes some drivers
		// fail the slot's C_GetTokenInfo): say what the user can act on.
		return ref, fmt.Errorf("token key %s: %w: no present token could be read (%w)", uri, pkcs11.ErrTokenNotFound, listErr)
	}
	return ref, nil
}

// Open unlocks the key named by uri through ui. A wrong secret is asked
// again (the request says which attempt it is, and carries the token's PIN
// state) until the right one, a cancel, a face that cannot ask again, or a
// locked token.
func (k *Keys) Open(ctx context.Context, uri string, ui signer.UI) (*signer.Key, error) {
	st := k.store(uri)
	limit := maxFileAttempts
	if pkcs11.IsURI(uri) {
		limit = maxTokenAttempts
	}
	for attempt := 1; ; attempt++ {
		key, err := st.Open(ctx, uri, attemptUI{UI: ui, attempt: attempt})
		if err == nil {
			return key, nil
		}
		retry := errors.Is(err, signer.ErrWrongPassword) && !errors.Is(err, signer.ErrPINLocked) && ctx.Err() == nil
		if !retry || attempt >= limit {
			return nil, err
		}
	}
}

// attemptUI stamps each secret request with its attempt number.
type attemptUI struct {
	signer.UI
	attempt int
}

func (a attemptUI) RequestSecret(ctx context.Context, req signer.SecretRequest) ([]byte, error) {
	req.Attempt = a.attempt
	return a.UI.RequestSecret(ctx, req)
}

// OpenWith opens a key with a secret the face already has (typed into a
// field of its own rather than asked for): one attempt, a wrong secret is
// ErrWrongPassword. The caller zeroes secret.
func (k *Keys) OpenWith(ctx context.Context, uri string, secret []byte) (*signer.Key, error) {
	return k.Open(ctx, uri, givenSecret(secret))
}

// givenSecret answers the first secret request with a copy of itself.
type givenSecret []byte

func (g givenSecret) RequestSecret(_ context.Context, req signer.SecretRequest) ([]byte, error) {
	if req.Retry() {
		return nil, fmt.Errorf("%w for %s", signer.ErrWrongPassword, req.Key.Label)
	}
	return append([]byte(nil), g...), nil
}

func (givenSecret) Consent(context.Context, signer.Consent) error { return nil }

// KeyFiles lists the user's key files: those in the registry's folders
// and those the user opened or made before (Settings' KeyPaths and
// TestKeys) that are still there, each once.
func (c *Core) KeyFiles(ctx context.Context) ([]signer.KeyRef, error) {
	refs, err := c.Keys.Files.List(ctx)
	seen := map[string]bool{}
	for _, r := range refs {
		seen[filepath.Clean(r.URI)] = true
	}
	s := c.Settings()
	for _, path := range append(slices.Clone(s.KeyPaths), s.TestKeys...) {
		if seen[filepath.Clean(path)] || keyfile.Check(path) != nil {
			continue
		}
		seen[filepath.Clean(path)] = true
		refs = append(refs, keyfile.Ref(path))
	}
	return refs, err
}
