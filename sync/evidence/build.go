package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/qoltanba/qoltanba/assets/translations"
	"github.com/qoltanba/qoltanba/internal/reportwords"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// Package is an evidence package in memory: files by path, in the order
// they are written.
type Package struct {
	Manifest Manifest
	Files    map[string][]byte
	order    []string
	// Reports are the verification reports at export, by signature.
	Reports []ReportFile
}

func (p *Package) add(path string, data []byte) {
	if _, ok := p.Files[path]; !ok {
		p.order = append(p.order, path)
	}
	p.Files[path] = data
}

func (p *Package) addJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	p.add(path, append(data, '\n'))
	return nil
}

// Build gathers a document's evidence from the store and verifies every
// signature with v now (online unless v.Offline), keeping the chains and
// the revocation data that verification used (from v.Cache).
func Build(ctx context.Context, st store.Store, id store.ID, v *pki.Verifier, now time.Time, opts ...Option) (*Package, error) {
	d, err := st.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	o := buildOptions{lang: "en"}
	for _, opt := range opts {
		opt(&o)
	}
	b := &builder{st: st, id: id, v: v, p: &Package{Files: map[string][]byte{}}, doc: DocumentFile{Document: d},
		contents: map[uint32][]byte{}, certs: map[string]*x509.Certificate{}, revSeen: map[string]bool{}}
	// README and report.txt in the language asked, and in English beside
	// them when that is another.
	b.langs = []string{o.lang}
	if o.lang != "en" {
		b.langs = append(b.langs, "en")
	}
	b.text = map[string]*bytes.Buffer{}
	for _, l := range b.langs {
		b.text[l] = new(bytes.Buffer)
		b.p.add(localized(pathReadme, l, o.lang), []byte(translations.Text(l, "evidence.readme")))
	}
	versions, err := st.Versions(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, ver := range versions {
		if err := b.addContent(ctx, ver); err != nil {
			return nil, err
		}
	}
	for _, ver := range versions {
		sigs, err := st.Signatures(ctx, id, ver.Number)
		if err != nil {
			return nil, err
		}
		for _, s := range sigs {
			if err := b.addSignature(ctx, ver, s); err != nil {
				return nil, fmt.Errorf("version %d signature %d: %w", ver.Number, s.Index, err)
			}
		}
	}
	if err := b.addReceipts(ctx); err != nil {
		return nil, err
	}
	if err := b.addAcceptedText(ctx); err != nil {
		return nil, err
	}
	b.addCertificates()
	if err := b.addIndexes(); err != nil {
		return nil, err
	}
	jf, err := journalExtract(ctx, st, id)
	if err != nil {
		return nil, err
	}
	if err := b.p.addJSON(pathJournal, jf); err != nil {
		return nil, err
	}
	b.p.add(pathEncoding, []byte(store.EntryEncoding+"\n"))
	b.p.Manifest = Manifest{Format: FormatV1, Created: now.UTC(), Document: id, Title: d.Title}
	for _, path := range b.p.order {
		data := b.p.Files[path]
		b.p.Manifest.Files = append(b.p.Manifest.Files, ManifestFile{Path: path, Size: int64(len(data)), SHA256: sha256.Sum256(data)})
	}
	return b.p, nil
}

// builder gathers one package: the files in the order they are added, and
// what the indexes list (document, chains, revocation data, reports).
type builder struct {
	st       store.Store
	id       store.ID
	v        *pki.Verifier
	p        *Package
	doc      DocumentFile
	contents map[uint32][]byte
	// certs are the certificates to include, by fingerprint; chains and
	// revs the index entries; revSeen the revocation data already added.
	certs   map[string]*x509.Certificate
	chains  []ChainFile
	revs    []RevocationFile
	revSeen map[string]bool
	// text is report.txt by language; langs the languages, the package's first.
	text  map[string]*bytes.Buffer
	langs []string
}

// Option adjusts Build.
type Option func(*buildOptions)

type buildOptions struct{ lang string }

// InLanguage writes README.txt and report.txt in a language (kk, ru, en),
// with README.en.txt and report.en.txt beside them when it is not English.
func InLanguage(code string) Option {
	return func(o *buildOptions) {
		if slices.Contains(translations.Languages, code) {
			o.lang = code
		}
	}
}

// localized is path for a language: itself in the package's own, with
// .<lang> before the extension in the other.
func localized(path, lang, own string) string {
	if lang == own {
		return path
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "." + lang + ext
}

// addContent adds a version's content.
func (b *builder) addContent(ctx context.Context, ver store.Version) error {
	data, err := b.st.Content(ctx, b.id, ver.Number)
	if err != nil {
		return fmt.Errorf("version %d: %w", ver.Number, err)
	}
	b.contents[ver.Number] = data
	path := fmt.Sprintf("content/v%d/%s", ver.Number, SafeName(ver.Name))
	b.p.add(path, data)
	b.doc.Versions = append(b.doc.Versions, VersionFile{Version: ver, Path: path})
	return nil
}

// addSignature adds a signature, verifies it afresh and adds its report
// and the material that lets it be checked offline.
func (b *builder) addSignature(ctx context.Context, ver store.Version, s store.Signature) error {
	raw, err := b.st.SignatureBytes(ctx, b.id, ver.Number, s.Index)
	if err != nil {
		return err
	}
	ext := ".p7s"
	if s.Format == "xmldsig" {
		ext = ".xml"
	}
	path := fmt.Sprintf("signatures/v%d-s%d%s", ver.Number, s.Index, ext)
	b.p.add(path, raw)
	b.doc.Signatures = append(b.doc.Signatures, SignatureRecord{Signature: s, Path: path})

	ev, err := docsign.Examine(formatName(s.Format), raw, b.contents[ver.Number], s.Detached)
	if err != nil {
		return err
	}
	report := b.v.Verify(ctx, ev)
	b.p.Reports = append(b.p.Reports, ReportFile{Version: ver.Number, Index: s.Index, Report: report})
	for _, l := range b.langs {
		labels := reportwords.Labels(l)
		fmt.Fprintf(b.text[l], "=== v%d · %s %d (%s) ===\n", ver.Number, labels.Signature, s.Index, s.Format)
		if err := report.TextWith(b.text[l], labels); err != nil {
			return err
		}
		b.text[l].WriteString("\n")
	}
	m, err := b.v.Material(ctx, ev, report)
	if err != nil {
		return err
	}
	b.addMaterial(ver.Number, s.Index, m)
	return nil
}

// addMaterial records a signature's chains and certificates and adds the
// revocation data not added yet.
func (b *builder) addMaterial(version, index uint32, m *pki.Material) {
	cf := ChainFile{Version: version, Index: index}
	for _, chain := range m.Chains {
		var fps []string
		for _, c := range chain {
			fps = append(fps, pki.Fingerprint(c))
		}
		cf.Chains = append(cf.Chains, fps)
	}
	b.chains = append(b.chains, cf)
	for _, c := range m.Certificates {
		b.certs[pki.Fingerprint(c)] = c
	}
	for _, r := range m.Revocation {
		b.certs[pki.Fingerprint(r.Issuer)] = r.Issuer
		b.certs[pki.Fingerprint(r.Subject)] = r.Subject
		key := r.Kind + "\x00" + r.URL + "\x00" + r.Extra + "\x00" + pki.Fingerprint(r.Issuer)
		if b.revSeen[key] {
			continue
		}
		b.revSeen[key] = true
		rpath := fmt.Sprintf("revocation/%d-%s.der", len(b.revs)+1, r.Kind)
		b.p.add(rpath, r.DER)
		b.revs = append(b.revs, RevocationFile{Path: rpath, Kind: r.Kind, URL: r.URL, Issuer: pki.Fingerprint(r.Issuer),
			Subject: pki.Fingerprint(r.Subject), Extra: r.Extra, FetchedAt: r.FetchedAt.UTC()})
	}
}

// addCertificates adds every certificate gathered, in fingerprint order.
func (b *builder) addCertificates() {
	fps := make([]string, 0, len(b.certs))
	for fp := range b.certs {
		fps = append(fps, fp)
	}
	sort.Strings(fps)
	for _, fp := range fps {
		b.p.add("certificates/"+fp+".cer", b.certs[fp].Raw)
	}
}

// receiptEntry is one line of receipts.json.
type receiptEntry struct {
	File       string          `json:"file"`
	Sent       string          `json:"sent,omitempty"`
	Portal     string          `json:"portal"`
	Remote     string          `json:"remote"`
	Entry      string          `json:"entry"`
	Revision   int64           `json:"revision"`
	ReceivedAt time.Time       `json:"receivedAt"`
	Verdict    json.RawMessage `json:"verdict,omitempty"`
	Signer     string          `json:"signer,omitempty"` // the portal certificate's fingerprint
}

// addReceipts adds the portals' signed receipts of the document (and what
// each acknowledges), with the certificates that signed them.
func (b *builder) addReceipts(ctx context.Context) error {
	rs, err := b.st.Receipts(ctx, b.id)
	if err != nil || len(rs) == 0 {
		return err
	}
	var index []receiptEntry
	for _, r := range rs {
		e := receiptEntry{File: fmt.Sprintf("receipts/%d.p7s", r.Index), Portal: r.Account, Remote: r.Remote, Entry: r.Entry,
			Revision: r.Revision, ReceivedAt: r.ReceivedAt, Verdict: r.Verdict}
		b.p.add(e.File, r.CMS)
		if len(r.Sent) > 0 {
			e.Sent = fmt.Sprintf("receipts/%d.sent.json", r.Index)
			b.p.add(e.Sent, r.Sent)
		}
		if ev, err := cms.Verify(r.CMS, nil); err == nil && len(ev) == 1 && ev[0].Certificate != nil {
			fp := pki.Fingerprint(ev[0].Certificate)
			b.certs[fp], e.Signer = ev[0].Certificate, fp
			for _, c := range ev[0].Certificates {
				b.certs[pki.Fingerprint(c)] = c
			}
		}
		index = append(index, e)
	}
	return b.p.addJSON(pathReceipts, index)
}

// addAcceptedText adds, to the package of an agreement's acceptance, the
// text it accepted, so that the package alone shows what was agreed to.
func (b *builder) addAcceptedText(ctx context.Context) error {
	if b.doc.Document.Kind != store.KindAgreement {
		return nil
	}
	l, err := b.st.Link(ctx, b.id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	tl, err := b.st.LinkByRemote(ctx, l.Account, store.AcceptedTextRemote(l.Remote))
	if errors.Is(err, store.ErrNotFound) {
		return nil // an agreement's text, not its acceptance
	}
	if err != nil {
		return fmt.Errorf("the accepted text: %w", err)
	}
	td, err := b.st.Document(ctx, tl.Document)
	if err != nil {
		return fmt.Errorf("the accepted text: %w", err)
	}
	text, err := b.st.Content(ctx, td.ID, td.Version)
	if err != nil {
		return fmt.Errorf("the accepted text: %w", err)
	}
	sum := sha256.Sum256(text)
	a := AgreementFile{Document: td.ID, Title: td.Title, Path: "agreement/" + SafeName(td.Name), SHA256: hex.EncodeToString(sum[:])}
	b.p.add(a.Path, text)
	return b.p.addJSON(pathAgreement, a)
}

// addIndexes adds the JSON indexes and the text report.
func (b *builder) addIndexes() error {
	for _, f := range []struct {
		path string
		v    any
	}{
		{pathDocument, b.doc}, {pathChains, nonNil(b.chains)}, {pathRevocation, nonNil(b.revs)}, {pathReportJSON, nonNil(b.p.Reports)},
	} {
		if err := b.p.addJSON(f.path, f.v); err != nil {
			return err
		}
	}
	for _, l := range b.langs {
		if len(b.p.Reports) == 0 {
			b.text[l].WriteString(reportwords.Labels(l).None + "\n")
		}
		b.p.add(localized(pathReportText, l, b.langs[0]), b.text[l].Bytes())
	}
	return nil
}

// journalExtract is the journal from the document's first entry to the head.
func journalExtract(ctx context.Context, st store.Store, id store.ID) (JournalFile, error) {
	mine, err := st.Journal(ctx, store.JournalQuery{Document: id, Limit: 1})
	if err != nil {
		return JournalFile{}, fmt.Errorf("journal: %w", err)
	}
	if len(mine) == 0 {
		return JournalFile{}, errors.New("journal: the document has no entries")
	}
	all, err := st.Journal(ctx, store.JournalQuery{AfterSeq: mine[0].Seq - 1})
	if err != nil {
		return JournalFile{}, fmt.Errorf("journal: %w", err)
	}
	jf := JournalFile{Document: id, Prev: all[0].Prev}
	for _, e := range all {
		jf.Entries = append(jf.Entries, JournalEntry{Stored: hex.EncodeToString(e.Stored()), Entry: e})
	}
	last := all[len(all)-1]
	jf.HeadSeq, jf.HeadHash = last.Seq, last.Hash
	return jf, nil
}

// formatName maps a stored signature's format to docsign's.
func formatName(f string) string {
	if f == "xmldsig" {
		return docsign.FormatXML
	}
	return f
}

// SafeName keeps a name readable but harmless as a file name (inside the
// zip, or a file to save): letters, digits, '.', '-', '_' (others become
// '_'), at most 100 runes, never empty or dot-only.
func SafeName(name string) string {
	var b strings.Builder
	n := 0
	for _, r := range name {
		if n == 100 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
		n++
	}
	s := strings.TrimLeft(b.String(), ".")
	if s == "" {
		return "content"
	}
	return s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
