package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/units"

	"github.com/qoltanba/qoltanba/sync/evidence"
	"github.com/qoltanba/qoltanba/sync/papercopy"
	"github.com/qoltanba/qoltanba/sync/store"
)

// exportResult is what `docs export --json` prints.
type exportResult struct {
	Path       string                  `json:"path"`
	Size       int64                   `json:"size"`
	SHA256     store.Digest32          `json:"sha256"`
	Signatures []exportSignature       `json:"signatures"`
	Entry      store.Entry             `json:"journalEntry"`
	Manifest   []evidence.ManifestFile `json:"files"`
}

type exportSignature struct {
	Version    uint32 `json:"version"`
	Index      uint32 `json:"index"`
	Indication string `json:"indication"`
}

func docsExport(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("docs export", flag.ContinueOnError)
	out := fs.String("o", "", "write the evidence package to `FILE.zip`")
	var trust multiFlag
	fs.Var(&trust, "trust", "trust the root certificates in `FILE_OR_DIR` (repeatable)")
	offline := fs.Bool("offline", false, "no network: package the revocation data already cached")
	asJSON := fs.Bool("json", false, "print JSON")
	lang := fs.String("lang", "", "the `LANGUAGE` of README.txt and report.txt: kk, ru or en (English beside the others; default: the program's)")
	dir := dataDirFlag(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name one document id")
	}
	if *out == "" {
		return usagef("name the package with -o FILE.zip")
	}
	c, d, err := openDocumentCore(ctx, s, *dir, rest[0])
	if err != nil {
		return err
	}
	defer closeCore(c)
	if *lang, err = languageFlag(*lang, *dir, "--lang"); err != nil {
		return err
	}
	return exportPackage(ctx, s, c, d.ID, *out, core.VerifyOptions{Offline: *offline, Trust: trust}, *lang, *asJSON)
}

// exportPackage writes a document's evidence package and says what is in it.
func exportPackage(ctx context.Context, s stdio, c *core.Core, id store.ID, out string, opts core.VerifyOptions, lang string, asJSON bool) error {
	x, err := c.ExportEvidence(ctx, id, out, opts, lang)
	if err != nil {
		return verificationError(err)
	}
	pkg, sum, entry := x.Package, x.SHA256, x.Entry
	res := exportResult{Path: out, Size: x.Size, SHA256: sum, Entry: entry, Manifest: pkg.Manifest.Files, Signatures: []exportSignature{}}
	for _, r := range pkg.Reports {
		res.Signatures = append(res.Signatures, exportSignature{Version: r.Version, Index: r.Index, Indication: string(r.Report.Worst())})
	}
	if asJSON {
		return printJSON(s.out, res)
	}
	fmt.Fprintf(s.out, "Evidence package %s: %d files, %s, SHA-256 %s\n", out, len(pkg.Manifest.Files)+1, units.Size(x.Size), sum)
	for _, sig := range res.Signatures {
		fmt.Fprintf(s.out, "  version %d signature %d: %s\n", sig.Version, sig.Index, sig.Indication)
	}
	fmt.Fprintf(s.out, "Journaled as entry #%d\n", entry.Seq)
	return nil
}

func docsVerifyPackage(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("docs verify-package", flag.ContinueOnError)
	var trust multiFlag
	fs.Var(&trust, "trust", "trust the root certificates in `FILE_OR_DIR` (repeatable); the package's own are never trusted")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	dir := dataDirFlag(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name one package FILE.zip")
	}
	verifier, err := newVerifier(s, *dir, trust, true)
	if err != nil {
		return err
	}
	r, err := evidence.CheckFile(ctx, rest[0], evidence.CheckOptions{Trust: verifier.Trust})
	switch {
	case errors.Is(err, evidence.ErrNotPackage), errors.Is(err, evidence.ErrUnsafe):
		return withHint(err, "give a package written by 'qoltanba docs export'")
	case err != nil:
		return err
	}
	if *asJSON {
		if err := printJSON(s.out, r); err != nil {
			return err
		}
	} else if err := r.Text(s.out); err != nil {
		return err
	}
	if code := r.ExitCode(); code != 0 {
		return exitStatus(code)
	}
	return nil
}

func docsPaperCopy(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("docs paper-copy", flag.ContinueOnError)
	out := fs.String("o", "", "write the paper copy to `FILE.pdf`")
	lang := fs.String("lang", "", "the copy's `LANGUAGE`: kk, ru or en (default: the program's)")
	var trust multiFlag
	fs.Var(&trust, "trust", "trust the root certificates in `FILE_OR_DIR` (repeatable)")
	offline := fs.Bool("offline", false, "no network: revocation from the cache only")
	asJSON := fs.Bool("json", false, "print JSON")
	dir := dataDirFlag(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name one document id")
	}
	if *out == "" {
		return usagef("name the copy with -o FILE.pdf")
	}
	if *lang, err = languageFlag(*lang, *dir, "--lang"); err != nil {
		return err
	}
	if core.Exists(*out) {
		return withHint(fmt.Errorf("%s: already exists", *out), "name another file with -o")
	}
	c, d, err := openDocumentCore(ctx, s, *dir, rest[0])
	if err != nil {
		return err
	}
	defer closeCore(c)
	pc, err := c.PaperCopy(ctx, d.ID, *out, *lang, core.VerifyOptions{Offline: *offline, Trust: trust})
	if err != nil {
		if errors.Is(err, papercopy.ErrContent) {
			return withHint(err, "the evidence package keeps any content: qoltanba docs export "+d.ID.String()+" -o FILE.zip")
		}
		return verificationError(err)
	}
	if *asJSON {
		return printJSON(s.out, pc)
	}
	fmt.Fprintf(s.out, "Paper copy %s: %d signature(s), journaled as entry #%d\n", pc.Path, pc.Signatures, pc.Entry.Seq)
	return nil
}
