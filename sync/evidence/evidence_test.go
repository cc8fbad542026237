package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

var (
	served    *testpki.PKI
	serveOnce sync.Once
	serveErr  error
)

// servedPKI is a GOST test PKI whose OCSP and CRL services run on a
// loopback port for the whole test binary.
func servedPKI(t testing.TB) *testpki.PKI {
	t.Helper()
	serveOnce.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			serveErr = err
			return
		}
		served, serveErr = testpki.Generate(testpki.Options{BaseURL: "http://" + ln.Addr().String(), Families: []testpki.Family{testpki.FamilyGOST}})
		if serveErr == nil {
			go testpki.ServePKI(context.Background(), served, ln)
		}
	})
	if serveErr != nil {
		t.Fatal(serveErr)
	}
	return served
}

func trustOf(p *testpki.PKI) *pki.TrustStore {
	ts := pki.NewTrustStore("")
	ts.AddAnchor(p.Root(testpki.FamilyGOST).Cert)
	return ts
}

// signedStore holds one document signed in XML... or CMS, verified online
// against the served PKI so that the cache holds OCSP responses.
type fixture struct {
	st    store.Store
	id    store.ID
	v     *pki.Verifier
	p     *testpki.PKI
	files map[string][]byte
}

func newFixture(t *testing.T, name, content string, opts docsign.Options, signers ...string) *fixture {
	t.Helper()
	p := servedPKI(t)
	ctx := context.Background()
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.AddDocument(ctx, store.NewDocument{Name: name, Title: "Келісім 7", Content: []byte(content)})
	if err != nil {
		t.Fatal(err)
	}
	v := &pki.Verifier{Trust: trustOf(p), Cache: &pki.Cache{Dir: t.TempDir()}}
	for _, s := range signers {
		e := p.Find(s)
		plan, err := docsign.Prepare(ctx, st, d.ID, opts)
		if err != nil {
			t.Fatal(err)
		}
		res, err := signPlan(ctx, st, plan, signer.NewKey(e.Name, e.Key, e.Cert, e.Chain()[1:], nil), v)
		if err != nil {
			t.Fatal(err)
		}
		if res.Report.Worst() != pki.TotalPassed {
			t.Fatalf("signing report %s", res.Report.Worst())
		}
	}
	pkg, err := Build(ctx, st, d.ID, v, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := pkg.WriteZip(&buf); err != nil {
		t.Fatal(err)
	}
	files, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, id: d.ID, v: v, p: p, files: files}
}

func (f *fixture) check(t *testing.T, files map[string][]byte) *Result {
	t.Helper()
	r, err := Check(context.Background(), files, CheckOptions{Trust: trustOf(f.p)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestExportCheckOffline(t *testing.T) {
	tests := []struct {
		name, file, content string
		opts                docsign.Options
		signers             []string
	}{
		{"cms attached, two signers", "act.txt", "Акт выполненных работ\n", docsign.Options{}, []string{"gost/legal_head", "gost/legal_signer"}},
		{"cms detached", "act.pdf", "%PDF-1.4\n%%EOF\n", docsign.Options{Detached: true}, []string{"gost/legal_head"}},
		{"xml", "agreement.xml", `<?xml version="1.0" encoding="UTF-8"?><agreement><text>Келісім</text></agreement>`, docsign.Options{}, []string{"gost/legal_head"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.file, tt.content, tt.opts, tt.signers...)
			r := f.check(t, f.files)
			if len(r.Problems) != 0 || r.Indication != pki.TotalPassed || r.ExitCode() != 0 {
				var b bytes.Buffer
				r.Text(&b)
				t.Fatalf("fresh package does not pass:\n%s", b.String())
			}
			if len(r.Signatures) != len(tt.signers) {
				t.Errorf("%d signatures checked", len(r.Signatures))
			}
			for _, s := range r.Signatures {
				st := s.Report.Signatures[0].StatusNow
				if st.Source != "cache" || st.Status != pki.StatusGood {
					t.Errorf("status %+v: want good from the packaged revocation data", st)
				}
			}
			var revs []RevocationFile
			json.Unmarshal(f.files[pathRevocation], &revs)
			if len(revs) == 0 {
				t.Error("no revocation data packaged")
			}
			if len(r.Journal.DocumentEntries) < 1+len(tt.signers) {
				t.Errorf("journal entries %v", r.Journal.DocumentEntries)
			}
		})
	}
}

// rehash rewrites the manifest as a forger would after changing files.
func rehash(t *testing.T, files map[string][]byte) {
	t.Helper()
	var m Manifest
	if err := json.Unmarshal(files[pathManifest], &m); err != nil {
		t.Fatal(err)
	}
	for i, mf := range m.Files {
		data := files[mf.Path]
		m.Files[i].Size, m.Files[i].SHA256 = int64(len(data)), sha256.Sum256(data)
	}
	files[pathManifest], _ = json.Marshal(m)
}

func clone(files map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(files))
	for k, v := range files {
		out[k] = bytes.Clone(v)
	}
	return out
}

func pathWith(files map[string][]byte, prefix string) string {
	for p := range files {
		if strings.HasPrefix(p, prefix) {
			return p
		}
	}
	return ""
}

func editJSON[T any](t *testing.T, files map[string][]byte, path string, edit func(*T)) {
	t.Helper()
	var v T
	if err := json.Unmarshal(files[path], &v); err != nil {
		t.Fatal(err)
	}
	edit(&v)
	files[path], _ = json.Marshal(v)
}

func TestTamperDetected(t *testing.T) {
	f := newFixture(t, "act.txt", "Акт выполненных работ № 12\n", docsign.Options{Detached: true}, "gost/legal_head")
	content := pathWith(f.files, "content/")
	sig := pathWith(f.files, "signatures/")
	tests := []struct {
		name   string
		tamper func(t *testing.T, files map[string][]byte)
		part   string // a problem of this part must be reported
		text   string
	}{
		{"content, manifest untouched", func(t *testing.T, m map[string][]byte) { m[content][0] ^= 1 }, "content", "differs from the manifest"},
		{"content, manifest rewritten", func(t *testing.T, m map[string][]byte) { m[content][0] ^= 1; rehash(t, m) }, "content", "recorded SHA-256"},
		{"content and its record, manifest rewritten", func(t *testing.T, m map[string][]byte) {
			m[content] = []byte("Акт выполненных работ № 13\n")
			editJSON(t, m, pathDocument, func(d *DocumentFile) {
				d.Versions[0].SHA256 = sha256.Sum256(m[content])
			})
			rehash(t, m)
		}, "journal", "does not record its content"},
		{"signature bytes", func(t *testing.T, m map[string][]byte) { m[sig][len(m[sig])-10] ^= 0x55; rehash(t, m) }, "signature", "version 1 signature 1"},
		{"certificate replaced", func(t *testing.T, m map[string][]byte) {
			m[pathWith(m, "certificates/")] = f.p.Find("gost/legal_signer").Cert.Raw
			rehash(t, m)
		}, "certificate", "not its name"},
		{"journal entry changed", func(t *testing.T, m map[string][]byte) {
			editJSON(t, m, pathJournal, func(j *JournalFile) {
				e := j.Entries[0].Entry
				e.Detail = "something else"
				j.Entries[0].Entry = e
				j.Entries[0].Stored = hex.EncodeToString(e.Stored())
			})
			rehash(t, m)
		}, "journal", "entry 1 was changed"},
		{"journal entry removed", func(t *testing.T, m map[string][]byte) {
			editJSON(t, m, pathJournal, func(j *JournalFile) { j.Entries = append(j.Entries[:0], j.Entries[1:]...) })
			rehash(t, m)
		}, "journal", "does not link"},
		{"manifest hash", func(t *testing.T, m map[string][]byte) {
			editJSON(t, m, pathManifest, func(mf *Manifest) { mf.Files[0].SHA256[0] ^= 1 })
		}, "manifest", "differs from the manifest"},
		{"file not in manifest", func(t *testing.T, m map[string][]byte) { m["extra.txt"] = []byte("x") }, "manifest", "not listed"},
		{"revocation data dropped", func(t *testing.T, m map[string][]byte) {
			delete(m, pathWith(m, "revocation/"))
		}, "revocation", "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := clone(f.files)
			tt.tamper(t, files)
			r := f.check(t, files)
			if r.ExitCode() != 1 {
				t.Errorf("exit %d", r.ExitCode())
			}
			found := false
			for _, p := range r.Problems {
				found = found || (p.Part == tt.part && strings.Contains(p.String(), tt.text))
			}
			if !found {
				t.Errorf("no [%s] problem with %q; got %v", tt.part, tt.text, r.Problems)
			}
		})
	}
}

func TestWriteFileAtomicAndCheckFile(t *testing.T) {
	f := newFixture(t, "a.xml", `<a><b>Өтініш</b></a>`, docsign.Options{Compact: true}, "gost/legal_head")
	ctx := context.Background()
	pkg, err := Build(ctx, f.st, f.id, f.v, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "evidence.zip")
	sum, err := pkg.WriteFile(out)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	if sha256.Sum256(data) != sum {
		t.Error("returned digest is not the file's")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	r, err := CheckFile(ctx, out, CheckOptions{Trust: trustOf(f.p)})
	if err != nil || r.ExitCode() != 0 {
		t.Fatalf("%v %+v", err, r)
	}
	// Without the root trusted: intact but INDETERMINATE, exit 2.
	r, err = CheckFile(ctx, out, CheckOptions{Trust: pki.NewTrustStore("")})
	if err != nil || r.ExitCode() != 2 || len(r.Problems) != 0 {
		t.Fatalf("untrusted: %v %+v", err, r.Problems)
	}
}

// TestPackageLanguage: a package made in Russian has its README and report
// in Russian, English beside them, and still checks.
func TestPackageLanguage(t *testing.T) {
	f := newFixture(t, "act.txt", "Акт\n", docsign.Options{}, "gost/legal_head")
	pkg, err := Build(context.Background(), f.st, f.id, f.v, time.Now(), InLanguage("ru"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	pkg.WriteZip(&buf)
	files, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"README.txt": "Пакет доказательств Qoltanba", "README.en.txt": "Qoltanba evidence package",
		"report.txt": "Подпись действительна (TOTAL_PASSED)", "report.en.txt": "The signature is valid (TOTAL_PASSED)"} {
		if !strings.Contains(string(files[path]), want) {
			t.Errorf("%s lacks %q:\n%s", path, want, files[path])
		}
	}
	if r := f.check(t, files); len(r.Problems) != 0 || r.Indication != pki.TotalPassed {
		t.Errorf("the Russian package: %+v", r.Problems)
	}
}
