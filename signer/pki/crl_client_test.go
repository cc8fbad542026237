package pki

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// crlServer serves DER files by path and can be switched off.
type crlServer struct {
	mu    sync.Mutex
	files map[string][]byte
	down  bool
	hits  int
}

func (s *crlServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits++
	if s.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	b, ok := s.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(b)
}

func (s *crlServer) set(path string, der []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[string][]byte{}
	}
	s.files[path] = der
}

// makeCRL signs a CRL of p's CA.
func (p *ecPKI) makeCRL(t testing.TB, number int64, entries []x509.RevocationListEntry, exts ...pkix.Extension) []byte {
	t.Helper()
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(number), ThisUpdate: ecNow.Add(-time.Hour), NextUpdate: ecNow.Add(24 * time.Hour),
		RevokedCertificateEntries: entries, ExtraExtensions: exts,
	}, p.ca, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func freshestExt(t testing.TB, url string) pkix.Extension {
	t.Helper()
	type dpName struct {
		FullName []asn1.RawValue `asn1:"optional,tag:0"`
	}
	type dp struct {
		DistributionPoint dpName `asn1:"optional,tag:0"`
	}
	v, err := asn1.Marshal([]dp{{DistributionPoint: dpName{FullName: []asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte(url)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: oidFreshestCRL, Value: v}
}

func deltaExt(t testing.TB, base int64) pkix.Extension {
	t.Helper()
	v, err := asn1.Marshal(big.NewInt(base))
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: oidDeltaCRL, Critical: true, Value: v}
}

func TestCRLDeltaAndCache(t *testing.T) {
	srv := &crlServer{}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	p := newECPKI(t, &x509.Certificate{CRLDistributionPoints: []string{hs.URL + "/base.crl"}})
	serial := p.leaf.SerialNumber
	now := func() time.Time { return ecNow }
	revokedAt := ecNow.Add(-2 * time.Hour).Truncate(time.Second).UTC()

	tests := []struct {
		name       string
		base       []x509.RevocationListEntry
		delta      []x509.RevocationListEntry
		baseNum    int64
		deltaNum   int64
		deltaBase  int64
		want       CertStatusValue
		wantDelta  bool
		wantWarned bool
	}{
		{"good, empty delta", nil, nil, 10, 11, 10, StatusGood, true, false},
		{"revoked in the delta", nil, []x509.RevocationListEntry{{SerialNumber: serial, RevocationTime: revokedAt, ReasonCode: 1}}, 10, 11, 10, StatusRevoked, true, false},
		{"revoked in the base", []x509.RevocationListEntry{{SerialNumber: serial, RevocationTime: revokedAt, ReasonCode: 4}}, nil, 10, 11, 9, StatusRevoked, true, false},
		{"hold lifted by the delta", []x509.RevocationListEntry{{SerialNumber: serial, RevocationTime: revokedAt, ReasonCode: 6}},
			[]x509.RevocationListEntry{{SerialNumber: serial, RevocationTime: revokedAt, ReasonCode: 8}}, 10, 11, 10, StatusGood, true, false},
		{"delta for a newer base is ignored", nil, []x509.RevocationListEntry{{SerialNumber: serial, RevocationTime: revokedAt, ReasonCode: 1}}, 10, 12, 11, StatusGood, false, true},
		{"delta older than the base is ignored", nil, []x509.RevocationListEntry{{SerialNumber: serial, RevocationTime: revokedAt, ReasonCode: 1}}, 10, 10, 9, StatusGood, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.set("/base.crl", p.makeCRL(t, tt.baseNum, tt.base, freshestExt(t, hs.URL+"/delta.crl")))
			srv.set("/delta.crl", p.makeCRL(t, tt.deltaNum, tt.delta, deltaExt(t, tt.deltaBase)))
			c := &CRLClient{Now: now}
			st, err := c.Status(context.Background(), p.leaf, p.ca, false)
			if err != nil {
				t.Fatal(err)
			}
			if st.Status != tt.want || (st.Delta != nil) != tt.wantDelta || (len(st.Warnings) > 0) != tt.wantWarned {
				t.Errorf("status %s delta %v warnings %q", st.Status, st.Delta != nil, st.Warnings)
			}
			if st.Status == StatusRevoked && !st.RevokedAt.Equal(revokedAt) {
				t.Errorf("revoked at %v, want %v", st.RevokedAt, revokedAt)
			}
		})
	}

	t.Run("offline from the cache", func(t *testing.T) {
		cache := &Cache{Dir: t.TempDir()}
		srv.set("/base.crl", p.makeCRL(t, 20, []x509.RevocationListEntry{{SerialNumber: serial, RevocationTime: revokedAt, ReasonCode: 1}}))
		fetched := ecNow.Add(-30 * time.Minute)
		online := &CRLClient{Cache: cache, Now: func() time.Time { return fetched }}
		if st, err := online.Status(context.Background(), p.leaf, p.ca, false); err != nil || st.Base.FromCache {
			t.Fatalf("online: %v %+v", err, st)
		}
		srv.mu.Lock()
		srv.down = true
		hits := srv.hits
		srv.mu.Unlock()
		defer func() { srv.mu.Lock(); srv.down = false; srv.mu.Unlock() }()
		for _, offline := range []bool{true, false} {
			c := &CRLClient{Cache: cache, Now: now}
			st, err := c.Status(context.Background(), p.leaf, p.ca, offline)
			if err != nil {
				t.Fatalf("offline=%v: %v", offline, err)
			}
			if !st.Base.FromCache || !st.Base.FetchedAt.Equal(fetched) || st.Status != StatusRevoked {
				t.Errorf("offline=%v: from cache %v fetched %v status %s", offline, st.Base.FromCache, st.Base.FetchedAt, st.Status)
			}
		}
		srv.mu.Lock()
		if srv.hits != hits+1 { // only the online attempt reached the server
			t.Errorf("server hit %d times while offline", srv.hits-hits)
		}
		srv.mu.Unlock()
		c := &CRLClient{Cache: &Cache{Dir: t.TempDir()}, Now: now}
		if _, err := c.Status(context.Background(), p.leaf, p.ca, false); !errors.Is(err, ErrUnreachable) {
			t.Errorf("down, empty cache: %v", err)
		}
	})

	t.Run("CRL of another CA", func(t *testing.T) {
		q := newECPKI(t, nil)
		srv.set("/base.crl", q.makeCRL(t, 1, nil))
		if _, err := (&CRLClient{Now: now}).Status(context.Background(), p.leaf, p.ca, false); !errors.Is(err, ErrCRLIssuer) {
			t.Errorf("%v", err)
		}
	})
}

func TestCache(t *testing.T) {
	c := &Cache{Dir: filepath.Join(t.TempDir(), "cache")}
	if _, _, err := c.Get(KindCRL, "http://x/a.crl", nil, ""); !errors.Is(err, ErrNotCached) {
		t.Errorf("empty cache: %v", err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := c.Put(KindCRL, "http://x/a.crl", nil, "", []byte("der"), at); err != nil {
		t.Fatal(err)
	}
	der, got, err := c.Get(KindCRL, "http://x/a.crl", nil, "")
	if err != nil || string(der) != "der" || !got.Equal(at) {
		t.Errorf("%q %v %v", der, got, err)
	}
	if _, _, err := c.Get(KindCRL, "http://x/b.crl", nil, ""); !errors.Is(err, ErrNotCached) {
		t.Errorf("other URL: %v", err)
	}
	entries, _ := os.ReadDir(c.Dir)
	if len(entries) != 2 {
		t.Errorf("%d files, want .der and .json", len(entries))
	}
	var nilCache *Cache
	if err := nilCache.Put(KindCRL, "u", nil, "", nil, at); err != nil {
		t.Error(err)
	}
}

// FuzzCRLPath feeds arbitrary bytes to the CRL path a download takes:
// parse, issuer and signature check, delta extensions, and the
// distribution-point reader.
func FuzzCRLPath(f *testing.F) {
	p := newECPKI(f, nil)
	f.Add(p.makeCRL(f, 5, nil, freshestExt(f, "http://127.0.0.1/d.crl")))
	f.Add(p.makeCRL(f, 6, []x509.RevocationListEntry{{SerialNumber: big.NewInt(1000), RevocationTime: ecNow}}, deltaExt(f, 5)))
	f.Fuzz(func(t *testing.T, der []byte) {
		_, _ = distributionPointURLs(der)
		info, err := ParseAndVerifyCRL(der, "u", p.ca)
		if err != nil {
			return
		}
		_ = findEntry(info.CRL, p.leaf.SerialNumber)
	})
}
