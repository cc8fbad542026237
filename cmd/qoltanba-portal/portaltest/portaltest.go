// Package portaltest runs the reference portal on loopback for tests (it
// lives beside the portal command: test material is injected from cmd): a
// GOST test PKI with its OCSP, CRL and TSA responders served for real, the
// portal on bbolt (or any Storage), and an operator's client. Test support
// only: production code never imports it (it imports signer/testpki).
package portaltest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/qoltanba/qoltanba/internal/pgtest"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/portal"
)

// AdminToken is the operator's token of every test portal.
const AdminToken = "TEST-admin-token"

var (
	pkiOnce sync.Once
	thePKI  *testpki.PKI
	pkiErr  error
)

// PKI is one test PKI per test binary (GOST, and RSA for the independent
// verifiers that know no KZ GOST), written to a temporary folder (key files
// for the desktop's key registry) and served on loopback.
func PKI(t testing.TB) *testpki.PKI {
	t.Helper()
	pkiOnce.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			pkiErr = err
			return
		}
		dir, err := os.MkdirTemp("", "qoltanba-portaltest-")
		if err != nil {
			pkiErr = err
			return
		}
		thePKI, pkiErr = testpki.Generate(testpki.Options{Dir: dir, BaseURL: "http://" + ln.Addr().String(),
			Families: []testpki.Family{testpki.FamilyGOST, testpki.FamilyRSA}})
		if pkiErr == nil {
			go testpki.ServePKI(context.Background(), thePKI, ln)
		}
	})
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return thePKI
}

// Trust is a trust store with the test PKI's roots as TEST anchors.
func Trust(p *testpki.PKI) *pki.TrustStore {
	ts := pki.NewTrustStore("")
	for _, f := range []testpki.Family{testpki.FamilyGOST, testpki.FamilyRSA} {
		if r := p.Root(f); r != nil {
			ts.AddTest(r.Cert)
		}
	}
	return ts
}

// Env is a running portal.
type Env struct {
	PKI     *testpki.PKI
	Server  *portal.Server
	HTTP    *httptest.Server
	Storage portal.Storage
	// URL is the portal's address; API its API base.
	URL, API string
}

// Options adjust Start.
type Options struct {
	// Storage; nil opens Backend's.
	Storage portal.Storage
	// Backend is "bolt" (default: a file in a temporary folder) or
	// "postgres" (a fresh database on the test server, internal/pgtest).
	Backend string
	// NoTSA leaves receipts without a timestamp.
	NoTSA bool
	// Wrap, if set, wraps the portal's handler (a fault injector).
	Wrap func(http.Handler) http.Handler
	// Configure, if set, adjusts the configuration (short TTLs, a clock).
	Configure func(*portal.Config)
}

// Start runs a portal for the test; it stops at the test's end.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	p := PKI(t)
	st := opts.Storage
	if st == nil {
		st = OpenStorage(t, opts.Backend)
	}
	env := &Env{PKI: p, Storage: st}
	var h handlerBox
	env.HTTP = httptest.NewServer(&h)
	t.Cleanup(func() { env.HTTP.Close(); st.Close() })
	env.URL = env.HTTP.URL
	env.API = env.URL + api.BasePath
	cfg := Config(p, env.URL, st, !opts.NoTSA)
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	srv, err := portal.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	env.Server = srv
	handler := srv.Handler()
	if opts.Wrap != nil {
		handler = opts.Wrap(handler)
	}
	h.set(handler)
	return env
}

// Config is a portal configuration over the test PKI: the information
// system key signs receipts, the PKI's TSA stamps them.
func Config(p *testpki.PKI, url string, st portal.Storage, tsa bool) portal.Config {
	is := p.Find("gost/legal_infosystem")
	cfg := portal.Config{Name: "TEST portal", URL: url, Storage: st,
		Verifier:   &pki.Verifier{Trust: Trust(p), Cache: &pki.Cache{}},
		ReceiptKey: is.Key, ReceiptCert: is.Cert, ReceiptChain: is.Chain(),
		AdminToken: AdminToken, Test: true}
	if tsa {
		cfg.TSA = &cms.TSAClient{URL: p.Options.BaseURL + "/tsp/gost"}
	}
	return cfg
}

// Backends are the storages every portal test runs on.
var Backends = []string{"bolt", "postgres"}

// OpenStorage opens a fresh storage of the backend; the test closes it.
func OpenStorage(t testing.TB, backend string) portal.Storage {
	t.Helper()
	switch backend {
	case "", "bolt":
		b, err := portal.OpenBolt(filepath.Join(t.TempDir(), "portal.db"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	case "postgres":
		p, err := portal.OpenPostgres(context.Background(), pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Fatalf("unknown backend %q", backend)
	return nil
}

type handlerBox struct {
	mu sync.RWMutex
	h  http.Handler
}

func (b *handlerBox) set(h http.Handler) { b.mu.Lock(); b.h = h; b.mu.Unlock() }
func (b *handlerBox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.RLock()
	h := b.h
	b.mu.RUnlock()
	h.ServeHTTP(w, r)
}

// Admin calls an operator endpoint and decodes a 2xx answer into out.
func (env *Env) Admin(t testing.TB, method, path, key string, in, out any) int {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, env.API+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+AdminToken)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 300 && out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

var seq struct {
	sync.Mutex
	n int
}

// Publish sends a document to a person (iin) or company (bin).
func (env *Env) Publish(t testing.TB, iin, bin, title, content string) api.Document {
	t.Helper()
	seq.Lock()
	seq.n++
	key := fmt.Sprintf("publish-%d", seq.n)
	seq.Unlock()
	var d api.Document
	pub := api.Publication{To: api.Party{Iin: iin, Bin: bin}, Title: title, Kind: api.DocumentKindContract, Name: title + ".txt",
		MediaType: "text/plain; charset=utf-8", Content: []byte(content)}
	if code := env.Admin(t, http.MethodPost, "/admin/documents", key, pub, &d); code != http.StatusCreated {
		t.Fatalf("publish %q: HTTP %d", title, code)
	}
	return d
}

// PublishAgreement publishes an agreement (id "" for a new one) with texts
// by language.
func (env *Env) PublishAgreement(t testing.TB, id, title string, texts map[string]string) api.Agreement {
	t.Helper()
	seq.Lock()
	seq.n++
	key := fmt.Sprintf("agreement-%d", seq.n)
	seq.Unlock()
	pub := api.AgreementPublication{Id: id, Title: title}
	for _, lang := range []string{"kk", "ru", "en"} {
		if text, ok := texts[lang]; ok {
			pub.Texts = append(pub.Texts, api.AgreementTextBody{Language: api.Language(lang), Text: []byte(text)})
		}
	}
	var a api.Agreement
	if code := env.Admin(t, http.MethodPost, "/admin/agreements", key, pub, &a); code != http.StatusCreated {
		t.Fatalf("publish agreement %q: HTTP %d", title, code)
	}
	return a
}
