package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

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
	fs.StringVar(&opts.Format, "format", "", "xml or cms (default: xml for XML documents, cms otherwise)")
	fs.BoolVar(&opts.Detached, "detached", false, "cms: keep the content out of the signature")
	fs.StringVar(&opts.TSA, "tsa", "", "cms: add a timestamp from the RFC 3161 service at `URL`")
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
	st, err := openStore(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	plan, err := docsign.Prepare(ctx, st, id, opts)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return withHint(err, "'qoltanba docs list' shows the ids")
	case errors.Is(err, docsign.ErrFormat):
		return usagef("%v", err)
	case err != nil:
		return err
	}
	verifier, err := newVerifier(*dir, trust, *offline)
	if err != nil {
		return err
	}

	// Nothing blind: what is signed, and with which key, before the secret.
	ui.DisplayMessage(ctx, fmt.Sprintf("Signing document %s: %s\n  with %s", id, plan.Summary(), *key))
	k, err := openSigningKey(ctx, *key, modules, ui)
	if err != nil {
		return err
	}
	defer k.Close()
	ui.DisplayMessage(ctx, "Signer: "+pki.IdentityOf(k.Certificate, time.Now()).Summary())

	res, err := docsign.Sign(ctx, st, plan, k, verifier)
	var invalid *docsign.InvalidError
	switch {
	case errors.As(err, &invalid):
		_ = invalid.Report.Text(s.out)
		return withHint(err, "nothing was stored: check the key's certificate ('qoltanba keys info') and its status")
	case errors.Is(err, store.ErrIllegalTransition):
		return withHint(err, "queued, sent and acknowledged documents are not signed again; edit to make a new version")
	case err != nil:
		return err
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
