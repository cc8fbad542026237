package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// docsSignResult is what `docs sign --json` prints.
type docsSignResult struct {
	Signature store.Signature `json:"signature"`
	Report    *pki.Report     `json:"report"`
}

func docsSign(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("docs sign", flag.ContinueOnError)
	key := fs.String("key", "", "the signing `KEY`: a .p12 file or a pkcs11: URI")
	var opts docsign.Options
	fs.StringVar(&opts.Format, "format", "", "`FORMAT`: xml or cms (default: xml for XML documents, cms otherwise)")
	fs.BoolVar(&opts.Detached, "detached", false, "cms: keep the content out of the signature")
	fs.StringVar(&opts.TSA, "tsa", "", "cms: add a timestamp from the RFC 3161 service at `URL`; if it fails the signature is kept without one and a warning printed")
	requireTS := fs.Bool("require-timestamp", false, "cms --tsa: fail (and store nothing) when no timestamp can be had")
	fs.BoolVar(&opts.Compact, "compact", false, "xml: compact output (no line breaks), as egov.kz expects")
	fs.StringVar(&opts.XMLID, "xml-id", "", "xml: sign only the element with this `Id`")
	var trust, modules multiFlag
	fs.Var(&trust, "trust", "trust the root certificates in `FILE_OR_DIR` when checking the new signature (repeatable)")
	fs.Var(&modules, "pkcs11", "look for token keys through the PKCS#11 `MODULE` (repeatable)")
	offline := fs.Bool("offline", false, "no network: revocation status from the cache only")
	asJSON := fs.Bool("json", false, "print the stored signature and its report as JSON")
	dir := dataDirFlag(fs)
	ui := &terminalUI{s: s}
	ui.secrets.register(fs, "password")
	registerPINFlags(fs, ui)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name one document id")
	}
	if *key == "" {
		return usagef("name the key with --key FILE.p12 or --key 'pkcs11:token=…;object=…'")
	}
	id, err := parseDocumentID(rest[0])
	if err != nil {
		return err
	}
	c, err := openCore(s, *dir, modules, true)
	if err != nil {
		return err
	}
	defer closeCore(c)
	fmt.Fprintf(s.err, "Signing document %s\n", id)
	res, err := c.SignDocument(ctx, core.DocumentSignRequest{
		Origin: signer.LocalUser, KeyURI: *key, ID: id, Options: opts, RequireTimestamp: *requireTS,
		Verify: core.VerifyOptions{Offline: *offline, Trust: trust},
	}, ui)
	var invalid *docsign.InvalidError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return withHint(err, "'qoltanba docs list' shows the ids")
	case errors.Is(err, docsign.ErrFormat):
		return usagef("%v", err)
	case errors.As(err, &invalid):
		_ = invalid.Report.Text(s.out)
		return withHint(err, "nothing was stored: check the key's certificate ('qoltanba keys info') and its status")
	case errors.Is(err, store.ErrIllegalTransition):
		return withHint(err, "queued, sent and acknowledged documents are not signed again; edit to make a new version")
	case err != nil:
		return signError(err)
	}
	fmt.Fprintf(s.err, "Signer: %s\n", res.Signer.Summary())
	if res.Warning != "" {
		fmt.Fprintf(s.err, "warning: %s\n", res.Warning)
	}
	if *asJSON {
		return printJSON(s.out, docsSignResult{Signature: res.Signature, Report: res.Report})
	}
	fmt.Fprintf(s.out, "Signed version %d of %s: signature %d (%s), %s\n", res.Signature.Version, id, res.Signature.Index,
		res.Signature.Format, res.Report.Worst())
	if err := res.Report.Text(s.out); err != nil {
		return err
	}
	if res.Report.Worst() != pki.TotalPassed {
		fmt.Fprintln(s.err, "warning: the signature is stored, but its verification is not conclusive yet (see the report);",
			"'qoltanba docs export' verifies again")
	}
	return nil
}
