package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
	"github.com/qoltanba/qoltanba/signer/pkcs12"
	"github.com/qoltanba/qoltanba/sync/store"
)

// openCore builds the application core over the data folder a command
// names (--data-dir, $QOLTANBA_DATA_DIR or the usual one). modules, when
// given (--pkcs11), replace the settings' token modules for this run; with
// withStore the document store is opened too. The caller closes the core
// and, when opened, c.Store. A damaged settings file is said on s.err (the
// defaults are used, the key list kept).
func openCore(s stdio, dirFlag string, modules []string, withStore bool) (*core.Core, error) {
	dir, err := dataDir(dirFlag)
	if err != nil {
		return nil, err
	}
	opts := core.Options{DataDir: dir}
	if len(modules) > 0 {
		opts.Keys = core.NewKeys(nil, tokenModules(modules))
	}
	c, err := core.New(opts)
	if err != nil {
		return nil, err
	}
	if c.SettingsProblem != "" {
		fmt.Fprintf(s.err, "warning: %s\n", c.SettingsProblem)
	}
	if withStore {
		st, err := openStore(dir)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.Store = st
	}
	return c, nil
}

// closeCore closes what openCore opened.
func closeCore(c *core.Core) {
	if st, ok := c.Store.(*store.Bolt); ok {
		st.Close()
	}
	c.Close()
}

// openKey opens a key through the core's registry, with the hints a user
// can act on. Every command that opens a key comes here.
func openKey(ctx context.Context, c *core.Core, uri string, ui signer.UI) (*signer.Key, error) {
	key, err := c.Keys.Open(ctx, uri, ui)
	if err != nil {
		return nil, keyErrorHint(err)
	}
	return key, nil
}

// keyErrorHint gives the errors of opening a key (file or token) and of the
// signing policy their hints.
func keyErrorHint(err error) error {
	var unsupported *pkcs12.UnsupportedAlgorithmError
	var policy *core.PolicyError
	switch {
	case errors.As(err, &policy):
		return withHint(err, "a signature must be made while the certificate is valid, for the use it allows: 'qoltanba cert info' shows it")
	case errors.Is(err, signer.ErrPINLocked):
		return withHint(err, "the token no longer accepts the PIN: unlock it with the administrator (SO) PIN in the vendor's tool, or at a Public Service Centre")
	case errors.Is(err, errSecretNotRetried):
		return withHint(err, "passwords are case-sensitive: check Caps Lock and the keyboard layout (KZ/RU/EN)")
	case errors.Is(err, signer.ErrWrongPassword):
		return withHint(err, "passwords and PINs are case-sensitive: check Caps Lock and the keyboard layout (KZ/RU/EN); a token locks after a few wrong PINs")
	case errors.As(err, &unsupported):
		return withHint(err, "Qoltanba reads GOST 34.10-2015, GOST 34.310-2004, RSA and ECDSA keys; tell us about this file")
	case errors.Is(err, pkcs12.ErrMalformed):
		return withHint(err, "is it a PKCS#12 key file (.p12) as NCA RK issues them? copy it again from the original media")
	case errors.Is(err, pkcs11.ErrTokenNotFound):
		return withHint(err, "is the token inserted? run 'qoltanba keys tokens' to list the tokens and their keys")
	case errors.Is(err, pkcs11.ErrNoCertificate):
		return withHint(err, "write the certificate NCA issued onto the token with the vendor's tool")
	case errors.Is(err, pkcs11.ErrTokenRemoved):
		return withHint(err, "insert the token again and repeat")
	case errors.Is(err, signer.ErrNoKey):
		return withHint(err, "run 'qoltanba keys list' to see the keys Qoltanba finds")
	}
	return tokenListError(err)
}
