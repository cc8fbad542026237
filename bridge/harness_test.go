package bridge

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/testfeatures"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// The package's test PKI (GOST and RSA), generated once and served on
// loopback: its TSA answers the bridge's timestamp requests.
var (
	pkiOnce sync.Once
	thePKI  *testpki.PKI
	pkiErr  error
	pkiDir  string
	pkiURL  string
)

func testPKI(t testing.TB) *testpki.PKI {
	t.Helper()
	pkiOnce.Do(func() {
		var ln net.Listener
		if ln, pkiErr = net.Listen("tcp", "127.0.0.1:0"); pkiErr != nil {
			return
		}
		pkiURL = "http://" + ln.Addr().String()
		if pkiDir, pkiErr = os.MkdirTemp("", "qoltanba-bridge-test-"); pkiErr != nil {
			return
		}
		if thePKI, pkiErr = testpki.Generate(testpki.Options{Dir: pkiDir, BaseURL: pkiURL}); pkiErr != nil {
			return
		}
		go testpki.ServePKI(context.Background(), thePKI, ln)
	})
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return thePKI
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pkiDir != "" {
		os.RemoveAll(pkiDir)
	}
	os.Exit(code)
}

// scriptPrompts is a scripted implementation of the typed prompts the
// window gives the bridge: it answers the permission, picks the key whose
// label contains Key, gives Password, and records what it was shown. It
// counts dialogs open at once.
type scriptPrompts struct {
	Permission Permission
	Key        string
	Password   string
	Decline    bool
	File       string
	// Hold, when set, keeps every dialog open until it is closed or the
	// request's context ends.
	Hold chan struct{}

	mu       sync.Mutex
	allows   []AllowRequest
	keyReqs  []KeyRequest
	consents []signer.Consent
	secrets  int
	open     atomic.Int32
	maxOpen  atomic.Int32
	ended    atomic.Int32 // dialogs that ended by the request's context
}

func (p *scriptPrompts) dialog(ctx context.Context) (done func(), err error) {
	n := p.open.Add(1)
	for {
		m := p.maxOpen.Load()
		if n <= m || p.maxOpen.CompareAndSwap(m, n) {
			break
		}
	}
	if p.Hold != nil {
		select {
		case <-p.Hold:
		case <-ctx.Done():
			p.ended.Add(1)
			p.open.Add(-1)
			return nil, ctx.Err()
		}
	}
	return func() { p.open.Add(-1) }, nil
}

func (p *scriptPrompts) Allow(ctx context.Context, req AllowRequest) (Permission, error) {
	done, err := p.dialog(ctx)
	if err != nil {
		return Deny, err
	}
	defer done()
	p.mu.Lock()
	p.allows = append(p.allows, req)
	p.mu.Unlock()
	return p.Permission, nil
}

func (p *scriptPrompts) ChooseKey(ctx context.Context, req KeyRequest) (signer.KeyRef, error) {
	done, err := p.dialog(ctx)
	if err != nil {
		return signer.KeyRef{}, err
	}
	defer done()
	p.mu.Lock()
	p.keyReqs = append(p.keyReqs, req)
	p.mu.Unlock()
	for _, k := range req.Keys {
		if strings.Contains(k.Label, p.Key) || strings.Contains(k.URI, p.Key) {
			return k, nil
		}
	}
	return signer.KeyRef{}, signer.ErrCancelled
}

func (p *scriptPrompts) ChooseFile(ctx context.Context, req FileRequest) (string, error) {
	if p.File == "" {
		return "", signer.ErrCancelled
	}
	return p.File, nil
}

func (p *scriptPrompts) Consent(ctx context.Context, c signer.Consent) error {
	p.mu.Lock()
	p.consents = append(p.consents, c)
	p.mu.Unlock()
	if p.Decline {
		return signer.ErrCancelled
	}
	return nil
}

func (p *scriptPrompts) RequestSecret(ctx context.Context, req signer.SecretRequest) ([]byte, error) {
	p.mu.Lock()
	p.secrets++
	p.mu.Unlock()
	if p.Password == "" {
		return nil, signer.ErrCancelled
	}
	return []byte(p.Password), nil
}

// fixture is a core with the test PKI's keys in its key folder, its CAs
// as TEST anchors, a store in memory and the PKI's TSA.
type fixture struct {
	core    *core.Core
	bridge  *Bridge
	prompts *scriptPrompts
	keyDir  string
}

// keys are the entities put in the key folder.
var fixtureKeys = []string{"rsa/legal_head", "gost/legal_head", "rsa/individual_auth", "gost/individual_expired"}

// modules are PKCS#11 modules for the key registry (a SoftHSM token).
func newFixture(t testing.TB, modules ...pkcs11.ModuleConfig) *fixture {
	t.Helper()
	p := testPKI(t)
	dataDir, keyDir := t.TempDir(), t.TempDir()
	for _, name := range fixtureKeys {
		e := p.Find(name)
		if e == nil {
			t.Fatalf("no %s in the test PKI", name)
		}
		data, err := os.ReadFile(e.P12Path)
		if err != nil {
			t.Fatal(err)
		}
		file := strings.ReplaceAll(name, "/", "_") + ".p12"
		if err := os.WriteFile(filepath.Join(keyDir, file), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := testfeatures.Install(dataDir, p); err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := core.New(core.Options{DataDir: dataDir, Keys: core.NewKeys([]string{keyDir}, modules), Store: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.ChangeSettings(func(s *core.Settings) { s.TSA = pkiURL + "/tsp/rsa" })
	prompts := &scriptPrompts{Permission: AllowAlways, Key: "rsa_legal_head", Password: testpki.DefaultPassword}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	b := New(c, prompts, log)
	t.Cleanup(b.Recorded) // the recorder writes in the data folder
	return &fixture{core: c, bridge: b, prompts: prompts, keyDir: keyDir}
}

// serve runs the bridge on a free loopback port; it returns the port and
// the CA to trust.
func (f *fixture) serve(t testing.TB) (port string, certs *Certificates) {
	t.Helper()
	certs, _, err := LoadOrCreate(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.bridge.Serve(ctx, ln, certs.Server) }()
	t.Cleanup(func() { cancel(); <-done })
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	return port, certs
}

// dial opens a socket as a page of origin would, and reads the greeting.
func dial(t testing.TB, port string, certs *Certificates, origin string) *websocket.Conn {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(certs.CA)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "wss://127.0.0.1:"+port+"/", &websocket.DialOptions{HTTPClient: client, HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(-1)
	t.Cleanup(func() { c.CloseNow() })
	_, greet, err := c.Read(ctx)
	if err != nil || string(greet) != `{"result":{"version":"1.4"}}` {
		t.Fatalf("greeting %q, %v", greet, err)
	}
	return c
}

// roundTrip sends one request and reads its reply.
func roundTrip(t testing.TB, c *websocket.Conn, msg string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	_, reply, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return string(reply)
}
