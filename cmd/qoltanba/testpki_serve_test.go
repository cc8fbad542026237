package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe to write from the served command
// while the test waits.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestTestPKIServe(t *testing.T) {
	dir := t.TempDir()
	addr := freePort(t)
	if code, _, stderr := runCLI(t, "", "testpki", "init", dir, "--url", "http://"+addr); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"testpki", "serve", dir}, stdio{in: strings.NewReader(""), out: &out, err: &errb})
	}()
	var body []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/crl/nca_gost_test.crl")
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			break
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve: exit %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop when its context ended")
	}
	if len(body) == 0 {
		t.Fatalf("the CRL was not served; output:\n%s\n%s", out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "/ocsp") || !strings.Contains(out.String(), "stopped") {
		t.Errorf("output:\n%s", out.String())
	}

	code, _, stderr := runCLI(t, "", "testpki", "serve", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "not a test PKI") || !strings.Contains(stderr, "hint: ") {
		t.Errorf("empty folder: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "", "testpki", "serve"); code != 1 || !strings.Contains(stderr, "usage:") {
		t.Errorf("no folder: exit %d: %s", code, stderr)
	}
}
