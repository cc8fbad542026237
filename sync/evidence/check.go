package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/gost/streebog"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/acceptance"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// Problem is one thing in the package that does not hold. Part names what
// it concerns: manifest, document, content, signature, certificate,
// revocation or journal.
type Problem struct {
	Part string `json:"part"`
	Path string `json:"path,omitempty"`
	Text string `json:"text"`
}

func (p Problem) String() string {
	if p.Path == "" {
		return fmt.Sprintf("[%s] %s", p.Part, p.Text)
	}
	return fmt.Sprintf("[%s] %s: %s", p.Part, p.Path, p.Text)
}

// SignatureCheck is one packaged signature re-verified offline.
type SignatureCheck struct {
	Version uint32      `json:"version"`
	Index   uint32      `json:"index"`
	Format  string      `json:"format"`
	Path    string      `json:"path"`
	Signer  string      `json:"signer"`
	Report  *pki.Report `json:"report,omitempty"`
}

// JournalCheck is the journal extract's finding.
type JournalCheck struct {
	Entries  int            `json:"entries"`
	FirstSeq uint64         `json:"firstSeq"`
	HeadSeq  uint64         `json:"headSeq"`
	Head     store.Digest32 `json:"head"`
	// DocumentEntries are the document's own entries ("#3 import v1").
	DocumentEntries []string `json:"documentEntries"`
}

// Result is what Check found.
type Result struct {
	Format     string           `json:"format"`
	Document   store.Document   `json:"document"`
	Created    time.Time        `json:"created"`
	Files      int              `json:"files"`
	Versions   int              `json:"versions"`
	Signatures []SignatureCheck `json:"signatures"`
	Journal    JournalCheck     `json:"journal"`
	// Receipts is how many portal receipts were checked.
	Receipts int `json:"receipts,omitempty"`
	// Agreement is the accepted text a package of an agreement's
	// acceptance carries, checked against the statement's digest.
	Agreement *AgreementFile `json:"agreement,omitempty"`
	// Problems are integrity failures: any makes the package fail.
	Problems []Problem `json:"problems"`
	// Indication is the worst signature indication (TOTAL_PASSED when the
	// document has no signatures), or TOTAL_FAILED when Problems is not empty.
	Indication pki.Indication `json:"indication"`
}

// ExitCode follows `qoltanba verify`: 0 intact and every signature
// passed, 2 intact but a signature INDETERMINATE, 1 otherwise.
func (r *Result) ExitCode() int {
	switch r.Indication {
	case pki.TotalPassed:
		return 0
	case pki.Indeterminate:
		return 2
	}
	return 1
}

// CheckOptions configure Check.
type CheckOptions struct {
	// Trust holds the anchors the signatures must chain to. The package's
	// own certificates are only candidates for intermediates: a package
	// cannot vouch for itself.
	Trust *pki.TrustStore
	// Now is the verification time (default time.Now).
	Now func() time.Time
	// Limits bound the zip (CheckFile).
	Limits Limits
}

// CheckFile reads the package at path safely and checks it.
func CheckFile(ctx context.Context, path string, opts CheckOptions) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open package: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open package: %w", err)
	}
	files, err := Read(f, info.Size(), opts.Limits)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return Check(ctx, files, opts)
}

// checker accumulates findings.
type checker struct {
	files map[string][]byte
	r     *Result
	certs map[string]*x509.Certificate
}

func (c *checker) problem(part, path, format string, a ...any) {
	c.r.Problems = append(c.r.Problems, Problem{Part: part, Path: path, Text: fmt.Sprintf(format, a...)})
}

// partOf names the part a path belongs to.
func partOf(path string) string {
	switch {
	case strings.HasPrefix(path, "content/"):
		return "content"
	case strings.HasPrefix(path, "signatures/"):
		return "signature"
	case strings.HasPrefix(path, "certificates/"), path == pathChains:
		return "certificate"
	case strings.HasPrefix(path, "revocation"):
		return "revocation"
	case strings.HasPrefix(path, "journal/"):
		return "journal"
	case path == pathDocument:
		return "document"
	case strings.HasPrefix(path, "agreement"):
		return "agreement"
	}
	return "manifest"
}

// Check checks a package's files offline: the manifest, the contents
// against the recorded digests, each signature against the packaged
// content with the packaged certificates and revocation data, and the
// journal extract's hashes, links and digests. It fails (error) only when
// the files are not an evidence package at all.
func Check(ctx context.Context, files map[string][]byte, opts CheckOptions) (*Result, error) {
	c := &checker{files: files, r: &Result{Problems: []Problem{}}, certs: map[string]*x509.Certificate{}}
	var m Manifest
	raw, ok := files[pathManifest]
	if !ok {
		return nil, fmt.Errorf("%w: no %s", ErrNotPackage, pathManifest)
	}
	if err := strictJSON(raw, &m); err != nil || m.Format != FormatV1 {
		return nil, fmt.Errorf("%w: %s is not a %s manifest (%v)", ErrNotPackage, pathManifest, FormatV1, err)
	}
	c.r.Format, c.r.Created, c.r.Files = m.Format, m.Created, len(m.Files)
	c.manifest(m)

	var doc DocumentFile
	if err := c.decode(pathDocument, &doc); err != nil {
		c.finish()
		return c.r, nil
	}
	c.r.Document = doc.Document
	if doc.Document.ID != m.Document {
		c.problem("document", pathDocument, "describes document %s but the manifest names %s", doc.Document.ID, m.Document)
	}
	contents := c.contents(doc)
	c.certificates()
	cache, cleanup, err := c.revocation()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var chains []ChainFile
	_ = c.decode(pathChains, &chains)
	v := &pki.Verifier{Trust: opts.Trust, Offline: true, Cache: cache, Now: opts.Now}
	c.signatures(ctx, doc, contents, chains, v)
	c.receipts()
	c.acceptedText(doc, contents)
	c.journal(doc)
	c.finish()
	return c.r, nil
}

// receipts checks each portal receipt the package carries: a valid CMS by
// the certificate receipts.json names, over a receipt for this document.
func (c *checker) receipts() {
	if _, ok := c.files[pathReceipts]; !ok {
		return
	}
	var index []receiptEntry
	if err := c.decode(pathReceipts, &index); err != nil {
		return
	}
	for _, e := range index {
		data, ok := c.files[e.File]
		if !ok {
			c.problem("receipts", e.File, "listed in %s but not in the package", pathReceipts)
			continue
		}
		ev, err := cms.Verify(data, nil)
		switch {
		case err != nil:
			c.problem("receipts", e.File, "not a CMS: %v", err)
		case len(ev) != 1 || !ev[0].DigestValid || !ev[0].SignatureValid || ev[0].Certificate == nil:
			c.problem("receipts", e.File, "the portal's signature does not verify")
		case pki.Fingerprint(ev[0].Certificate) != e.Signer:
			c.problem("receipts", e.File, "signed by another certificate than %s names", pathReceipts)
		}
	}
	c.r.Receipts = len(index)
}

// acceptedText checks the text an acceptance's package carries: its
// digest is the one agreement.json records and the one the signed
// statement (the document's last version) names.
func (c *checker) acceptedText(doc DocumentFile, contents map[uint32][]byte) {
	if _, ok := c.files[pathAgreement]; !ok {
		return
	}
	var a AgreementFile
	if err := c.decode(pathAgreement, &a); err != nil {
		return
	}
	c.r.Agreement = &a
	text, ok := c.files[a.Path]
	if !ok || partOf(a.Path) != "agreement" {
		c.problem("agreement", a.Path, "the accepted text is missing")
		return
	}
	sum := sha256.Sum256(text)
	if hex.EncodeToString(sum[:]) != a.SHA256 {
		c.problem("agreement", a.Path, "the text does not match the SHA-256 %s records", pathAgreement)
	}
	st, err := acceptance.Parse(contents[doc.Document.Version])
	switch {
	case err != nil:
		c.problem("agreement", pathAgreement, "the document is not an acceptance statement: %v", err)
	case st.TextSHA256 != hex.EncodeToString(sum[:]):
		c.problem("agreement", a.Path, "the statement accepted another text (SHA-256 %s)", st.TextSHA256)
	}
}

func (c *checker) finish() {
	worst := pki.TotalPassed
	for _, s := range c.r.Signatures {
		if s.Report != nil && rankOf(s.Report.Worst()) > rankOf(worst) {
			worst = s.Report.Worst()
		}
	}
	if len(c.r.Problems) > 0 {
		worst = pki.TotalFailed
	}
	c.r.Indication = worst
}

func rankOf(i pki.Indication) int {
	switch i {
	case pki.TotalPassed:
		return 0
	case pki.Indeterminate:
		return 1
	}
	return 2
}

// strictJSON decodes one JSON value, refusing unknown fields and trailing data.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

func (c *checker) decode(path string, v any) error {
	data, ok := c.files[path]
	if !ok {
		c.problem(partOf(path), path, "missing")
		return fmt.Errorf("missing")
	}
	if err := strictJSON(data, v); err != nil {
		c.problem(partOf(path), path, "unreadable: %v", err)
		return err
	}
	return nil
}

func (c *checker) manifest(m Manifest) {
	listed := map[string]bool{}
	for _, f := range m.Files {
		if listed[f.Path] {
			c.problem("manifest", f.Path, "listed twice")
			continue
		}
		listed[f.Path] = true
		data, ok := c.files[f.Path]
		switch {
		case !ok:
			c.problem(partOf(f.Path), f.Path, "listed in the manifest but missing")
		case int64(len(data)) != f.Size || sha256.Sum256(data) != f.SHA256:
			c.problem(partOf(f.Path), f.Path, "changed: its SHA-256 or size differs from the manifest")
		}
	}
	var extra []string
	for path := range c.files {
		if path != pathManifest && !listed[path] {
			extra = append(extra, path)
		}
	}
	sort.Strings(extra)
	for _, path := range extra {
		c.problem(partOf(path), path, "not listed in the manifest")
	}
}

// contents checks each version's content against its recorded digests.
func (c *checker) contents(doc DocumentFile) map[uint32][]byte {
	out := map[uint32][]byte{}
	c.r.Versions = len(doc.Versions)
	for _, v := range doc.Versions {
		if v.Document != doc.Document.ID {
			c.problem("document", pathDocument, "version %d belongs to another document", v.Number)
		}
		data, ok := c.files[v.Path]
		if !ok || partOf(v.Path) != "content" {
			c.problem("content", v.Path, "version %d: content missing", v.Number)
			continue
		}
		if sha256.Sum256(data) != v.SHA256 || int64(len(data)) != v.Size {
			c.problem("content", v.Path, "version %d: does not match its recorded SHA-256 %s", v.Number, v.SHA256)
		} else if streebog.Sum512(data) != v.Streebog512 {
			c.problem("content", v.Path, "version %d: does not match its recorded Streebog-512 digest", v.Number)
		}
		out[v.Number] = data
	}
	return out
}

// certificates parses every packaged certificate and checks its name.
func (c *checker) certificates() {
	var paths []string
	for path := range c.files {
		if strings.HasPrefix(path, "certificates/") {
			paths = append(paths, path)
		}
	}
	sort.Strings(paths)
	for _, path := range paths {
		data := c.files[path]
		name := strings.TrimSuffix(strings.TrimPrefix(path, "certificates/"), ".cer")
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != name {
			c.problem("certificate", path, "its SHA-256 is not its name: the certificate was replaced or altered")
			continue
		}
		cert, err := x509.ParseCertificate(data)
		if err != nil {
			c.problem("certificate", path, "unreadable: %v", err)
			continue
		}
		c.certs[name] = cert
	}
}

// revocation loads the packaged OCSP responses and CRLs into a temporary
// cache for the offline verifier.
func (c *checker) revocation() (*pki.Cache, func(), error) {
	dir, err := os.MkdirTemp("", "qoltanba-evidence-")
	if err != nil {
		return nil, nil, fmt.Errorf("revocation cache: %w", err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	cache := &pki.Cache{Dir: dir}
	var recs []RevocationFile
	if c.decode(pathRevocation, &recs) != nil {
		return cache, cleanup, nil
	}
	for _, r := range recs {
		der, ok := c.files[r.Path]
		if !ok || partOf(r.Path) != "revocation" {
			c.problem("revocation", r.Path, "listed in %s but missing", pathRevocation)
			continue
		}
		issuer := c.certs[r.Issuer]
		if issuer == nil {
			c.problem("revocation", r.Path, "its issuer certificate %s is not in the package", r.Issuer)
			continue
		}
		if r.Kind != pki.KindOCSP && r.Kind != pki.KindCRL {
			c.problem("revocation", r.Path, "unknown kind %q", r.Kind)
			continue
		}
		rec := pki.RevocationRecord{Kind: r.Kind, URL: r.URL, Issuer: issuer, Subject: c.certs[r.Subject], Extra: r.Extra, DER: der, FetchedAt: r.FetchedAt}
		if err := cache.PutRecord(rec); err != nil {
			cleanup()
			return nil, nil, err
		}
	}
	return cache, cleanup, nil
}

func (c *checker) signatures(ctx context.Context, doc DocumentFile, contents map[uint32][]byte, chains []ChainFile, v *pki.Verifier) {
	var packaged []*x509.Certificate
	for _, cert := range c.certs {
		packaged = append(packaged, cert)
	}
	sort.Slice(packaged, func(i, j int) bool { return pki.Fingerprint(packaged[i]) < pki.Fingerprint(packaged[j]) })
	for _, s := range doc.Signatures {
		sc := SignatureCheck{Version: s.Version, Index: s.Index, Format: s.Format, Path: s.Path, Signer: s.Signer.CommonName}
		name := fmt.Sprintf("version %d signature %d", s.Version, s.Index)
		raw, ok := c.files[s.Path]
		content, haveContent := contents[s.Version]
		switch {
		case !ok || partOf(s.Path) != "signature":
			c.problem("signature", s.Path, "%s: missing", name)
		case sha256.Sum256(raw) != s.SHA256:
			c.problem("signature", s.Path, "%s: does not match its recorded SHA-256 %s", name, s.SHA256)
		case !haveContent:
			c.problem("signature", s.Path, "%s: the signed version is not in the package", name)
		}
		if !ok || !haveContent {
			c.r.Signatures = append(c.r.Signatures, sc)
			continue
		}
		ev, err := docsign.Examine(formatName(s.Format), raw, content, s.Detached)
		if err != nil {
			c.problem("signature", s.Path, "%s: %v", name, err)
			c.r.Signatures = append(c.r.Signatures, sc)
			continue
		}
		for i := range ev {
			ev[i].Certificates = append(ev[i].Certificates, packaged...)
			for j := range ev[i].Timestamps {
				ev[i].Timestamps[j].Certificates = append(ev[i].Timestamps[j].Certificates, packaged...)
			}
		}
		if len(ev) > 0 && ev[len(ev)-1].Certificate != nil && s.Signer.Fingerprint != "" {
			found := false
			for _, e := range ev {
				found = found || (e.Certificate != nil && pki.Fingerprint(e.Certificate) == s.Signer.Fingerprint)
			}
			if !found {
				c.problem("signature", s.Path, "%s: made with a certificate other than the recorded signer's %s", name, s.Signer.Fingerprint)
			}
		}
		sc.Report = v.Verify(ctx, ev)
		c.compareChains(s, sc.Report, chains)
		for _, sr := range sc.Report.Signatures {
			if sr.Indication == pki.TotalFailed && (sr.SubIndication == pki.HashFailure || sr.SubIndication == pki.SigCryptoFailure) {
				c.problem("signature", s.Path, "%s: %s", name, firstError(sr))
			}
		}
		c.r.Signatures = append(c.r.Signatures, sc)
	}
}

func firstError(sr pki.SignatureReport) string {
	if len(sr.Errors) > 0 {
		return sr.Errors[0].Text
	}
	return string(sr.SubIndication)
}

// compareChains checks that the chain built now is the one packaged.
func (c *checker) compareChains(s SignatureRecord, r *pki.Report, chains []ChainFile) {
	for _, cf := range chains {
		if cf.Version != s.Version || cf.Index != s.Index {
			continue
		}
		for i, sr := range r.Signatures {
			if i >= len(cf.Chains) || len(sr.Chain) == 0 || len(cf.Chains[i]) == 0 {
				continue
			}
			same := len(sr.Chain) == len(cf.Chains[i])
			for j := 0; same && j < len(sr.Chain); j++ {
				cert := c.certs[cf.Chains[i][j]]
				same = cert != nil && pki.IdentityOf(cert, time.Now()).SerialNumber == sr.Chain[j].SerialNumber
			}
			if !same {
				c.problem("certificate", pathChains, "version %d signature %d: the chain built now differs from the packaged one", s.Version, s.Index)
			}
		}
	}
}

// journal checks the extract: every entry's hash, the links, the head, and
// that it records the packaged contents and signatures.
func (c *checker) journal(doc DocumentFile) {
	var jf JournalFile
	if c.decode(pathJournal, &jf) != nil {
		return
	}
	jc := &c.r.Journal
	jc.Entries, jc.HeadSeq, jc.Head = len(jf.Entries), jf.HeadSeq, jf.HeadHash
	if len(jf.Entries) == 0 {
		c.problem("journal", pathJournal, "no entries")
		return
	}
	if jf.Document != doc.Document.ID {
		c.problem("journal", pathJournal, "is the extract of document %s, not %s", jf.Document, doc.Document.ID)
	}
	prev := jf.Prev
	var entries []store.Entry
	for i, je := range jf.Entries {
		stored, err := hex.DecodeString(je.Stored)
		if err != nil {
			c.problem("journal", pathJournal, "entry %d: stored bytes are not hex", je.Entry.Seq)
			return
		}
		e, err := store.ParseEntry(stored)
		if err != nil {
			c.problem("journal", pathJournal, "entry %d: %v", je.Entry.Seq, err)
			return
		}
		if i == 0 {
			jc.FirstSeq = e.Seq
		}
		switch {
		case e.ComputeHash() != e.Hash:
			c.problem("journal", pathJournal, "entry %d was changed: its hash does not match its contents", e.Seq)
		case i > 0 && e.Seq != entries[i-1].Seq+1:
			c.problem("journal", pathJournal, "entry %d follows entry %d: entries are missing", e.Seq, entries[i-1].Seq)
		case e.Prev != prev:
			c.problem("journal", pathJournal, "entry %d does not link to the entry before it (changed, removed or inserted)", e.Seq)
		case !sameEntry(e, je.Entry):
			c.problem("journal", pathJournal, "entry %d: the readable fields differ from its stored bytes", e.Seq)
		}
		prev = e.Hash
		entries = append(entries, e)
	}
	last := entries[len(entries)-1]
	if last.Seq != jf.HeadSeq || last.Hash != jf.HeadHash {
		c.problem("journal", pathJournal, "the extract ends at entry %d, not at the head %d it names", last.Seq, jf.HeadSeq)
	}

	// The journal must record each packaged content and signature.
	id := doc.Document.ID
	contents := map[uint32]store.Digest32{}
	sigs := map[uint32][]store.Digest32{}
	for _, e := range entries {
		if e.Document != id {
			continue
		}
		ver := ""
		if e.Version != 0 {
			ver = fmt.Sprintf(" v%d", e.Version)
		}
		jc.DocumentEntries = append(jc.DocumentEntries, fmt.Sprintf("#%d %s %s%s %s", e.Seq, e.Time.Format(time.RFC3339), e.Action, ver, e.Detail))
		switch e.Action {
		case store.ActionImport, store.ActionEdit:
			if e.Version != 0 {
				contents[e.Version] = e.Digest
			}
		case store.ActionSign:
			sigs[e.Version] = append(sigs[e.Version], e.Digest)
		}
	}
	for _, v := range doc.Versions {
		if d, ok := contents[v.Number]; !ok || d != v.SHA256 {
			c.problem("journal", pathJournal, "version %d: the journal does not record its content (SHA-256 %s)", v.Number, v.SHA256)
		}
	}
	for _, s := range doc.Signatures {
		list := sigs[s.Version]
		if s.Index == 0 || int(s.Index) > len(list) || list[s.Index-1] != s.SHA256 {
			c.problem("journal", pathJournal, "version %d signature %d: the journal does not record it (SHA-256 %s)", s.Version, s.Index, s.SHA256)
		}
	}
}

func sameEntry(a, b store.Entry) bool {
	return a.Seq == b.Seq && a.Time.Equal(b.Time) && a.Action == b.Action && a.Document == b.Document &&
		a.Version == b.Version && a.Digest == b.Digest && a.Certificate == b.Certificate && a.Detail == b.Detail &&
		a.Prev == b.Prev && a.Hash == b.Hash
}
