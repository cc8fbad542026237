package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/qoltanba/qoltanba/internal/progress"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pdf"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/rawsig"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
	"github.com/qoltanba/qoltanba/sync/docsign"
)

// ErrInput: what was given to sign cannot be signed as asked (a folder, XML
// that does not parse or has a DTD, a co-signature of something that is not
// a CMS). It is found before any secret is asked.
var ErrInput = errors.New("cannot sign this input")

// ErrChanged: a file changed between the consent (which showed its
// digest) and the signing: nothing is signed that the user did not see.
var ErrChanged = errors.New("the file changed after it was shown: nothing was signed")

// ErrTimestamp: the time-stamp service failed and the request required a
// timestamp, so nothing was signed for good.
var ErrTimestamp = errors.New("no timestamp")

// tsaTimeout bounds one timestamp request; ctx cancels it sooner.
const tsaTimeout = 30 * time.Second

// previewSize is how much of text or XML content the consent shows.
const previewSize = 4 << 10

// Item is one thing to sign: a file (Path), bytes (Data) or a digest
// (Digest with DigestOID: CMS or raw).
type Item struct {
	Name string // shown to the user; defaults to Path's base name
	// Version and FileName name a stored document's version (Name is
	// then its title).
	Version   uint32
	FileName  string
	Path      string
	Data      []byte
	MediaType string
	// Digest signs a hash made elsewhere (NCALayer's "digested" CMS).
	// DigestOID names its algorithm; nil means the key's own hash (a
	// website sends a hash without naming it), checked for its length.
	Digest    []byte
	DigestOID asn1.ObjectIdentifier
	// Original, with CoSign or an XML Path that is already signed, is the
	// file the existing signature must be of: the content of a detached
	// CMS, and for an attached CMS or a signed XML document what it must
	// carry. A signature of something else is refused before the secret.
	Original string
	// Complete, with Data, is called once the key is open and returns the
	// bytes signed in place of Data: a statement that names its signer
	// (an agreement's acceptance), whose certificate a key file reveals
	// only with its password. The consent shows Data; Complete may add
	// only the facts of the certificate it is given.
	Complete func(cert *x509.Certificate) ([]byte, error)
	// Format, when set, signs this item in another format than the
	// request's (a batch of XML and other documents under one PIN).
	Format signer.Format
	// Output is where a PDF signed inside (FormatPDF) is written; it may
	// be Path (a signature added to the file).
	Output string
}

// SignRequest is one signing operation, whichever face asks for it.
type SignRequest struct {
	// Origin is who asks: signer.LocalUser or the web origin.
	Origin string
	KeyURI string
	Format signer.Format
	Use    Use
	Items  []Item
	// CMS options.
	Detached bool
	CoSign   bool // Items are CMS signatures to add a signature to
	// PDF options (FormatPDF): the field, reason, place. The signer's name
	// and the time are the core's to fill in. PDFStamp, when set, makes
	// the signature visible: a stamp naming the signer as the
	// certificate does.
	PDF      pdf.Options
	PDFStamp *PDFStamp
	// XML options.
	XMLID, XMLParent string
	Compact          bool
	// TSA asks the service at this address for a timestamp (CMS: CAdES-T;
	// XML: a XAdES signature timestamp); empty for none. The policy: a TSA failure keeps the signature without a
	// timestamp and says so in Signed.Warning, unless RequireTimestamp,
	// when the operation fails with ErrTimestamp. The consent shows which.
	TSA              string
	RequireTimestamp bool
	// Accept, if set, is the requester's own condition on the signer's
	// certificate (a portal's signerParams: roles, IIN, BIN, serial,
	// chain). It is checked with the policy: before the consent when the
	// certificate is known, and again once the key is open.
	Accept func(cert *x509.Certificate) error
	// Progress, if set, is told the stage and how far it is (0..1).
	Progress func(stage Stage, fraction float64)
	// OnSigned, if set, is given each item's signature as soon as it is
	// made, in order: a batch stores each one at once, so that a batch
	// cancelled or failing half way keeps what was signed. An error stops
	// the batch.
	OnSigned func(i int, out Signed, cert *x509.Certificate) error
}

// forItem is the request as it applies to one item (its own format).
func (req SignRequest) forItem(it Item) SignRequest {
	if it.Format != "" {
		req.Format = it.Format
	}
	return req
}

// check applies the signing policy and the requester's condition.
func (c *Core) check(ctx context.Context, req SignRequest, cert *x509.Certificate, chain []*x509.Certificate) error {
	if err := CheckCertificate(ctx, cert, chain, req.Use, c.now(), c.Revocation()); err != nil {
		return err
	}
	if since, ok := c.Compromised(cert); ok {
		return &PolicyError{ErrCertificateCompromised, since,
			fmt.Sprintf("this key was reported compromised (from %s): it never signs again; revoke it at NCA RK and get a new one", since.Local().Format("2006-01-02 15:04"))}
	}
	if cert != nil && req.Accept != nil {
		return req.Accept(cert)
	}
	return nil
}

// Stage is a step of Sign that a face may show.
type Stage int

const (
	StageHash Stage = iota // reading the input to show its digest
	StageKey               // asking consent and the secret, opening the key
	StageSign              // signing and timestamping
)

// report tells req.Progress, if any.
func (req SignRequest) report(stage Stage, f float64) {
	if req.Progress != nil {
		req.Progress(stage, f)
	}
}

// Signed is the signature of one item.
type Signed struct {
	Item  Item
	Bytes []byte // DER for CMS, raw and PDF (the CMS inside), the signed document for XML
	// Path is the file written (FormatPDF: the signed PDF, Item.Output).
	Path string
	// Warning says what the signature lacks (the timestamp), or "".
	Warning string
}

// SignResult is what a signing operation made.
type SignResult struct {
	Key     signer.KeyRef // with the certificate that signed
	Signer  pki.Identity
	Outputs []Signed
}

// prepared is an item checked and described before the secret is asked.
type prepared struct {
	item    Item
	doc     signer.Document
	content []byte // Data; a file's content is read again when signed
	// originalSHA is the SHA-256 of a detached co-signature's original,
	// as checked before the consent.
	originalSHA []byte
}

// Sign is the one signing operation of every face: it checks the input and
// the key's certificate, asks for consent showing what is signed, by whom
// and for whom, opens the key (asking for the secret), applies the policy
// again with the certificate from the key, signs every item with one
// secret entry, and timestamps under ctx. Nothing is written: faces write
// or store the outputs.
func (c *Core) Sign(ctx context.Context, req SignRequest, ui signer.UI) (*SignResult, error) {
	if len(req.Items) == 0 {
		return nil, fmt.Errorf("%w: nothing to sign", ErrInput)
	}
	items := make([]prepared, len(req.Items))
	for i, it := range req.Items {
		p, err := prepare(req.forItem(it), it, func(f float64) { req.report(StageHash, (float64(i)+f)/float64(len(req.Items))) })
		if err != nil {
			return nil, err
		}
		items[i] = p
	}
	req.report(StageKey, 0)
	ref, err := c.Keys.Describe(ctx, req.KeyURI)
	if err != nil {
		return nil, err
	}
	now := c.now()
	cas := c.knownCAs()
	if err := c.check(ctx, req, ref.Certificate, cas); err != nil {
		return nil, err
	}
	consent := signer.Consent{
		Origin: req.Origin, Format: req.Format, Detached: req.Detached, CoSign: req.CoSign,
		Count: len(items), Key: ref, Test: c.IsTest(ref.Certificate),
		TSA: req.TSA, RequireTimestamp: req.RequireTimestamp, At: now,
	}
	for _, p := range items {
		consent.Documents = append(consent.Documents, p.doc)
	}
	if err := ui.Consent(ctx, consent); err != nil {
		return nil, err
	}
	key, err := c.Keys.Open(ctx, req.KeyURI, ui)
	if err != nil {
		return nil, err
	}
	defer key.Close()
	if err := c.check(ctx, req, key.Certificate, slices.Concat(key.Chain, cas)); err != nil {
		return nil, err
	}
	ref.Certificate = key.Certificate
	res := &SignResult{Key: ref, Signer: pki.IdentityOf(key.Certificate, c.now())}
	for i := range items {
		if items[i].item.Complete == nil {
			continue
		}
		data, err := items[i].item.Complete(key.Certificate)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInput, items[i].item.Name, err)
		}
		if r := req.forItem(items[i].item); r.Format == signer.FormatXML {
			if err := xmldsig.Check(data, xmlOptions(r)); err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrInput, items[i].item.Name, err)
			}
		}
		items[i].content = data
	}
	for i, p := range items {
		if err := ctx.Err(); err != nil {
			return partial(res, req, err)
		}
		progress := func(f float64) { req.report(StageSign, (float64(i)+f)/float64(len(items))) }
		r := req.forItem(p.item)
		out, err := signOne(ctx, r, p, key, progress)
		if err != nil {
			return partial(res, req, err)
		}
		if r.Format == signer.FormatPDF && r.TSA != "" && out.Warning == "" {
			// Timestamped, so online: the data to verify it later without
			// a network go into the PDF (PAdES-B-LT).
			if err := c.addValidationData(ctx, p.item.Output); err != nil {
				out.Warning = fmt.Sprintf("signed and timestamped, without the data to verify it offline later: %v", err)
			}
		}
		res.Outputs = append(res.Outputs, out)
		if req.OnSigned != nil {
			if err := req.OnSigned(i, out, key.Certificate); err != nil {
				return partial(res, req, err)
			}
		}
	}
	return res, nil
}

// partial ends a batch early: with OnSigned the caller has kept what was
// signed and gets the result so far; without it, nothing was kept.
func partial(res *SignResult, req SignRequest, err error) (*SignResult, error) {
	if req.OnSigned != nil {
		return res, err
	}
	return nil, err
}

// prepare checks one item and describes it for the consent.
func prepare(req SignRequest, it Item, progress func(float64)) (prepared, error) {
	p := prepared{item: it}
	if it.Name == "" {
		it.Name = filepath.Base(it.Path)
		p.item.Name = it.Name
	}
	p.doc = signer.Document{Name: it.Name, MediaType: it.MediaType, Version: it.Version, FileName: it.FileName, Format: it.Format}
	switch {
	case it.Digest != nil:
		if req.Format != signer.FormatCMS && req.Format != signer.FormatRaw {
			return p, fmt.Errorf("%w: a digest is signed as CMS or raw", ErrInput)
		}
		p.doc.Digest, p.doc.SHA256, p.doc.Size = true, it.Digest, int64(len(it.Digest))
		return p, nil
	case it.Path != "":
		info, err := os.Stat(it.Path)
		if err != nil {
			return p, fmt.Errorf("file to sign: %w", err)
		}
		if !info.Mode().IsRegular() {
			return p, fmt.Errorf("%w: %s is not a regular file", ErrInput, it.Path)
		}
		p.doc.Size = info.Size()
		if req.Format == signer.FormatPDF {
			if st := req.PDFStamp; st != nil && st.Corner != "" && !slices.Contains(pdf.Corners, st.Corner) {
				return p, fmt.Errorf("%w: no stamp corner %q (%v)", ErrInput, st.Corner, pdf.Corners)
			}
			if err := checkPDF(it, req.PDFStamp.page()); err != nil {
				return p, err
			}
		}
		// XML and co-signed CMS are read whole (bounded by their parsers);
		// other files are hashed here and streamed when signed.
		if req.Format == signer.FormatXML || req.CoSign {
			if info.Size() > xmldsig.MaxDocumentSize && req.Format == signer.FormatXML {
				return p, fmt.Errorf("%w: %s is larger than %d MB", ErrInput, it.Path, xmldsig.MaxDocumentSize>>20)
			}
			if p.content, err = os.ReadFile(it.Path); err != nil {
				return p, fmt.Errorf("read %s: %w", it.Path, err)
			}
		} else if p.doc.SHA256, err = hashFile(it.Path, progress); err != nil {
			return p, err
		}
	default:
		p.content = it.Data
		p.doc.Size = int64(len(it.Data))
	}
	if p.content != nil {
		sum := sha256.Sum256(p.content)
		p.doc.SHA256 = sum[:]
		p.doc.Preview = preview(p.content)
	}
	switch {
	case req.Format == signer.FormatXML:
		if err := xmldsig.Check(p.content, xmlOptions(req)); err != nil {
			return p, fmt.Errorf("%w: %s: %w", ErrInput, it.Name, err)
		}
		if it.Original != "" {
			original, err := os.ReadFile(it.Original)
			if err != nil {
				return p, fmt.Errorf("read %s: %w", it.Original, err)
			}
			if err := docsign.XMLCarries(p.content, original); err != nil {
				return p, fmt.Errorf("%w: %s is not a signed copy of %s: %w", ErrInput, it.Name, filepath.Base(it.Original), err)
			}
		}
	case req.CoSign:
		if req.Format != signer.FormatCMS {
			return p, fmt.Errorf("%w: only CMS signatures are co-signed this way", ErrInput)
		}
		der, err := cms.Decode(p.content)
		if err != nil {
			return p, fmt.Errorf("%w: %s is not a CMS signature: %w", ErrInput, it.Name, err)
		}
		if p.originalSHA, err = checkCoSigned(der, &p.item); err != nil {
			return p, err
		}
		p.doc.Preview = ""
	case req.Format == signer.FormatCMS, req.Format == signer.FormatRaw:
	case req.Format == signer.FormatPDF:
		if it.Path == "" {
			return p, fmt.Errorf("%w: a PDF is signed inside as a file", ErrInput)
		}
	default:
		return p, fmt.Errorf("%w: unknown format %q", ErrInput, req.Format)
	}
	if it.Path != "" {
		p.content = nil // read again when signed: a batch holds no file in memory
	}
	return p, nil
}

// load reads an item's file again to sign it, and makes sure it is what
// the consent showed.
func (p prepared) load() ([]byte, error) {
	if p.item.Path == "" {
		return p.content, nil
	}
	data, err := os.ReadFile(p.item.Path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p.item.Path, err)
	}
	if sum := sha256.Sum256(data); !bytes.Equal(sum[:], p.doc.SHA256) {
		return nil, fmt.Errorf("%s: %w", p.item.Name, ErrChanged)
	}
	return data, nil
}

// stream hands sign the file at path, hashing what passes with SHA-256,
// and refuses the result unless the hash is want (what the consent
// showed; nil: no check).
func stream(path string, want []byte, progress func(float64), sign func(io.Reader) error) error {
	h := sha256.New()
	err := withFile(path, progress, func(r io.Reader) error { return sign(io.TeeReader(r, h)) })
	if err != nil {
		return err
	}
	if want != nil && !bytes.Equal(h.Sum(nil), want) {
		return fmt.Errorf("%s: %w", filepath.Base(path), ErrChanged)
	}
	return nil
}

// checkCoSigned makes sure the CMS being co-signed is a signature of
// it.Original when one is named: a detached CMS's signers must all verify
// over it, an attached CMS must carry it (it.Original is then cleared, the
// CMS having its content). A detached CMS needs its original.
// It returns the SHA-256 of a detached CMS's original, for the signing to
// check it is unchanged.
func checkCoSigned(der []byte, it *Item) ([]byte, error) {
	inside, err := cms.Content(der)
	detached := errors.Is(err, cms.ErrNoContent)
	switch {
	case detached && it.Original == "":
		return nil, fmt.Errorf("%w: %s is a detached signature: the original is needed to co-sign it", ErrInput, it.Name)
	case detached:
		f, err := os.Open(it.Original)
		if err != nil {
			return nil, fmt.Errorf("read the original %s: %w", it.Original, err)
		}
		defer f.Close()
		h := sha256.New()
		ev, err := cms.Verify(der, io.TeeReader(f, h))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrInput, it.Name, err)
		}
		for _, e := range ev {
			if !e.DigestValid {
				return nil, fmt.Errorf("%w: %s is not a signature of %s", ErrInput, it.Name, filepath.Base(it.Original))
			}
		}
		return h.Sum(nil), nil
	case err != nil:
		return nil, fmt.Errorf("%w: %s: %w", ErrInput, it.Name, err)
	case it.Original != "":
		want, err := hashFile(it.Original, nil)
		if err != nil {
			return nil, err
		}
		if got := sha256.Sum256(inside); !bytes.Equal(got[:], want) {
			return nil, fmt.Errorf("%w: %s carries another content than %s", ErrInput, it.Name, filepath.Base(it.Original))
		}
		it.Original = "" // the CMS has its content
	}
	return nil, nil
}

func xmlOptions(req SignRequest) xmldsig.SignOptions {
	style := xmldsig.StyleNCALayer
	if req.Compact {
		style = xmldsig.StyleCompact
	}
	return xmldsig.SignOptions{Style: style, ID: req.XMLID, ParentXPath: req.XMLParent}
}

// digestFor is the algorithm of an item's digest: the one it names, or
// the key's own hash; the digest must have its length.
func digestFor(it Item, key *signer.Key) (*rawsig.Digest, error) {
	d, ok := rawsig.DigestByOID(it.DigestOID)
	if it.DigestOID == nil {
		var err error
		if d, err = rawsig.NaturalDigest(key.Signer.Public()); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
		ok = true
	}
	if !ok {
		return nil, fmt.Errorf("%w: unknown digest algorithm %v", ErrInput, it.DigestOID)
	}
	if len(it.Digest) != d.Size {
		return nil, fmt.Errorf("%w: a %s hash is %d bytes, this one is %d", ErrInput, d.Name, d.Size, len(it.Digest))
	}
	return d, nil
}

// signOne makes one item's signature.
func signOne(ctx context.Context, req SignRequest, p prepared, key *signer.Key, progress func(float64)) (Signed, error) {
	out := Signed{Item: p.item}
	name := p.item.Name
	var err error
	switch {
	case req.Format == signer.FormatXML:
		doc, err := p.load()
		if err != nil {
			return out, err
		}
		out.Bytes, err = xmldsig.Sign(doc, key.Signer, key.Certificate, xmlOptions(req))
		progress(1)
		if err != nil {
			return out, fmt.Errorf("sign %s: %w", name, err)
		}
		return timestamped(ctx, req, out, TimestampXML)
	case req.Format == signer.FormatPDF:
		return signPDF(ctx, req, p, key, progress)
	case req.Format == signer.FormatRaw:
		switch {
		case p.item.Digest != nil:
			d, derr := digestFor(p.item, key)
			if derr != nil {
				return out, derr
			}
			out.Bytes, err = rawsig.SignDigest(key.Signer, d, p.item.Digest)
		case p.content != nil:
			out.Bytes, err = rawsig.Sign(key.Signer, p.content)
		default:
			err = stream(p.item.Path, p.doc.SHA256, progress, func(r io.Reader) (e error) { out.Bytes, e = rawsig.SignReader(key.Signer, r); return })
		}
		if err != nil {
			return out, fmt.Errorf("sign %s: %w", name, err)
		}
		return out, nil
	}
	opts := cms.SignOptions{Detached: req.Detached, IncludeChain: true}
	switch {
	case req.CoSign:
		existing, lerr := p.load()
		if lerr != nil {
			return out, lerr
		}
		if p.item.Original == "" {
			out.Bytes, err = cms.CoSign(existing, nil, key.Signer, key.Certificate, key.Chain, opts)
			break
		}
		err = stream(p.item.Original, p.originalSHA, progress, func(r io.Reader) (e error) {
			out.Bytes, e = cms.CoSign(existing, r, key.Signer, key.Certificate, key.Chain, opts)
			return
		})
	case p.item.Digest != nil:
		d, derr := digestFor(p.item, key)
		if derr != nil {
			return out, derr
		}
		out.Bytes, err = cms.SignDigest(p.item.Digest, d.OID, key.Signer, key.Certificate, key.Chain, opts)
	case p.content != nil:
		out.Bytes, err = cms.Sign(bytes.NewReader(p.content), key.Signer, key.Certificate, key.Chain, opts)
	default:
		err = stream(p.item.Path, p.doc.SHA256, progress, func(r io.Reader) (e error) {
			out.Bytes, e = cms.Sign(r, key.Signer, key.Certificate, key.Chain, opts)
			return
		})
	}
	if err != nil {
		return out, fmt.Errorf("sign %s: %w", name, err)
	}
	progress(1)
	return timestamped(ctx, req, out, Timestamp)
}

// timestamped asks req's TSA (if any) to stamp a signature with stamp: a
// failure keeps the signature with a warning unless the request requires
// the timestamp.
func timestamped(ctx context.Context, req SignRequest, out Signed, stamp func(context.Context, []byte, string) ([]byte, error)) (Signed, error) {
	if req.TSA == "" {
		return out, nil
	}
	stamped, err := stamp(ctx, out.Bytes, req.TSA)
	switch {
	case err == nil:
		out.Bytes = stamped
	case req.RequireTimestamp || ctx.Err() != nil:
		return out, err
	default:
		out.Warning = fmt.Sprintf("signed without a timestamp: %v", err)
	}
	return out, nil
}

// PDFStamp places a visible signature: on Page (1-based; negative from
// the end, -1 the last; 0 the first), at X, Y points from the page's bottom
// left or, both zero, in its Corner (bottom right when empty), in Language
// (kk, ru or en).
type PDFStamp struct {
	Page     int
	X, Y     float64
	Corner   pdf.Corner
	Language string
}

// page is the stamp's page as pdf.Options takes it.
func (st *PDFStamp) page() int {
	if st == nil || st.Page == 0 {
		return 1
	}
	return st.Page
}

// checkPDF opens a PDF before the secret is asked: encrypted, damaged or
// not a PDF at all is said then, and a stamp's page must be there.
func checkPDF(it Item, page int) error {
	if it.Output == "" {
		return fmt.Errorf("%w: no place to write the signed PDF", ErrInput)
	}
	fh, err := os.Open(it.Path)
	if err != nil {
		return fmt.Errorf("file to sign: %w", err)
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return err
	}
	f, err := pdf.Open(fh, info.Size())
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInput, filepath.Base(it.Path), err)
	}
	if _, _, err := f.Page(page); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInput, filepath.Base(it.Path), err)
	}
	return nil
}

// signPDF signs a PDF inside (PAdES): the CMS over its byte ranges, made
// and timestamped as a detached CMS is, written into an incremental
// update of the file the consent showed (its SHA-256 is checked as it is
// copied).
func signPDF(ctx context.Context, req SignRequest, p prepared, key *signer.Key, report func(float64)) (Signed, error) {
	out := Signed{Item: p.item}
	opts := req.PDF
	now := time.Now()
	id := pki.IdentityOf(key.Certificate, now)
	opts.Name, opts.Time = id.CommonName, now
	if st := req.PDFStamp; st != nil {
		ap, err := pdf.StampFor(id, now, st.Language)
		if err != nil {
			return out, err
		}
		opts.Appearance, opts.Page, opts.Corner = ap, st.page(), st.Corner
		if st.X != 0 || st.Y != 0 {
			opts.Rect = [4]float64{st.X, st.Y, st.X + pdf.StampSize[0], st.Y + pdf.StampSize[1]}
		}
	}
	opts.SHA256 = p.doc.SHA256
	if opts.Reserve == 0 {
		opts.Reserve = pdf.DefaultReserve
		if req.TSA != "" {
			opts.Reserve += 16 << 10 // the token and the TSA's chain
		}
	}
	res, err := pdf.SignFile(p.item.Path, p.item.Output, opts, func(r io.Reader) ([]byte, error) {
		der, err := cms.Sign(progress.NewReader(r, p.doc.Size, report), key.Signer, key.Certificate, key.Chain,
			cms.SignOptions{Detached: true, IncludeChain: true})
		if err != nil {
			return nil, err
		}
		stamped, err := timestamped(ctx, req, Signed{Bytes: der}, Timestamp)
		out.Warning = stamped.Warning
		return stamped.Bytes, err
	})
	if err != nil {
		if errors.Is(err, pdf.ErrChanged) {
			return out, fmt.Errorf("%s: %w", p.item.Name, ErrChanged)
		}
		return out, fmt.Errorf("sign %s: %w", p.item.Name, err)
	}
	report(1)
	out.Bytes, out.Path = res.CMS, p.item.Output
	return out, nil
}

// TimestampXML adds a signature timestamp (XAdES-T) from the TSA at url
// to every signature of an XML document that lacks one.
func TimestampXML(ctx context.Context, doc []byte, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, tsaTimeout)
	defer cancel()
	out, err := xmldsig.AddTimestamp(ctx, doc, &cms.TSAClient{URL: url})
	if err != nil {
		return nil, fmt.Errorf("%w from %s: %w", ErrTimestamp, url, err)
	}
	return out, nil
}

// Timestamp adds a timestamp from the TSA at url to every signer of a CMS
// that lacks one, bounded by tsaTimeout and cancelled with ctx.
func Timestamp(ctx context.Context, cmsData []byte, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, tsaTimeout)
	defer cancel()
	out, err := cms.AddTimestamp(ctx, cmsData, &cms.TSAClient{URL: url})
	if err != nil {
		return nil, fmt.Errorf("%w from %s: %w", ErrTimestamp, url, err)
	}
	return out, nil
}

// withFile opens path and hands it to sign through a progress reader.
func withFile(path string, report func(float64), sign func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	return sign(progress.NewReader(f, info.Size(), report))
}

// hashFile is the SHA-256 of a file, shown in the consent.
func hashFile(path string, progress func(float64)) ([]byte, error) {
	h := sha256.New()
	err := withFile(path, progress, func(r io.Reader) error {
		_, err := io.Copy(h, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return h.Sum(nil), nil
}

// preview is the beginning of text content, cut at a rune boundary; empty
// for binary content.
func preview(b []byte) string {
	if len(b) > previewSize {
		b = b[:previewSize]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return ""
	}
	return string(b)
}

// addValidationData verifies a signed PDF's signatures now, online, and
// puts what that relied on — certificates, OCSP responses, CRLs — into its
// document security store (PAdES-B-LT), so that they verify the same way
// later without a network.
func (c *Core) addValidationData(ctx context.Context, path string) error {
	x, err := ExamineFile(path, "")
	if err != nil {
		return err
	}
	v, err := c.Verifier(VerifyOptions{})
	if err != nil {
		return err
	}
	m, err := v.Material(ctx, x.Evidence, v.Verify(ctx, x.Evidence))
	if err != nil {
		return err
	}
	var dss pdf.DSS
	for _, cert := range m.Certificates {
		dss.Certs = append(dss.Certs, cert.Raw)
	}
	for _, r := range m.Revocation {
		switch r.Kind {
		case pki.KindOCSP:
			dss.OCSPs = append(dss.OCSPs, r.DER)
		case pki.KindCRL:
			dss.CRLs = append(dss.CRLs, r.DER)
		}
	}
	if len(dss.OCSPs)+len(dss.CRLs) == 0 {
		return errors.New("no revocation data could be had for the signer's certificate")
	}
	_, err = pdf.AddDSS(path, dss)
	return err
}
