package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeDemo runs `serve --demo`, then the operator's commands against it.
func TestServeDemo(t *testing.T) {
	dir := t.TempDir()
	addr, pkiAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	samples := t.TempDir()
	os.WriteFile(filepath.Join(samples, "qoldau-privacy.en.txt"), []byte("Privacy policy.\n"), 0o600)
	os.WriteFile(filepath.Join(samples, "kezekte-terms.kk-ru.txt"), []byte("Ережелер.\n"), 0o600)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", addr, "--pki-addr", pkiAddr, "--data", dir, "--agreements", samples}, &out, &errb)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	}()
	base := "http://" + addr
	op := []string{"--portal", base, "--data", dir}
	var listed string
	for i := 0; i < 100; i++ { // the demo writes its PKI, then seeds four documents
		var o bytes.Buffer
		if run(ctx, append([]string{"list"}, op...), &o, &bytes.Buffer{}) == 0 && strings.Count(o.String(), "awaiting_signature") == 4 {
			listed = o.String()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if listed == "" {
		t.Fatalf("the demo documents did not appear; serve said %s %s", out.String(), errb.String())
	}
	if st, err := os.Stat(filepath.Join(dir, tokenFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("operator token: %v %v", st, err)
	}
	file := filepath.Join(t.TempDir(), "letter.txt")
	os.WriteFile(file, []byte("Hello\n"), 0o600)
	var o, e bytes.Buffer
	if code := run(ctx, append([]string{"publish", "--iin", "900101300017", "--title", "Letter", file}, op...), &o, &e); code != 0 || !strings.Contains(o.String(), "published") {
		t.Fatalf("publish: %d %s %s", code, o.String(), e.String())
	}
	id := strings.Fields(o.String())[1]
	o.Reset()
	if code := run(ctx, append([]string{"show", id}, op...), &o, &e); code != 0 || !strings.Contains(o.String(), "published by") {
		t.Fatalf("show: %d %s %s", code, o.String(), e.String())
	}
	e.Reset()
	if code := run(ctx, append([]string{"revocation", id, "propose", "--reason", "x"}, op...), &o, &e); code != 1 || !strings.Contains(e.String(), "only a signed or submitted document") {
		t.Fatalf("revoking an unsigned document: %d %s", code, e.String())
	}
	// Compromise reports: none yet; a decision on an unknown one is refused.
	o.Reset()
	e.Reset()
	if code := run(ctx, append([]string{"compromises"}, op...), &o, &e); code != 0 || !strings.Contains(o.String(), "FINGERPRINT") {
		t.Fatalf("compromises: %d %s %s", code, o.String(), e.String())
	}
	if code := run(ctx, append([]string{"compromises", strings.Repeat("ab", 32), "resume"}, op...), &o, &e); code != 1 || !strings.Contains(e.String(), "not found") {
		t.Fatalf("resuming an unknown report: %d %s", code, e.String())
	}
	// The sample agreements were published (read from --agreements).
	published := func() bool {
		o.Reset()
		code := run(ctx, append([]string{"agreements"}, op...), &o, &e)
		return code == 0 && strings.Contains(o.String(), "Qoldau: privacy policy") && strings.Contains(o.String(), "Kezekte.kz")
	}
	for i := 0; i < 50 && !published(); i++ { // published right after the documents
		time.Sleep(100 * time.Millisecond)
	}
	if !published() || !strings.Contains(o.String(), " kk ") {
		t.Errorf("agreements: %s %s", o.String(), e.String())
	}
	resp, err := http.Get(base + "/api/v1/portal")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /portal: %v %v", resp, err)
	}
	resp.Body.Close()
	if code := run(ctx, []string{"list", "--portal", base, "--data", t.TempDir()}, &o, &e); code != 1 {
		t.Errorf("list without the token: %d", code)
	}
}
