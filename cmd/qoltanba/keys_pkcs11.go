package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/qoltanba/qoltanba/signer/pkcs11"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// tokenKeyRow is one token key in `keys list --json` and `keys tokens
// --json`: the URI and kind that file rows have too, then the token and the
// holder's identity (absent for a key without certificate).
type tokenKeyRow struct {
	URI    string `json:"uri"`
	Kind   string `json:"kind"` // "pkcs11" or "pkcs11-no-certificate"
	Label  string `json:"label"`
	Token  string `json:"token"`
	Serial string `json:"serial"`
	Module string `json:"module"`
	*pki.Identity
}

// tokenModules returns the modules to probe: the ones named, or the usual
// install locations of token drivers.
func tokenModules(named []string) []pkcs11.ModuleConfig {
	paths := named
	if len(paths) == 0 {
		paths = pkcs11.UsualModules()
	}
	cfgs := make([]pkcs11.ModuleConfig, len(paths))
	for i, p := range paths {
		cfgs[i] = pkcs11.ModuleConfig{Path: p}
	}
	return cfgs
}

// listTokenKeys lists every key on the tokens of the modules (the usual
// locations when modules is empty), without asking for a PIN. Modules that
// fail to load and tokens that cannot be read do not hide the others: their
// errors are joined into err, next to the rows found.
func listTokenKeys(ctx context.Context, modules []string) ([]tokenKeyRow, error) {
	store := pkcs11.NewStore(tokenModules(modules))
	defer store.Close()
	keys, err := store.TokenKeys(ctx)
	errs := append([]error(nil), store.Problems...)
	if err != nil {
		errs = append(errs, err)
	}
	rows := make([]tokenKeyRow, 0, len(keys))
	now := time.Now()
	for _, k := range keys {
		r := tokenKeyRow{URI: k.URI, Kind: "pkcs11", Label: k.Label, Token: k.Token.Label, Serial: k.Token.Serial, Module: k.Token.Module.Path}
		if k.Certificate == nil {
			r.Kind = "pkcs11-no-certificate"
		} else {
			id := pki.IdentityOf(k.Certificate, now)
			r.Identity = &id
		}
		rows = append(rows, r)
	}
	return rows, errors.Join(errs...)
}

// keysTokens is `qoltanba keys tokens`: the tokens and their keys.
func keysTokens(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("keys tokens", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	var modules multiFlag
	fs.Var(&modules, "pkcs11", "load the PKCS#11 `MODULE` instead of the usual token drivers (repeatable)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	if len(modules) == 0 && len(pkcs11.UsualModules()) == 0 {
		return withHint(errors.New("no token driver (PKCS#11 module) found in the usual places"),
			"install your token's driver (Kaztoken, eToken, JaCarta, Rutoken) or name its module with --pkcs11 PATH")
	}
	rows, err := listTokenKeys(ctx, modules)
	if *asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if e := enc.Encode(rows); e != nil {
			return e
		}
	} else {
		printTokenKeys(s.out, rows)
	}
	return tokenListError(err)
}

// tokenListError turns module and token problems into a message with hints.
func tokenListError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pkcs11.ErrNeedsCgo):
		return withHint(err, "this qoltanba was built without cgo; use a release build to sign with tokens")
	case errors.Is(err, pkcs11.ErrNotPKCS11):
		return withHint(err, "name the token driver's PKCS#11 library (.so or .dll), e.g. /usr/lib/librtpkcs11ecp.so")
	}
	return err
}

func printTokenKeys(w io.Writer, rows []tokenKeyRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		holder := "(no certificate on the token)"
		if r.Identity != nil {
			holder = r.Identity.CommonName
			if r.Identity.IIN != "" {
				holder += " IIN " + r.Identity.IIN
			}
			if r.Identity.BIN != "" {
				holder += " BIN " + r.Identity.BIN
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Token, r.Label, holder, r.URI)
	}
	tw.Flush()
}

// registerPINFlags adds --pin-stdin and --pin-file to a command's flags.
func registerPINFlags(fs *flag.FlagSet, ui *terminalUI) { ui.secrets.register(fs, "pin") }

// tokenKeyInfo is `keys info 'pkcs11:…'`: the identity on the key's
// certificate, read without a PIN.
func tokenKeyInfo(ctx context.Context, s stdio, uri string, modules []string, asJSON bool) error {
	u, err := pkcs11.ParseURI(uri)
	if err != nil {
		return withHint(err, "a token key is named like pkcs11:token=LABEL;object=LABEL (run 'qoltanba keys list')")
	}
	store := pkcs11.NewStore(tokenModules(modules))
	defer store.Close()
	keys, err := store.TokenKeys(ctx)
	var matches []pkcs11.TokenKey
	for _, k := range keys {
		if u.Selects(k) && k.Certificate != nil {
			matches = append(matches, k)
		}
	}
	switch {
	case len(matches) == 0 && err != nil:
		return tokenListError(err)
	case len(matches) == 0:
		return withHint(fmt.Errorf("no token key with a certificate matches %s", uri), "is the token inserted? run 'qoltanba keys list' to see the token keys and their URIs")
	case len(matches) > 1:
		return withHint(fmt.Errorf("%s names %d keys", uri, len(matches)), "add object= or id= to the URI; 'qoltanba keys list' shows each key's full URI")
	}
	k := matches[0]
	info := keyInfo{File: k.URI, Identity: pki.IdentityOf(k.Certificate, time.Now()), Chain: []string{}}
	return printKeyInfo(s, info, asJSON)
}
