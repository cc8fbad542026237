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
	"sort"
	"strings"
	"time"
	"unicode"

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
func Build(ctx context.Context, st store.Store, id store.ID, v *pki.Verifier, now time.Time) (*Package, error) {
	d, err := st.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &Package{Files: map[string][]byte{}}
	p.add(pathReadme, []byte(readme))
	docFile := DocumentFile{Document: d}
	versions, err := st.Versions(ctx, id)
	if err != nil {
		return nil, err
	}
	contents := map[uint32][]byte{}
	for _, ver := range versions {
		data, err := st.Content(ctx, id, ver.Number)
		if err != nil {
			return nil, fmt.Errorf("version %d: %w", ver.Number, err)
		}
		contents[ver.Number] = data
		path := fmt.Sprintf("content/v%d/%s", ver.Number, safeName(ver.Name))
		p.add(path, data)
		docFile.Versions = append(docFile.Versions, VersionFile{Version: ver, Path: path})
	}

	certs := map[string]*x509.Certificate{}
	var chains []ChainFile
	var revs []RevocationFile
	revSeen := map[string]string{}
	var text bytes.Buffer
	for _, ver := range versions {
		sigs, err := st.Signatures(ctx, id, ver.Number)
		if err != nil {
			return nil, err
		}
		for _, s := range sigs {
			raw, err := st.SignatureBytes(ctx, id, ver.Number, s.Index)
			if err != nil {
				return nil, fmt.Errorf("version %d signature %d: %w", ver.Number, s.Index, err)
			}
			ext := ".p7s"
			if s.Format == "xmldsig" {
				ext = ".xml"
			}
			path := fmt.Sprintf("signatures/v%d-s%d%s", ver.Number, s.Index, ext)
			p.add(path, raw)
			docFile.Signatures = append(docFile.Signatures, SignatureRecord{Signature: s, Path: path})

			ev, err := docsign.Examine(formatName(s.Format), raw, contents[ver.Number], s.Detached)
			if err != nil {
				return nil, fmt.Errorf("version %d signature %d: %w", ver.Number, s.Index, err)
			}
			report := v.Verify(ctx, ev)
			p.Reports = append(p.Reports, ReportFile{Version: ver.Number, Index: s.Index, Report: report})
			fmt.Fprintf(&text, "=== Version %d, signature %d (%s) ===\n", ver.Number, s.Index, s.Format)
			if err := report.Text(&text); err != nil {
				return nil, err
			}
			text.WriteString("\n")
			m, err := v.Material(ctx, ev, report)
			if err != nil {
				return nil, err
			}
			cf := ChainFile{Version: ver.Number, Index: s.Index}
			for _, chain := range m.Chains {
				var fps []string
				for _, c := range chain {
					fps = append(fps, pki.Fingerprint(c))
				}
				cf.Chains = append(cf.Chains, fps)
			}
			chains = append(chains, cf)
			for _, c := range m.Certificates {
				certs[pki.Fingerprint(c)] = c
			}
			for _, r := range m.Revocation {
				certs[pki.Fingerprint(r.Issuer)] = r.Issuer
				certs[pki.Fingerprint(r.Subject)] = r.Subject
				key := r.Kind + "\x00" + r.URL + "\x00" + r.Extra + "\x00" + pki.Fingerprint(r.Issuer)
				if _, ok := revSeen[key]; ok {
					continue
				}
				rpath := fmt.Sprintf("revocation/%d-%s.der", len(revs)+1, r.Kind)
				revSeen[key] = rpath
				p.add(rpath, r.DER)
				revs = append(revs, RevocationFile{Path: rpath, Kind: r.Kind, URL: r.URL, Issuer: pki.Fingerprint(r.Issuer),
					Subject: pki.Fingerprint(r.Subject), Extra: r.Extra, FetchedAt: r.FetchedAt.UTC()})
			}
		}
	}
	fps := make([]string, 0, len(certs))
	for fp := range certs {
		fps = append(fps, fp)
	}
	sort.Strings(fps)
	for _, fp := range fps {
		p.add("certificates/"+fp+".cer", certs[fp].Raw)
	}
	if err := p.addJSON(pathDocument, docFile); err != nil {
		return nil, err
	}
	if err := p.addJSON(pathChains, nonNil(chains)); err != nil {
		return nil, err
	}
	if err := p.addJSON(pathRevocation, nonNil(revs)); err != nil {
		return nil, err
	}
	if err := p.addJSON(pathReportJSON, nonNil(p.Reports)); err != nil {
		return nil, err
	}
	if len(p.Reports) == 0 {
		text.WriteString("The document carries no signatures.\n")
	}
	p.add(pathReportText, text.Bytes())

	jf, err := journalExtract(ctx, st, id)
	if err != nil {
		return nil, err
	}
	if err := p.addJSON(pathJournal, jf); err != nil {
		return nil, err
	}
	p.add(pathEncoding, []byte(store.EntryEncoding+"\n"))

	p.Manifest = Manifest{Format: FormatV1, Created: now.UTC(), Document: id, Title: d.Title}
	for _, path := range p.order {
		data := p.Files[path]
		p.Manifest.Files = append(p.Manifest.Files, ManifestFile{Path: path, Size: int64(len(data)), SHA256: sha256.Sum256(data)})
	}
	return p, nil
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

// safeName keeps a content's base name readable but harmless inside the
// zip: letters, digits, '.', '-', '_' (others become '_'), at most 100
// runes, never empty or dot-only.
func safeName(name string) string {
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

const readme = `Qoltanba evidence package
==========================

This archive holds a document kept by Qoltanba, every signature made or
received on it, and what is needed to check them without a network:

  manifest.json             SHA-256 and size of every other file
  document.json             the document, its versions and signatures
  content/                  each version's content
  signatures/               each signature (XML: the signed document; .p7s: CMS, DER)
  certificates/             signer and CA certificates, named by SHA-256
  chains.json               the certificate chain of each signature
  revocation/, revocation.json   the OCSP responses and CRLs used
  report.txt, report.json   the verification reports when the package was made
  journal/                  Qoltanba's hash-chained journal from the document's
                            import to the moment of export, and its encoding

To check everything:   qoltanba docs verify-package THIS.zip [--trust ROOT.cer]
By hand: sha256sum each file against manifest.json; check each signature
with the content (openssl cms -verify -binary -content FILE -inform DER …,
xmlsec1 --verify …); check the journal as journal/ENCODING.txt describes and
compare its head with 'qoltanba journal verify' on the original computer.
`
