package exchange_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/exchange"
	"github.com/qoltanba/qoltanba/sync/portal"
	"github.com/qoltanba/qoltanba/sync/store"
)

// faultProxy is a loopback HTTP proxy in front of the portal that, on a
// share of the requests, answers 500 without forwarding, forwards and then
// answers 500 (the portal acted, the client does not know), forwards and
// stalls past the client's timeout, forwards and cuts the connection in
// the middle of the answer's body, forwards the request twice (a duplicate
// delivery), or only delays it.
type faultProxy struct {
	target string // the portal's base URL
	share  float64
	mu     sync.Mutex
	rng    *rand.Rand
	counts map[string]int
	stall  time.Duration
}

func newFaultProxy(target string, share float64, seed uint64) *faultProxy {
	return &faultProxy{target: target, share: share, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		counts: map[string]int{}, stall: 1500 * time.Millisecond}
}

func (p *faultProxy) pick() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	fault := "none"
	if p.rng.Float64() < p.share {
		fault = []string{"500-before", "500-after", "timeout", "reset", "duplicate", "delay"}[p.rng.IntN(6)]
	}
	p.counts[fault]++
	return fault
}

func (p *faultProxy) forward(r *http.Request, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequest(r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp, raw, err
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	fault := p.pick()
	if fault == "500-before" {
		http.Error(w, "injected", http.StatusInternalServerError)
		return
	}
	if fault == "delay" {
		time.Sleep(time.Duration(20+rand.IntN(80)) * time.Millisecond)
	}
	resp, raw, err := p.forward(r, body)
	if fault == "duplicate" && err == nil {
		resp, raw, err = p.forward(r, body)
	}
	if err != nil {
		http.Error(w, "portal down", http.StatusBadGateway)
		return
	}
	switch fault {
	case "500-after":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "<html><body>Internal Server Error</body></html>")
		return
	case "timeout":
		time.Sleep(p.stall)
	case "reset":
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(raw)))
		w.WriteHeader(resp.StatusCode)
		w.Write(raw[:len(raw)/2])
		w.(http.Flusher).Flush()
		conn, _, herr := http.NewResponseController(w).Hijack()
		if herr == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // RST, not FIN
			}
			conn.Close()
		}
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(raw)
}

// restartablePortal is the reference portal on a fixed loopback address
// over one bbolt file, stopped and started again during the test.
type restartablePortal struct {
	t    *testing.T
	addr string
	path string
	mu   sync.Mutex
	srv  *http.Server
	st   portal.Storage
}

func (rp *restartablePortal) start() {
	rp.t.Helper()
	rp.mu.Lock()
	defer rp.mu.Unlock()
	st, err := portal.OpenBolt(rp.path)
	if err != nil {
		rp.t.Fatal(err)
	}
	p := portaltest.PKI(rp.t)
	srv, err := portal.New(portaltest.Config(p, "http://"+rp.addr, st, false))
	if err != nil {
		rp.t.Fatal(err)
	}
	var ln net.Listener
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", rp.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		rp.t.Fatal(err)
	}
	rp.srv, rp.st = &http.Server{Handler: srv.Handler()}, st
	go rp.srv.Serve(ln)
}

func (rp *restartablePortal) stop() {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.srv.Close()
	rp.st.Close()
}

// TestFaults is the fault test: over 1,000 documents (100 with
// -short) a client process that is SIGKILLed again and again in the middle
// of syncing and signing, a portal restarted underneath it, and a proxy
// that fails a fifth of the requests in every way it can. In the end: every
// document received once, signed once, its receipt present and valid on
// both sides; nothing lost, nothing doubled.
func TestFaults(t *testing.T) {
	if os.Getenv("QOLTANBA_FAULT_CLIENT") != "" {
		t.Skip("the helper process runs faultClient instead")
	}
	n := 1000
	if testing.Short() {
		n = 100
	}
	p := portaltest.PKI(t)
	dir := t.TempDir()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	rp := &restartablePortal{t: t, addr: addr, path: filepath.Join(dir, "portal.db")}
	rp.start()
	defer func() { rp.stop() }()
	// The operator publishes, straight to the portal.
	person := p.Find("gost/individual")
	admin := &portaltest.Env{PKI: p, API: "http://" + addr + api.BasePath}
	for i := range n {
		admin.Publish(t, person.IIN, "", fmt.Sprintf("Document %04d", i), fmt.Sprintf("Content of document %d\n", i))
	}
	proxy := newFaultProxy("http://"+addr, 0.2, 17)
	px := &http.Server{Handler: proxy}
	pln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go px.Serve(pln)
	defer px.Close()

	clientDir := filepath.Join(dir, "client")
	env := append(os.Environ(), "QOLTANBA_FAULT_CLIENT=1", "QOLTANBA_FAULT_DIR="+clientDir,
		"QOLTANBA_FAULT_API=http://"+pln.Addr().String(), "QOLTANBA_FAULT_N="+strconv.Itoa(n),
		"QOLTANBA_FAULT_AUTH="+p.Find("gost/individual_auth").P12Path, "QOLTANBA_FAULT_KEY="+person.P12Path)
	rng := rand.New(rand.NewPCG(5, 7))
	kills, restarts := 0, 0
	deadline := time.Now().Add(3 * time.Minute)
	if !testing.Short() {
		deadline = time.Now().Add(8 * time.Minute)
	}
	for attempt := 0; ; attempt++ {
		if time.Now().After(deadline) {
			t.Fatalf("the client did not finish in time (%d kills, %d portal restarts)", kills, restarts)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestFaultClient$", "-test.v")
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if attempt < 10 { // kill it ten times, then let it finish
			select {
			case err := <-exited:
				if err == nil {
					t.Logf("the client finished before its kill")
					goto finished
				}
				t.Fatalf("client: %v\n%s", err, out.String())
			case <-time.After(time.Duration(400+rng.IntN(1600)) * time.Millisecond):
				cmd.Process.Signal(syscall.SIGKILL)
				<-exited
				kills++
			}
			if attempt%3 == 1 {
				rp.stop()
				time.Sleep(200 * time.Millisecond)
				rp.start()
				restarts++
			}
			continue
		}
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("client: %v\n%s", err, out.String())
			}
		case <-time.After(time.Until(deadline)):
			cmd.Process.Signal(syscall.SIGQUIT)
			<-exited
			clientLog, _ := os.ReadFile(filepath.Join(clientDir, "client.log"))
			t.Fatalf("the client did not finish in time (%d kills, %d portal restarts):\n%s", kills, restarts, tail(string(clientLog), 8000))
		}
		break
	}
finished:
	t.Logf("%d kills, %d portal restarts; proxy faults: %v", kills, restarts, proxy.counts)
	checkFaultOutcome(t, rp, clientDir, n)
}

// checkFaultOutcome: the portal holds n documents, each published and
// signed exactly once with a receipt; the client holds each once, with
// one signature and one receipt that verify, an empty outbox and a sound
// journal.
func checkFaultOutcome(t *testing.T, rp *restartablePortal, clientDir string, n int) {
	ctx := context.Background()
	docs, err := rp.st.Documents(ctx, "", 2*n)
	if err != nil || len(docs) != n {
		t.Fatalf("portal: %d documents, %v", len(docs), err)
	}
	for _, d := range docs {
		h, _ := rp.st.History(ctx, d.Id)
		if d.Status != api.DocumentStatusSigned || len(h) != 2 || len(h[1].Receipt) == 0 {
			t.Fatalf("portal document %s: %s, %d entries", d.Id, d.Status, len(h))
		}
	}
	st, err := store.Open(filepath.Join(clientDir, "store"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	links, _ := st.Links(ctx, "")
	if len(links) != n {
		t.Fatalf("client: %d linked documents, want %d", len(links), n)
	}
	page, _ := st.List(ctx, store.Query{Limit: 1000})
	total := len(page.Documents)
	for page.Next != (store.ID{}) {
		page, _ = st.List(ctx, store.Query{Limit: 1000, After: page.Next})
		total += len(page.Documents)
	}
	if total != n {
		t.Fatalf("client: %d documents, want %d (duplicates?)", total, n)
	}
	for _, l := range links {
		d, _ := st.Document(ctx, l.Document)
		sigs, _ := st.Signatures(ctx, l.Document, d.Version)
		rs, _ := st.Receipts(ctx, l.Document)
		if d.State != store.StateAcknowledged || len(sigs) != 1 || len(rs) != 1 || l.Status != "signed" {
			t.Fatalf("client document %s: %s, %d signatures, %d receipts, link %+v", d.Title, d.State, len(sigs), len(rs), l)
		}
		if ev, err := cms.Verify(rs[0].CMS, nil); err != nil || !ev[0].SignatureValid {
			t.Fatalf("receipt of %s does not verify: %v", d.Title, err)
		}
	}
	if out, _ := st.Outbox(ctx, ""); len(out) != 0 {
		t.Fatalf("outbox: %d items left", len(out))
	}
	if r, err := st.VerifyJournal(ctx); err != nil || !r.OK {
		t.Fatalf("journal: %+v %v", r, err)
	}
}

// TestFaultClient is the client process of TestFaults: it syncs and signs
// until every document is signed with its receipt, whatever happens.
func TestFaultClient(t *testing.T) {
	if os.Getenv("QOLTANBA_FAULT_CLIENT") == "" {
		t.Skip("run by TestFaults")
	}
	ctx := context.Background()
	dir := os.Getenv("QOLTANBA_FAULT_DIR")
	n, _ := strconv.Atoi(os.Getenv("QOLTANBA_FAULT_N"))
	os.MkdirAll(dir, 0o700)
	st, err := store.Open(filepath.Join(dir, "store"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := core.New(core.Options{DataDir: dir, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	c.UpdateSettings(func(s *core.Settings) { s.Offline = true; s.TSA = "" })
	e := &exchange.Engine{Core: c, HTTP: &http.Client{Timeout: time.Second}, PageSize: 100}
	ui := &passwordUI{}
	logf, _ := os.OpenFile(filepath.Join(dir, "client.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	defer logf.Close()
	fmt.Fprintf(logf, "%s start\n", time.Now().Format("15:04:05.000"))
	var signedHere atomic.Int64
	parent, started := os.Getppid(), time.Now()
	for round := 0; ; round++ {
		if os.Getppid() != parent || time.Since(started) > 10*time.Minute {
			t.Fatal("the test that started this client is gone") // never outlive it
		}
		if a, err := st.Account(ctx, "test"); err != nil || a.Session == "" {
			if _, err := e.Add(ctx, "test", os.Getenv("QOLTANBA_FAULT_API")); err != nil {
				fmt.Fprintf(logf, "add: %v\n", err)
				continue
			}
			if _, err := e.Login(ctx, "test", os.Getenv("QOLTANBA_FAULT_AUTH"), ui); err != nil {
				fmt.Fprintf(logf, "login: %v\n", err)
				continue
			}
		}
		sum, err := e.Sync(ctx, "test")
		links, _ := st.Links(ctx, "test")
		if round%10 == 0 {
			out, _ := st.Outbox(ctx, "test")
			fmt.Fprintf(logf, "%s round %d: %d links, %d waiting, sync %+v, %v\n", time.Now().Format("15:04:05.000"), round, len(links), len(out), sum, err)
		}
		done := len(links) == n
		for _, l := range links {
			d, err := st.Document(ctx, l.Document)
			if err != nil {
				t.Fatal(err)
			}
			if l.Status == "awaiting_signature" && d.State == store.StateDraft && l.Sync != store.SyncWaiting {
				if _, err := e.SignAndSend(ctx, l.Document, os.Getenv("QOLTANBA_FAULT_KEY"), ui, docsign.Options{}); err == nil {
					signedHere.Add(1)
				}
			}
			if l.Status != "signed" || l.Sync != store.SyncReceipt {
				done = false
			}
		}
		out, _ := st.Outbox(ctx, "test")
		if done && len(out) == 0 {
			t.Logf("done after %d rounds, %d signed in this run", round, signedHere.Load())
			return
		}
		if len(out) > 0 {
			// the next due item may wait for its backoff
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
