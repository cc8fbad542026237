package core

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/qoltanba/qoltanba/internal/atomicfile"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/papercopy"
	"github.com/qoltanba/qoltanba/sync/store"
)

// PaperCopied is what PaperCopy wrote.
type PaperCopied struct {
	Path       string
	Signatures int
	Entry      store.Entry
}

// PaperCopy writes the paper copy of a stored document's current version
// (sync/papercopy) to path in a language: every signature verified now
// (online unless opts.Offline) and its verdict printed; a document that
// came from a portal is checked at the portal's address. The copy is
// journaled as an export.
func (c *Core) PaperCopy(ctx context.Context, id store.ID, path, lang string, opts VerifyOptions) (*PaperCopied, error) {
	if c.Store == nil {
		return nil, ErrNoStore
	}
	d, err := c.Store.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	content, err := c.Store.Content(ctx, id, d.Version)
	if err != nil {
		return nil, err
	}
	v, err := c.Verifier(opts)
	if err != nil {
		return nil, err
	}
	sigs, err := c.Store.Signatures(ctx, id, d.Version)
	if err != nil {
		return nil, err
	}
	doc := papercopy.Document{ID: id.String(), Title: d.Title, FileName: d.Name, MediaType: d.MediaType, Content: content,
		Language: lang, Printed: c.now()}
	// A CMS with its content attached: the content is what is printed,
	// and the CMS's own signatures are in the table.
	if der, err := cms.Decode(content); err == nil {
		if inner, err := cms.Content(der); err == nil {
			doc.Content, doc.MediaType = inner, store.Sniff(inner)
			if ev, err := cms.Verify(content, nil); err == nil {
				doc.Signatures = append(doc.Signatures, rowsOf(v.Verify(ctx, ev), lang)...)
			}
		}
	}
	for _, s := range sigs {
		raw, err := c.Store.SignatureBytes(ctx, id, d.Version, s.Index)
		if err != nil {
			return nil, err
		}
		format := s.Format
		if format == "xmldsig" {
			format = docsign.FormatXML
		}
		ev, err := docsign.Examine(format, raw, content, s.Detached)
		if err != nil {
			doc.Signatures = append(doc.Signatures, papercopy.Signature{Signer: s.Signer.CommonName, IIN: s.Signer.IIN, BIN: s.Signer.BIN,
				Organization: s.Signer.Organization, Serial: s.Signer.SerialNumber, Issuer: s.Signer.Issuer, SigningTime: s.SigningTime,
				Result: papercopy.Result(lang, "TOTAL_FAILED") + ": " + err.Error()})
			continue
		}
		doc.Signatures = append(doc.Signatures, rowsOf(v.Verify(ctx, ev), lang)...)
	}
	if l, err := c.Store.Link(ctx, id); err == nil {
		if a, err := c.Store.Account(ctx, l.Account); err == nil && a.PortalURL != "" {
			doc.CheckURL = strings.TrimRight(a.PortalURL, "/") + "/documents/" + l.Remote
		}
	}
	h := sha256.New()
	err = atomicfile.WriteWith(path, 0o644, func(w io.Writer) error { return papercopy.Write(io.MultiWriter(w, h), doc) })
	if err != nil {
		return nil, fmt.Errorf("paper copy of %s: %w", id, err)
	}
	var sum store.Digest32
	copy(sum[:], h.Sum(nil))
	entry, err := c.Store.Record(ctx, store.Event{Action: store.ActionExport, Document: id, Version: d.Version, Digest: sum,
		Detail: clip(fmt.Sprintf("paper copy %s (%d signature(s), %s)", filepath.Base(path), len(doc.Signatures), lang))})
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("journal the paper copy: %w", err)
	}
	c.changed(id)
	return &PaperCopied{Path: path, Signatures: len(doc.Signatures), Entry: entry}, nil
}

// givenIfNew is the given name (NCA: the patronymic) when the common
// name does not already carry it.
func givenIfNew(cn, given string) string {
	if given == "" || strings.Contains(cn, given) {
		return ""
	}
	return given
}

// rowsOf is a verification report as the paper copy's table rows.
func rowsOf(rep *pki.Report, lang string) []papercopy.Signature {
	var rows []papercopy.Signature
	for _, r := range rep.Signatures {
		id := r.Signer
		var roles []string
		for _, role := range id.Roles {
			roles = append(roles, string(role))
		}
		rows = append(rows, papercopy.Signature{Signer: strings.TrimSpace(id.CommonName + " " + givenIfNew(id.CommonName, id.GivenName)),
			IIN: id.IIN, BIN: id.BIN, Organization: id.Organization, Role: strings.Join(roles, ", "),
			Serial: id.SerialNumber, Issuer: id.Issuer, SigningTime: r.SigningTime, Timestamp: r.TimestampTime,
			Result: papercopy.Result(lang, string(r.Indication))})
	}
	return rows
}
