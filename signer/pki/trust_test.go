package pki

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestTrustStoreFiles(t *testing.T) {
	nca := sharedDir(t)
	dir := t.TempDir()
	root := readCert(t, filepath.Join(nca, "gost2015/root_test_gost_2022.cer"))
	ca := readCert(t, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	// A PEM bundle with both, and a DER copy of the root.
	bundle := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})...)
	if err := os.WriteFile(filepath.Join(dir, "bundle.pem"), bundle, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := NewTrustStore("")
	n, err := s.LoadDir(dir)
	if err != nil || n != 1 || len(s.Anchors()) != 1 || len(s.Intermediates()) != 1 || !s.IsAnchor(root) || s.IsAnchor(ca) {
		t.Fatalf("LoadDir: %d anchors, %v; anchors %d intermediates %d", n, err, len(s.Anchors()), len(s.Intermediates()))
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.cer"), []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadFile(filepath.Join(dir, "bad.cer")); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("bad file: %v", err)
	}

	// Import persists; OpenTrustStore finds it again.
	storeDir := t.TempDir()
	s = NewTrustStore(storeDir)
	if _, err := s.Import(filepath.Join(nca, "gost2015/nca_gost2022_test.cer")); err != nil {
		t.Fatal(err)
	}
	if !s.IsAnchor(ca) {
		t.Error("an explicitly imported CA is not trusted")
	}
	s2, err := OpenTrustStore(storeDir, nil)
	if err != nil || !s2.IsAnchor(ca) {
		t.Errorf("reopened store lost the import: %v", err)
	}
}

func TestFetchRootsPinned(t *testing.T) {
	nca := sharedDir(t)
	root := readCert(t, filepath.Join(nca, "gost2015/root_test_gost_2022.cer"))
	ca := readCert(t, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/root.cer":
			w.Write(root.Raw)
		case "/ca.pem":
			w.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	urls := []string{srv.URL + "/root.cer", srv.URL + "/ca.pem", srv.URL + "/missing.cer"}
	dir := t.TempDir()

	// Nothing pinned: nothing trusted, everything cached for review.
	s := NewTrustStore(dir)
	got := s.FetchRoots(context.Background(), nil, urls, nil)
	if len(got) != 3 || len(s.Anchors()) != 0 {
		t.Fatalf("unpinned: %d results, %d anchors", len(got), len(s.Anchors()))
	}
	for _, fr := range got[:2] {
		if fr.Trusted || !errors.Is(fr.Err, ErrNotPinned) || fr.Path == "" {
			t.Errorf("%s: trusted %v err %v path %q", fr.URL, fr.Trusted, fr.Err, fr.Path)
		}
	}
	if !errors.Is(got[2].Err, ErrUnreachable) {
		t.Errorf("missing: %v", got[2].Err)
	}
	if o, _ := OpenTrustStore(dir, nil); len(o.Anchors()) != 0 {
		t.Error("a fetched, unpinned root became trusted on reopening")
	}
	// The user imports the cached file after checking the fingerprint.
	if _, err := s.Import(got[0].Path); err != nil || !s.IsAnchor(root) {
		t.Errorf("import of the fetched root: %v", err)
	}

	// The root pinned: trusted at once, and again after reopening.
	s = NewTrustStore(t.TempDir())
	pins := []string{Fingerprint(root)}
	got = s.FetchRoots(context.Background(), srv.Client(), urls[:1], pins)
	if len(got) != 1 || !got[0].Trusted || got[0].Err != nil || !s.IsAnchor(root) {
		t.Fatalf("pinned: %+v", got)
	}
	if o, err := OpenTrustStore(s.Dir, pins); err != nil || !o.IsAnchor(root) {
		t.Errorf("reopened with pins: %v", err)
	}
}
