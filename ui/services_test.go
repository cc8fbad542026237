package ui

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// requestLog counts the requests a loopback server received, by path.
type requestLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.paths = append(l.paths, r.URL.Path)
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// take returns the paths seen since the last call.
func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.paths
	l.paths = nil
	return p
}

func anyPrefix(paths []string, prefix string) bool {
	for _, p := range paths {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// servedPKI is a GOST test PKI whose OCSP responder, CRLs and TSA answer
// for real on a loopback port, at the addresses its certificates name.
func servedPKI(t *testing.T) (*testpki.PKI, string, *requestLog) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	p, err := testpki.Generate(testpki.Options{Dir: t.TempDir(), BaseURL: base, Families: []testpki.Family{testpki.FamilyGOST}})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	log := &requestLog{}
	srv := &http.Server{Handler: log.wrap(testpki.NewServer(p))}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return p, base, log
}

// signThroughScreen signs file on the Sign screen with the key file at
// keyPath, answering the password dialog, and returns the file written.
func signThroughScreen(t *testing.T, g *App, keyPath, password, file string, timestamp bool) string {
	t.Helper()
	onUI(func() {
		g.addKeyFile(keyPath, true)
		g.setSignFile(file)
		g.sign.keyURI = keyPath
		g.sign.detached = true
		g.sign.timestamp = timestamp
		g.show("sign")
		g.startSign()
	})
	waitFor(t, "the password dialog", func() bool { return g.secret != nil })
	test.Type(g.secret.entry, password)
	onUI(func() { g.secret.submit() })
	waitFor(t, "the signature", func() bool { return !g.sign.busy })
	if g.sign.errText != "" || g.sign.result == "" {
		t.Fatalf("signing failed: %q (warning %q)", g.sign.errText, g.sign.warning)
	}
	return g.sign.result
}

// verifyThroughScreen verifies file on the Verify screen and returns the
// report.
func verifyThroughScreen(t *testing.T, g *App, file string) *pki.Report {
	t.Helper()
	onUI(func() {
		g.verify = verifyState{file: file}
		g.show("verify")
		g.startVerify()
	})
	waitFor(t, "the verification", func() bool { return !g.verify.busy })
	if g.verify.report == nil {
		t.Fatalf("no report: %q", g.verify.errText)
	}
	return g.verify.report
}

// TestSettingsReachServices: the TSA and OCSP addresses of Settings are the
// ones the Sign and Verify screens use, against real responders on
// loopback; offline mode sends nothing to the network and says so; a
// revoked key is reported revoked from the responder.
func TestSettingsReachServices(t *testing.T) {
	p, base, log := servedPKI(t)
	g := newTestApp(t)

	// Trust the test root as a user importing it would.
	ts, err := pki.OpenTrustStore(g.dataPath("trust"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Import(p.Root(testpki.FamilyGOST).CertPath); err != nil {
		t.Fatalf("import the test root: %v", err)
	}
	onUI(func() {
		g.settings.TSA = base + "/tsp"
		g.settings.OCSP = base + "/ocsp"
		g.settings.Offline = false
	})

	doc := filepath.Join(t.TempDir(), "act.txt")
	if err := os.WriteFile(doc, []byte("Акт сверки / Салыстыру актісі\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	head := p.Find("gost/legal_head")
	sig := signThroughScreen(t, g, head.P12Path, testpki.DefaultPassword, doc, true)
	if seen := log.take(); !anyPrefix(seen, "/tsp") {
		t.Errorf("signing with a timestamp did not ask the TSA of Settings; requests: %q", seen)
	}
	data, err := os.ReadFile(sig)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(doc)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := cms.Verify(data, f)
	f.Close()
	if err != nil || len(ev) != 1 || len(ev[0].Timestamps) == 0 {
		t.Fatalf("the signature carries no timestamp: %v %+v", err, ev)
	}

	r := verifyThroughScreen(t, g, sig)
	s := r.Signatures[0]
	if s.Indication != pki.TotalPassed {
		t.Errorf("online verification: %s/%s, errors %+v warnings %+v", s.Indication, s.SubIndication, s.Errors, s.Warnings)
	}
	if s.SigningTimeSource != "timestamp" {
		t.Errorf("signing time from %q, want the timestamp", s.SigningTimeSource)
	}
	if seen := log.take(); !anyPrefix(seen, "/ocsp") {
		t.Errorf("verification did not ask the OCSP responder of Settings; requests: %q", seen)
	}

	onUI(func() { g.settings.Offline = true })
	r = verifyThroughScreen(t, g, sig)
	if !r.Offline {
		t.Error("the offline report does not say it is offline")
	}
	if seen := log.take(); len(seen) != 0 {
		t.Errorf("offline mode reached the network: %q", seen)
	}
	var screen []string
	onUI(func() { screen = texts(g.win.Content()) })
	if !contains(screen, T("verify.offline")) {
		t.Errorf("the Verify screen does not say it worked offline; texts %q", screen)
	}

	// A revoked key: its signature is red once the responder says so.
	var revoked *testpki.Entity
	for _, e := range p.Entities {
		if e.Revoked && !e.Expired && e.P12Path != "" {
			revoked = e
			break
		}
	}
	if revoked == nil {
		t.Fatal("the test PKI has no revoked key")
	}
	onUI(func() { g.settings.Offline = false })
	// Another file: the act's own signature beside it is never replaced
	// (signing it again would ask whether to add to it).
	doc2 := filepath.Join(t.TempDir(), "act2.txt")
	if err := os.WriteFile(doc2, []byte("Акт № 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sig = signThroughScreen(t, g, revoked.P12Path, testpki.DefaultPassword, doc2, false)
	r = verifyThroughScreen(t, g, sig)
	s = r.Signatures[0]
	if s.Indication == pki.TotalPassed || s.StatusNow.Status != pki.StatusRevoked {
		t.Errorf("a revoked key's signature: %s, status now %+v", s.Indication, s.StatusNow)
	}
	onUI(func() { screen = texts(g.win.Content()) })
	if !strings.Contains(strings.Join(screen, "\n"), T("status.revoked")) {
		t.Errorf("the screen does not say revoked; texts %q", screen)
	}
}
