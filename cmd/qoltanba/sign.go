package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/qoltanba/qoltanba/internal/atomicfile"
	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pdf"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
)

// signFlags are the options of `qoltanba sign`.
type signFlags struct {
	key, format, tsa, out, data string
	subFilter                   string
	stampFlags
	dataDir                   string
	xmlID, xmlParent          string
	detached, compact, cosign bool
	requireTS, force          bool
	pem, base64               bool
	modules                   multiFlag
}

func signCmd(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	var f signFlags
	fs.StringVar(&f.key, "key", "", "the signing `KEY`: a .p12 file or a pkcs11: URI")
	fs.StringVar(&f.format, "format", "", "`FORMAT`: xml, pdf, cms or raw (default: xml for .xml files, pdf for .pdf — the signature inside the PDF — cms otherwise)")
	fs.BoolVar(&f.detached, "detached", false, "cms: leave the content out of the signature")
	fs.StringVar(&f.tsa, "tsa", "", "cms: add a timestamp from the RFC 3161 service at `URL` (CAdES-T); if it fails the signature is kept without one and a warning printed")
	fs.BoolVar(&f.requireTS, "require-timestamp", false, "cms --tsa: fail (and write nothing) when no timestamp can be had")
	fs.StringVar(&f.xmlID, "xml-id", "", "xml: sign only the element with this `Id`")
	fs.StringVar(&f.xmlParent, "xml-parent", "", "xml: append the signature to the element at `XPATH` (default: the root)")
	fs.BoolVar(&f.compact, "compact", false, "xml: compact output (no line breaks), as egov.kz expects")
	fs.BoolVar(&f.cosign, "cosign", false, "add a signature to an already signed IN (cms: IN is the CMS; --data names the original of a detached one)")
	fs.StringVar(&f.data, "data", "", "cms --cosign: the original `FILE` of a detached CMS")
	fs.BoolVar(&f.pem, "pem", false, "cms: write PEM instead of DER")
	fs.BoolVar(&f.base64, "base64", false, "raw, cms: write base64 instead of binary")
	fs.StringVar(&f.out, "o", "", "write to `OUT` ('-' for standard output; default: next to IN)")
	f.stampFlags.register(fs)
	fs.StringVar(&f.subFilter, "pdf-subfilter", "", "pdf: the `SUBFILTER`: ETSI.CAdES.detached (default, PAdES) or adbe.pkcs7.detached (for readers that know no PAdES)")
	fs.BoolVar(&f.force, "force", false, "replace OUT when it exists (by default an existing signature is never overwritten)")
	fs.Var(&f.modules, "pkcs11", "look for token keys through the PKCS#11 `MODULE` (repeatable; default: the settings', else the usual drivers)")
	dir := dataDirFlag(fs)
	ui := &terminalUI{s: s}
	ui.secrets.register(fs, "password")
	registerPINFlags(fs, ui)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	f.dataDir = *dir
	if len(files) != 1 {
		return usagef("name one file to sign")
	}
	if f.key == "" {
		return usagef("name the key with --key FILE.p12 or --key 'pkcs11:token=…;object=…'")
	}
	in := files[0]
	if f.format == "" {
		f.format = "cms"
		switch strings.ToLower(filepath.Ext(in)) {
		case ".xml":
			f.format = "xml"
		case ".pdf":
			f.format = "pdf"
		}
	}
	if err := f.check(); err != nil {
		return err
	}
	out := f.outputPath(in)
	if out != "-" && core.Exists(out) && !f.force && !f.addsTo(in, out) {
		return f.existsError(in, out)
	}
	c, err := openCore(s, *dir, f.modules, false)
	if err != nil {
		return err
	}
	defer closeCore(c)
	res, err := c.Sign(ctx, f.request(in), ui)
	if err != nil {
		return signError(err)
	}
	fmt.Fprintf(s.err, "Signer: %s\n", res.Signer.Summary())
	signed := res.Outputs[0]
	if signed.Warning != "" {
		fmt.Fprintf(s.err, "warning: %s\n", signed.Warning)
	}
	if f.format == "pdf" {
		fmt.Fprintf(s.err, "Written %s (the signature inside the PDF, added as an incremental update)\n", signed.Path)
		return nil
	}
	data := signed.Bytes
	switch f.format {
	case "cms":
		data = f.encode(data, cms.EncodePEM)
	case "raw":
		data = f.encode(data, nil)
	}
	return writeOutput(s, out, data)
}

// addsTo reports whether writing out keeps what it holds: a co-signature
// or an XML signature written over the signed file they add to.
func (f *signFlags) addsTo(in, out string) bool {
	if f.format != "xml" && f.format != "pdf" && !f.cosign {
		return false
	}
	a, errA := os.Stat(in)
	b, errB := os.Stat(out)
	return errA == nil && errB == nil && os.SameFile(a, b)
}

// existsError refuses to overwrite out, a signature made before, and says
// how to add this signature to it instead.
func (f *signFlags) existsError(in, out string) error {
	err := fmt.Errorf("%s: %w", out, core.ErrOutputExists)
	keep := "or write elsewhere with -o FILE; --force replaces it"
	switch f.format {
	case "xml", "pdf":
		return withHint(err, fmt.Sprintf("to add your signature to it: qoltanba sign --key KEY -o %s %s", out, out), keep)
	case "cms":
		if f.cosign {
			return withHint(err, keep)
		}
		return withHint(err, fmt.Sprintf("to add your signature to it: qoltanba sign --key KEY --cosign --data %s -o %s %s", in, out, out), keep)
	}
	return withHint(err, keep)
}

// request is the core's signing request for IN.
func (f *signFlags) request(in string) core.SignRequest {
	item := core.Item{Path: in}
	if f.format == "pdf" {
		item.Output = f.outputPath(in)
	}
	if f.cosign {
		item.Original = f.data
	}
	stamp, _ := f.pdfStamp(f.dataDir) // checked in check
	return core.SignRequest{
		Origin: signer.LocalUser, KeyURI: f.key, Format: signer.Format(f.format),
		PDF: pdf.Options{SubFilter: pdf.Name(f.subFilter)}, PDFStamp: stamp,
		Items:    []core.Item{item},
		Detached: f.detached, CoSign: f.cosign,
		XMLID: f.xmlID, XMLParent: f.xmlParent, Compact: f.compact,
		TSA: f.tsa, RequireTimestamp: f.requireTS,
	}
}

// signError gives the errors of a signing their hints.
func signError(err error) error {
	switch {
	case errors.Is(err, signer.ErrCancelled):
		return err
	case errors.Is(err, pdf.ErrNotPDF), errors.Is(err, pdf.ErrDamaged), errors.Is(err, pdf.ErrSyntax):
		return withHint(err, "repair it in a PDF program, or sign it as a file beside it: --format cms")
	case errors.Is(err, pdf.ErrEncrypted):
		return withHint(err, "remove the password in a PDF program first, or sign it as a file beside it: --format cms")
	case errors.Is(err, xmldsig.ErrDTD):
		return withHint(err, "Qoltanba refuses XML with a DOCTYPE (an attack vector; NCALayer never writes one)")
	case errors.Is(err, core.ErrInput) && strings.Contains(err.Error(), "detached"):
		return withHint(err, "name the original with --data ORIGINAL")
	case errors.Is(err, core.ErrInput):
		return err
	case errors.Is(err, core.ErrChanged):
		return withHint(err, "check the file and sign it again")
	case errors.Is(err, core.ErrTimestamp):
		return withHint(err, "nothing was written; without --require-timestamp the signature is kept without a timestamp")
	}
	return keyErrorHint(err)
}

func (f *signFlags) check() error {
	switch f.format {
	case "xml":
		if f.detached || f.tsa != "" || f.pem || f.base64 || f.data != "" {
			return usagef("--detached, --tsa, --pem, --base64 and --data are for cms")
		}
	case "cms":
		if f.xmlID != "" || f.xmlParent != "" || f.compact {
			return usagef("--xml-id, --xml-parent and --compact are for xml")
		}
		if f.data != "" && !f.cosign {
			return usagef("--data is for --cosign of a detached CMS")
		}
	case "raw":
		if f.detached || f.tsa != "" || f.cosign || f.xmlID != "" || f.xmlParent != "" || f.compact || f.pem {
			return usagef("raw signs the bytes of IN; it takes only --base64 and -o")
		}
	case "pdf":
		if f.detached || f.cosign || f.xmlID != "" || f.xmlParent != "" || f.compact || f.pem || f.base64 || f.data != "" || f.out == "-" {
			return usagef("pdf writes the signed PDF to a file; it takes --tsa, --require-timestamp, --stamp, --pdf-subfilter and -o (to add a signature: -o the signed PDF itself)")
		}
		if _, err := f.pdfStamp(f.dataDir); err != nil {
			return err
		}
		if f.subFilter != "" && f.subFilter != string(pdf.SubFilterCAdES) && f.subFilter != string(pdf.SubFilterPKCS7) {
			return usagef("--pdf-subfilter is %s or %s", pdf.SubFilterCAdES, pdf.SubFilterPKCS7)
		}
	default:
		return usagef("unknown format %q (xml, pdf, cms or raw)", f.format)
	}
	if f.format != "pdf" && (f.stampFlags.given() || f.subFilter != "") {
		return usagef("--stamp, --stamp-lang, --stamp-corner and --pdf-subfilter are for pdf")
	}
	return nil
}

// encode applies --base64 (and --pem where pemEncode is given).
func (f *signFlags) encode(der []byte, pemEncode func([]byte) []byte) []byte {
	switch {
	case f.pem && pemEncode != nil:
		return pemEncode(der)
	case f.base64:
		return []byte(base64.StdEncoding.EncodeToString(der) + "\n")
	}
	return der
}

// outputPath is -o, or a name next to IN that never is IN itself.
func (f *signFlags) outputPath(in string) string {
	if f.out != "" {
		return f.out
	}
	return core.SignaturePath(in, signer.Format(f.format), f.cosign)
}

// writeOutput writes data to path, or to stdout for "-"; files are created
// whole through a temporary file so an interrupted write leaves nothing half-done.
func writeOutput(s stdio, path string, data []byte) error {
	if path == "-" {
		_, err := s.out.Write(data)
		return err
	}
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "Written %s\n", path)
	return nil
}

// stampFlags are the visible signature's flags of sign and docs sign.
type stampFlags struct{ stamp, stampLang, stampCorner string }

func (f *stampFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.stamp, "stamp", "", "pdf: a visible signature on `PAGE[,X,Y]` (PAGE a number, or last, or -N from the end; X,Y points from the page's bottom left; default: the corner of --stamp-corner)")
	fs.StringVar(&f.stampCorner, "stamp-corner", "", "pdf --stamp: the page's `CORNER`: bottom-right (default), bottom-left, top-right or top-left")
	fs.StringVar(&f.stampLang, "stamp-lang", "", "pdf --stamp: the stamp's `LANGUAGE`: kk, ru or en (default: the program's)")
}

func (f *stampFlags) given() bool { return f.stamp != "" || f.stampLang != "" || f.stampCorner != "" }

// pdfStamp reads --stamp PAGE[,X,Y], --stamp-corner and --stamp-lang (nil
// without --stamp).
func (f *stampFlags) pdfStamp(dataDir string) (*core.PDFStamp, error) {
	if f.stamp == "" {
		if f.stampLang != "" || f.stampCorner != "" {
			return nil, usagef("--stamp-lang and --stamp-corner go with --stamp")
		}
		return nil, nil
	}
	parts := strings.Split(f.stamp, ",")
	st := &core.PDFStamp{Language: f.stampLang, Corner: pdf.Corner(f.stampCorner)}
	page, err := strconv.Atoi(parts[0])
	if parts[0] == "last" {
		page, err = -1, nil
	}
	if err != nil || page == 0 || (len(parts) != 1 && len(parts) != 3) {
		return nil, usagef("--stamp is PAGE or PAGE,X,Y (PAGE a number, last, or -N from the end; X,Y points from the page's bottom left), not %q", f.stamp)
	}
	if st.Corner != "" && (len(parts) == 3 || !slices.Contains(pdf.Corners, st.Corner)) {
		return nil, usagef("--stamp-corner is one of %v, without X,Y in --stamp", pdf.Corners)
	}
	st.Page = page
	if len(parts) == 3 {
		x, errX := strconv.ParseFloat(parts[1], 64)
		y, errY := strconv.ParseFloat(parts[2], 64)
		if errX != nil || errY != nil || x < 0 || y < 0 {
			return nil, usagef("--stamp is PAGE or PAGE,X,Y (PAGE a number, last, or -N from the end; X,Y points from the page's bottom left), not %q", f.stamp)
		}
		st.X, st.Y = x, y
	}
	if st.Language, err = languageFlag(st.Language, dataDir, "--stamp-lang"); err != nil {
		return nil, err
	}
	return st, nil
}
