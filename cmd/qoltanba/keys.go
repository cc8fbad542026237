package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// keyInfo is what `keys info --json` prints: the file and its holder's identity.
type keyInfo struct {
	File string `json:"file"`
	pki.Identity
	Chain []string `json:"chain"` // subjects of the certificates that came with the key
}

func keysInfo(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("keys info", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	var modules multiFlag
	fs.Var(&modules, "pkcs11", "look for token keys through the PKCS#11 `MODULE` (repeatable; default: the usual drivers)")
	dir := dataDirFlag(fs)
	ui := &terminalUI{s: s}
	ui.secrets.register(fs, "password")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("name one key file")
	}
	path := files[0]
	if pkcs11.IsURI(path) {
		return tokenKeyInfo(ctx, s, path, modules, *asJSON)
	}
	c, err := openCore(s, *dir, modules, false)
	if err != nil {
		return err
	}
	defer closeCore(c)
	key, err := openKey(ctx, c, path, ui)
	if err != nil {
		return err
	}
	defer key.Close()

	info := keyInfo{File: path, Identity: pki.IdentityOf(key.Certificate, time.Now()), Chain: []string{}}
	for _, c := range key.Chain {
		info.Chain = append(info.Chain, c.Subject.String())
	}
	return printKeyInfo(s, info, *asJSON)
}

func printKeyInfo(s stdio, info keyInfo, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	printIdentity(s.out, info)
	return nil
}

func printIdentity(w io.Writer, info keyInfo) {
	id := info.Identity
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", label, value)
		}
	}
	row("File", info.File)
	row("Holder", id.CommonName)
	row("IIN", id.IIN)
	row("Organisation", id.Organization)
	row("BIN", id.BIN)
	roles := make([]string, len(id.Roles))
	for i, r := range id.Roles {
		roles[i] = string(r)
	}
	row("Roles", strings.Join(roles, ", "))
	row("Purpose", string(id.Purpose))
	row("Algorithm", id.Algorithm)
	row("Valid", fmt.Sprintf("%s to %s (%s)", id.NotBefore.Format(time.DateOnly), id.NotAfter.Format(time.DateOnly), validity(id.DaysLeft)))
	row("Issuer", id.Issuer)
	row("Serial number", id.SerialNumber)
	row("Subject", id.SubjectDN)
	for i, c := range info.Chain {
		row(fmt.Sprintf("Chain %d", i+1), c)
	}
	tw.Flush()
}

// validity says how long a certificate has left, and when to renew it.
func validity(daysLeft int) string {
	switch {
	case daysLeft < 0:
		return fmt.Sprintf("EXPIRED %d days ago", -daysLeft)
	case pki.RenewSoon(daysLeft):
		return fmt.Sprintf("%d days left — renew it now", daysLeft)
	}
	return fmt.Sprintf("%d days left", daysLeft)
}

func keysList(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("keys list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	var dirs, modules multiFlag
	fs.Var(&dirs, "dir", "search `DIR` instead of the usual folders (repeatable)")
	fs.Var(&modules, "pkcs11", "list token keys through the PKCS#11 `MODULE` (repeatable; default: the usual drivers)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	folders := []string(dirs)
	if len(folders) == 0 {
		folders = keyfile.UsualFolders()
	}
	found := keyfile.Find(folders)
	// Tokens never stop the listing: a driver that fails is reported beside the keys found.
	tokens, tokenErr := listTokenKeys(ctx, modules)
	if tokenErr != nil {
		report(stdio{err: s.err}, tokenListError(tokenErr))
	}
	if *asJSON {
		type row struct {
			URI      string    `json:"uri"`
			Kind     string    `json:"kind"`
			Size     int64     `json:"size"`
			Modified time.Time `json:"modified"`
		}
		rows := make([]any, 0, len(found)+len(tokens))
		for _, f := range found {
			rows = append(rows, row{f.Path, string(f.Kind), f.Size, f.ModTime})
		}
		for _, t := range tokens {
			rows = append(rows, t)
		}
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	if len(found) == 0 && len(tokens) == 0 {
		fmt.Fprintf(s.err, "no key files found in %s, and no token keys\n", strings.Join(folders, ", "))
		fmt.Fprintln(s.err, "hint: name a folder with --dir DIR (or set QOLTANBA_KEYS_DIR), or a token driver with --pkcs11 MODULE")
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
	for _, f := range found {
		fmt.Fprintf(tw, "%s\t%s\n", f.Path, f.Kind)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	printTokenKeys(s.out, tokens)
	return nil
}
