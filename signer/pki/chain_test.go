package pki_test

import (
	"context"
	"crypto/x509"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

func TestBuildChainsTestPKI(t *testing.T) {
	e := testEnv(t)
	ctx := context.Background()
	now := time.Now()
	for _, f := range testpki.Families {
		ca, root := e.p.CA(f), e.p.Root(f)
		store := e.trust()
		store.AddIntermediate(ca.Cert)
		t.Run(string(f), func(t *testing.T) {
			leaf := e.p.Find(string(f) + "/individual")
			chains, err := store.BuildChains(ctx, leaf.Cert, pki.ChainOptions{At: now})
			if err != nil {
				t.Fatal(err)
			}
			if len(chains) != 1 || len(chains[0]) != 3 || !chains[0][1].Equal(ca.Cert) || !chains[0].Anchor().Equal(root.Cert) {
				t.Errorf("chains %v", chains)
			}
			expired := e.p.Find(string(f) + "/individual_expired")
			if _, err := store.BuildChains(ctx, expired.Cert, pki.ChainOptions{At: now}); !errors.Is(err, pki.ErrExpired) {
				t.Errorf("expired leaf: %v", err)
			}
			if _, err := store.BuildChains(ctx, expired.Cert, pki.ChainOptions{At: expired.Cert.NotAfter.Add(-time.Hour)}); err != nil {
				t.Errorf("expired leaf inside its validity: %v", err)
			}
			if _, err := store.BuildChains(ctx, leaf.Cert, pki.ChainOptions{At: ca.Cert.NotBefore.Add(-time.Hour), SkipLeafValidity: true}); !errors.Is(err, pki.ErrNotYetValid) {
				t.Errorf("before the CA: %v", err)
			}
			if _, err := pki.NewTrustStore("").BuildChains(ctx, leaf.Cert, pki.ChainOptions{Intermediates: []*x509.Certificate{ca.Cert}}); !errors.Is(err, pki.ErrNoChain) {
				t.Errorf("no anchors: %v", err)
			}
			// A CA certificate used as a leaf's issuer must be a CA: the
			// leaf cannot issue.
			other := e.p.Find(string(f) + "/legal_head")
			if _, err := store.BuildChains(ctx, leaf.Cert, pki.ChainOptions{Intermediates: []*x509.Certificate{other.Cert}}); err != nil {
				t.Errorf("an extra unrelated certificate broke the chain: %v", err)
			}
		})
		t.Run(string(f)+"/AIA", func(t *testing.T) {
			leaf := e.p.Find(string(f) + "/legal_signer")
			cache := &pki.Cache{Dir: t.TempDir()}
			if _, err := e.trust().BuildChains(ctx, leaf.Cert, pki.ChainOptions{}); !errors.Is(err, pki.ErrNoChain) {
				t.Errorf("offline, no intermediates: %v", err)
			}
			chains, err := e.trust().BuildChains(ctx, leaf.Cert, pki.ChainOptions{Online: true, Cache: cache})
			if err != nil || len(chains[0]) != 3 {
				t.Fatalf("online, issuer fetched by AIA: %v", err)
			}
			if _, err := e.trust().BuildChains(ctx, leaf.Cert, pki.ChainOptions{Cache: cache}); err != nil {
				t.Errorf("offline, issuer from the cache: %v", err)
			}
		})
	}
	t.Run("key usage", func(t *testing.T) {
		svc := e.p.OCSPResponder(testpki.FamilyGOST)
		store := e.trust()
		store.AddIntermediate(svc.Issuer.Cert)
		if _, err := store.BuildChains(ctx, svc.Cert, pki.ChainOptions{LeafKeyUsage: x509.KeyUsageCertSign}); !errors.Is(err, pki.ErrKeyUsage) {
			t.Errorf("%v", err)
		}
	})
}

// TestBuildChainsNCA builds the real NCA test chains: end-entity
// certificates from the p12 files, the GOST 2022 issuing CA, the root.
func TestBuildChainsNCA(t *testing.T) {
	nca := ncaDir(t)
	root := mustCert(t, filepath.Join(nca, "gost2015/root_test_gost_2022.cer"))
	ca := mustCert(t, filepath.Join(nca, "gost2015/nca_gost2022_test.cer"))
	store := pki.NewTrustStore("")
	if n, err := store.LoadFile(filepath.Join(nca, "gost2015/root_test_gost_2022.cer")); err != nil || n != 1 {
		t.Fatalf("root: %d %v", n, err)
	}
	if n, err := store.LoadFile(filepath.Join(nca, "gost2015/nca_gost2022_test.cer")); err != nil || n != 0 {
		t.Fatalf("issuing CA is not an anchor: %d %v", n, err)
	}
	files, _ := filepath.Glob(filepath.Join(nca, "gost2015/*/*/*.p12"))
	if len(files) != 12 {
		t.Fatalf("%d GOST p12 files", len(files))
	}
	for _, f := range files {
		leaf := mustP12Cert(t, f)
		at := leaf.NotBefore.Add(time.Hour)
		chains, err := store.BuildChains(context.Background(), leaf, pki.ChainOptions{At: at})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(chains[0]) != 3 || !chains[0][1].Equal(ca) || !chains[0].Anchor().Equal(root) {
			t.Errorf("%s: chain %v", f, chains[0])
		}
	}
	// The RSA 2018 test keys chain to the RSA test CA, which is not trusted here.
	rsa, _ := filepath.Glob(filepath.Join(nca, "rsa2018/*.p12"))
	for _, f := range rsa {
		if _, err := store.BuildChains(context.Background(), mustP12Cert(t, f), pki.ChainOptions{SkipLeafValidity: true}); !errors.Is(err, pki.ErrNoChain) {
			t.Errorf("%s with GOST anchors only: %v", filepath.Base(f), err)
		}
	}
}
