package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/rawsig"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
	"time"
)

// signFlags are the options of `qoltanba sign`.
type signFlags struct {
	key, format, tsa, out, data string
	xmlID, xmlParent            string
	detached, compact, cosign   bool
	pem, base64                 bool
	modules                     multiFlag
}

func signCmd(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	var f signFlags
	fs.StringVar(&f.key, "key", "", "the signing `KEY`: a .p12 file or a pkcs11: URI")
	fs.StringVar(&f.format, "format", "", "xml, cms or raw (default: xml for .xml files, cms otherwise)")
	fs.BoolVar(&f.detached, "detached", false, "cms: leave the content out of the signature")
	fs.StringVar(&f.tsa, "tsa", "", "cms: add a timestamp from the RFC 3161 service at `URL` (CAdES-T)")
	fs.StringVar(&f.xmlID, "xml-id", "", "xml: sign only the element with this `Id`")
	fs.StringVar(&f.xmlParent, "xml-parent", "", "xml: append the signature to the element at `XPATH` (default: the root)")
	fs.BoolVar(&f.compact, "compact", false, "xml: compact output (no line breaks), as egov.kz expects")
	fs.BoolVar(&f.cosign, "cosign", false, "add a signature to an already signed IN (cms: IN is the CMS; --data names the original of a detached one)")
	fs.StringVar(&f.data, "data", "", "cms --cosign: the original `FILE` of a detached CMS")
	fs.BoolVar(&f.pem, "pem", false, "cms: write PEM instead of DER")
	fs.BoolVar(&f.base64, "base64", false, "raw, cms: write base64 instead of binary")
	fs.StringVar(&f.out, "o", "", "write to `OUT` ('-' for standard output; default: next to IN)")
	fs.Var(&f.modules, "pkcs11", "look for token keys through the PKCS#11 `MODULE` (repeatable; default: the usual drivers)")
	ui := &terminalUI{s: s}
	ui.secrets.register(fs, "password")
	registerPINFlags(fs, ui)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("name one file to sign")
	}
	if f.key == "" {
		return usagef("name the key with --key FILE.p12 or --key 'pkcs11:token=…;object=…'")
	}
	in := files[0]
	if f.format == "" {
		f.format = "cms"
		if strings.EqualFold(filepath.Ext(in), ".xml") {
			f.format = "xml"
		}
	}
	if err := f.check(); err != nil {
		return err
	}
	info, err := os.Stat(in)
	if err != nil {
		return fmt.Errorf("file to sign: %w", err)
	}

	// Nothing blind: say what is about to be signed before the secret is asked.
	ui.DisplayMessage(ctx, fmt.Sprintf("Signing %s (%s) as %s with %s", in, humanSize(info.Size()), f.describe(), f.key))
	key, err := openSigningKey(ctx, f.key, f.modules, ui)
	if err != nil {
		return err
	}
	defer key.Close()
	ui.DisplayMessage(ctx, "Signer: "+pki.IdentityOf(key.Certificate, time.Now()).Summary())

	out, err := f.sign(ctx, in, key)
	if err != nil {
		return err
	}
	return writeOutput(s, f.outputPath(in), out)
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
	default:
		return usagef("unknown format %q (xml, cms or raw)", f.format)
	}
	return nil
}

func (f *signFlags) describe() string {
	switch {
	case f.format == "cms" && f.cosign:
		return "a co-signature of the CMS"
	case f.format == "cms" && f.detached:
		return "detached CMS"
	case f.format == "cms":
		return "CMS with the content attached"
	case f.format == "xml" && f.xmlID != "":
		return fmt.Sprintf("XML signature of the element Id=%q", f.xmlID)
	case f.format == "xml":
		return "XML signature of the whole document"
	}
	return "a raw signature"
}

func (f *signFlags) sign(ctx context.Context, in string, key *signer.Key) ([]byte, error) {
	switch f.format {
	case "xml":
		doc, err := os.ReadFile(in)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", in, err)
		}
		style := xmldsig.StyleNCALayer
		if f.compact {
			style = xmldsig.StyleCompact
		}
		out, err := xmldsig.Sign(doc, key.Signer, key.Certificate, xmldsig.SignOptions{Style: style, ID: f.xmlID, ParentXPath: f.xmlParent})
		if err != nil {
			return nil, fmt.Errorf("sign %s: %w", in, err)
		}
		return out, nil
	case "raw":
		file, err := os.Open(in)
		if err != nil {
			return nil, err
		}
		defer file.Close()
		sig, err := rawsig.SignReader(key.Signer, file)
		if err != nil {
			return nil, fmt.Errorf("sign %s: %w", in, err)
		}
		return f.encode(sig, nil), nil
	}
	opts := cms.SignOptions{Detached: f.detached, IncludeChain: true}
	if f.tsa != "" {
		opts.TSA = &cms.TSAClient{URL: f.tsa}
	}
	var out []byte
	var err error
	if f.cosign {
		out, err = f.cosignCMS(in, key, opts)
	} else {
		out, err = signFile(in, key, opts)
	}
	if err != nil {
		return nil, err
	}
	return f.encode(out, cms.EncodePEM), nil
}

func signFile(in string, key *signer.Key, opts cms.SignOptions) ([]byte, error) {
	file, err := os.Open(in)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	out, err := cms.Sign(file, key.Signer, key.Certificate, key.Chain, opts)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", in, err)
	}
	return out, nil
}

func (f *signFlags) cosignCMS(in string, key *signer.Key, opts cms.SignOptions) ([]byte, error) {
	input, err := os.ReadFile(in)
	if err != nil {
		return nil, err
	}
	existing, err := cms.Decode(input)
	if err != nil {
		return nil, withHint(fmt.Errorf("%s is not a CMS signature: %w", in, err), "--cosign takes the signed file; name the original of a detached one with --data")
	}
	var content io.Reader
	if f.data != "" {
		data, err := os.Open(f.data)
		if err != nil {
			return nil, err
		}
		defer data.Close()
		content = data
	}
	out, err := cms.CoSign(existing, content, key.Signer, key.Certificate, key.Chain, opts)
	if errors.Is(err, cms.ErrNoContent) {
		return nil, withHint(fmt.Errorf("%s is a detached signature: the original is needed", in), "name it with --data ORIGINAL")
	}
	if err != nil {
		return nil, fmt.Errorf("co-sign %s: %w", in, err)
	}
	return out, nil
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

// outputPath is -o, or a name next to IN that never overwrites IN itself.
func (f *signFlags) outputPath(in string) string {
	if f.out != "" {
		return f.out
	}
	switch f.format {
	case "xml":
		return strings.TrimSuffix(in, filepath.Ext(in)) + ".signed" + filepath.Ext(in)
	case "raw":
		return in + ".sig"
	}
	if f.cosign {
		return strings.TrimSuffix(in, filepath.Ext(in)) + ".cosigned" + filepath.Ext(in)
	}
	return in + ".cms"
}

// writeOutput writes data to path, or to stdout for "-"; files are created
// whole through a temporary file so an interrupted write leaves nothing half-done.
func writeOutput(s stdio, path string, data []byte) error {
	if path == "-" {
		_, err := s.out.Write(data)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(s.err, "Written %s\n", path)
	return nil
}

// openSigningKey opens a key named on the command line: a PKCS#11 URI
// (RFC 7512) on a token of modules (the usual drivers when empty), or a
// PKCS#12 file.
func openSigningKey(ctx context.Context, name string, modules []string, ui signer.UI) (*signer.Key, error) {
	if pkcs11.IsURI(name) {
		key, store, err := openTokenKey(ctx, name, modules, ui)
		if err != nil {
			return nil, err
		}
		// Closing the key logs out and closes the session; then the module goes.
		return signer.NewKey(key.URI, key.Signer, key.Certificate, key.Chain, func() { key.Close(); store.Close() }), nil
	}
	if !fileExists(name) {
		return nil, withHint(fmt.Errorf("key file %s does not exist", name), "run 'qoltanba keys list' to see the keys Qoltanba finds")
	}
	return openKeyFile(ctx, name, ui)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
