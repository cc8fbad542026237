package docsign

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/qoltanba/qoltanba/sync/store"
)

// Formats docsign makes.
const (
	FormatXML = "xml"
	FormatCMS = "cms"
	// FormatPDF signs a PDF inside (PAdES): the signed PDF becomes the
	// next version, carrying the signature (chosen, never the default:
	// portals take a CMS over the content).
	FormatPDF = "pdf"
)

// ErrFormat: the format does not fit the content or the options.
var ErrFormat = errors.New("format does not fit")

// Options choose how a version is signed.
type Options struct {
	// Format is FormatXML, FormatCMS or FormatPDF; empty picks XML for
	// XML content, PDF (signed inside) for a PDF unless Detached, and CMS
	// otherwise.
	Format string
	// Detached (CMS) leaves the content out of the signature.
	Detached bool
	// TSA (CMS) is the address of an RFC 3161 time-stamp service.
	TSA string
	// Compact (XML) writes no line breaks, as egov.kz expects.
	Compact bool
	// XMLID (XML) signs only the element with this Id.
	XMLID string
}

// Plan is what is about to be signed: shown to the user before the
// password or PIN is asked ("nothing blind").
type Plan struct {
	Document store.Document
	Version  store.Version
	Options  Options
	content  []byte
}

// Prepare reads the document's current version and settles the format.
func Prepare(ctx context.Context, st store.Store, id store.ID, opts Options) (*Plan, error) {
	d, err := st.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	v, err := st.Version(ctx, id, d.Version)
	if err != nil {
		return nil, err
	}
	isXML := IsXMLMediaType(v.MediaType)
	if opts.Format == "" {
		switch {
		case isXML:
			opts.Format = FormatXML
		case IsPDFMediaType(v.MediaType) && !opts.Detached:
			opts.Format = FormatPDF
		default:
			opts.Format = FormatCMS
		}
	}
	switch opts.Format {
	case FormatXML:
		if !isXML {
			return nil, fmt.Errorf("%w: version %d is %s, not XML: sign it as cms", ErrFormat, v.Number, v.MediaType)
		}
		if opts.Detached || opts.TSA != "" {
			return nil, fmt.Errorf("%w: detached and timestamped signatures are cms", ErrFormat)
		}
	case FormatCMS:
		if opts.Compact || opts.XMLID != "" {
			return nil, fmt.Errorf("%w: compact and element signatures are xml", ErrFormat)
		}
	case FormatPDF:
		if !IsPDFMediaType(v.MediaType) {
			return nil, fmt.Errorf("%w: version %d is %s, not PDF: sign it as cms", ErrFormat, v.Number, v.MediaType)
		}
		if opts.Detached || opts.Compact || opts.XMLID != "" {
			return nil, fmt.Errorf("%w: a PDF is signed inside: no detached, compact or element options", ErrFormat)
		}
	default:
		return nil, fmt.Errorf("%w: unknown format %q (xml, cms or pdf)", ErrFormat, opts.Format)
	}
	content, err := st.Content(ctx, id, v.Number)
	if err != nil {
		return nil, err
	}
	return &Plan{Document: d, Version: v, Options: opts, content: content}, nil
}

// Describe says in one line how the version will be signed.
func (p *Plan) Describe() string {
	o := p.Options
	switch {
	case o.Format == FormatXML && o.XMLID != "":
		return fmt.Sprintf("XML signature of the element Id=%q", o.XMLID)
	case o.Format == FormatXML:
		return "XML signature of the whole document"
	case o.Format == FormatPDF && o.TSA != "":
		return "signature inside the PDF (PAdES) with a timestamp"
	case o.Format == FormatPDF:
		return "signature inside the PDF (PAdES)"
	case o.Detached && o.TSA != "":
		return "detached CMS with a timestamp"
	case o.Detached:
		return "detached CMS"
	case o.TSA != "":
		return "CMS with the content attached and a timestamp"
	}
	return "CMS with the content attached"
}

// Summary is the plan for people: title, version, size and digests.
func (p *Plan) Summary() string {
	return fmt.Sprintf("%q, version %d (%s, %s, %d bytes)\n  SHA-256 %s\n  Streebog-512 %s\n  as %s",
		p.Document.Title, p.Version.Number, p.Version.Name, p.Version.MediaType, p.Version.Size,
		p.Version.SHA256, p.Version.Streebog512, p.Describe())
}

// IsXMLMediaType reports whether content of media type mt is XML and gets
// an XML signature: application/xml, text/xml or a +xml type (RFC 7303),
// not the ZIP-based office formats whose names merely contain "xml"
// (application/vnd.openxmlformats-…).
func IsXMLMediaType(mt string) bool {
	base, _, _ := strings.Cut(mt, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	return base == "application/xml" || base == "text/xml" || strings.HasSuffix(base, "+xml")
}

// IsPDFMediaType says whether a media type is a PDF's.
func IsPDFMediaType(mt string) bool {
	base, _, _ := strings.Cut(mt, ";")
	return strings.ToLower(strings.TrimSpace(base)) == "application/pdf"
}
