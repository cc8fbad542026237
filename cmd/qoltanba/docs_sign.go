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
	fs.StringVar(&opts.Format, "format", "", "`FORMAT`: xml, pdf (inside the PDF: it becomes the next version) or cms (default: xml for XML documents, pdf for PDFs, cms otherwise)")
	fs.BoolVar(&opts.Detached, "detached", false, "cms: keep the content out of the signature")
	fs.StringVar(&opts.TSA, "tsa", "", "cms: add a timestamp from the RFC 3161 service at `URL`; if it fails the signature is kept without one and a warning printed")
	requireTS := fs.Bool("require-timestamp", false, "cms --tsa: fail (and store nothing) when no timestamp can be had")
	fs.BoolVar(&opts.Compact, "compact", false, "xml: compact output (no line breaks), as egov.kz expects")
	fs.StringVar(&opts.XMLID, "xml-id", "", "xml: sign only the element with this `Id`")
	var stamp stampFlags
	stamp.register(fs)
	var trust, modules multiFlag
	fs.Var(&trust, "trust", "trust the root certificates in `FILE_OR_DIR` when checking the new signature (repeatable)")
	fs.Var(&modules, "pkcs11", "look for token keys through the PKCS#11 `MODULE` (repeatable)")
	offline := fs.Bool("offline", false, "no network: revocation status from the cache only")
	asJSON := fs.Bool("json", false, "print the stored signature and its report as JSON")
	allWaiting := fs.Bool("all-waiting", false, "sign every draft and ready document (one password for all)")
	dir := dataDirFlag(fs)
	ui := &terminalUI{s: s}
	ui.secrets.register(fs, "password")
	registerPINFlags(fs, ui)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *key == "" {
		return usagef("name the key with --key FILE.p12 or --key 'pkcs11:token=…;object=…'")
	}
	pdfStamp, err := stamp.pdfStamp(*dir)
	if err != nil {
		return err
	}
	if len(rest) > 1 || *allWaiting {
		return docsSignBatch(ctx, s, rest, *allWaiting, *key, opts, pdfStamp, *requireTS, core.VerifyOptions{Offline: *offline, Trust: trust}, modules, *dir, *asJSON, ui)
	}
	if len(rest) != 1 {
		return usagef("name one or more document ids, or --all-waiting")
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
		Verify: core.VerifyOptions{Offline: *offline, Trust: trust}, PDFStamp: pdfStamp,
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

// docsSignBatch signs many documents with one password: the accountant's
// batch. Damaged or unsignable documents are skipped and said so; the
// summary lists each.
func docsSignBatch(ctx context.Context, s stdio, args []string, allWaiting bool, key string, opts docsign.Options,
	stamp *core.PDFStamp, requireTS bool, verify core.VerifyOptions, modules []string, dir string, asJSON bool, ui *terminalUI) error {
	c, err := openCore(s, dir, modules, true)
	if err != nil {
		return err
	}
	defer closeCore(c)
	var ids []store.ID
	for _, a := range args {
		id, err := parseDocumentID(a)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if allWaiting {
		for _, st := range []store.State{store.StateDraft, store.StateReady} {
			q := store.Query{State: st, Limit: 1000}
			for {
				page, err := c.Store.List(ctx, q)
				if err != nil {
					return err
				}
				for _, d := range page.Documents {
					ids = append(ids, d.ID)
				}
				if page.Next.IsZero() {
					break
				}
				q.After = page.Next
			}
		}
	}
	if len(ids) == 0 {
		fmt.Fprintln(s.out, "Nothing to sign: no document is waiting.")
		return nil
	}
	fmt.Fprintf(s.err, "Signing %d document(s) with one password\n", len(ids))
	res, err := c.SignDocuments(ctx, core.DocumentsSignRequest{Origin: signer.LocalUser, KeyURI: key, IDs: ids, Options: opts,
		PDFStamp: stamp, RequireTimestamp: requireTS, Verify: verify}, ui)
	if res == nil {
		return signError(err)
	}
	if asJSON {
		type item struct {
			ID        store.ID `json:"id"`
			Title     string   `json:"title"`
			Signed    bool     `json:"signed"`
			Skipped   string   `json:"skipped,omitempty"`
			Error     string   `json:"error,omitempty"`
			Signature uint32   `json:"signature,omitempty"`
		}
		out := struct {
			Signed, Skipped, Failed int
			Items                   []item `json:"items"`
		}{Signed: res.Signed, Skipped: res.Skipped, Failed: res.Failed}
		for _, bi := range res.Items {
			it := item{ID: bi.ID, Title: bi.Title, Signed: bi.Signature != nil, Skipped: bi.Skipped}
			if bi.Err != nil {
				it.Error = bi.Err.Error()
			}
			if bi.Signature != nil {
				it.Signature = bi.Signature.Index
			}
			out.Items = append(out.Items, it)
		}
		if jerr := printJSON(s.out, out); jerr != nil {
			return jerr
		}
	} else {
		for _, bi := range res.Items {
			switch {
			case bi.Signature != nil:
				fmt.Fprintf(s.out, "signed   %s  %s (signature %d)\n", bi.ID, bi.Title, bi.Signature.Index)
			case bi.Skipped != "":
				fmt.Fprintf(s.out, "skipped  %s  %s: %s\n", bi.ID, bi.Title, bi.Skipped)
			default:
				fmt.Fprintf(s.out, "failed   %s  %s: %v\n", bi.ID, bi.Title, bi.Err)
			}
		}
		fmt.Fprintf(s.out, "%d signed, %d skipped, %d not signed\n", res.Signed, res.Skipped, res.Failed)
	}
	if err != nil {
		return signError(err)
	}
	if res.Skipped+res.Failed > 0 {
		return exitStatus(2)
	}
	return nil
}
