package pki_test

import (
	"context"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/pki"
)

// TestMaterialRoundTrip: what Material gathers after an online
// verification, put into an empty cache, lets an offline verifier reach
// the same verdict with the same revocation answer.
func TestMaterialRoundTrip(t *testing.T) {
	e := testEnv(t)
	ctx := context.Background()
	ev := []pki.Evidence{claimed(evidence(e.p.Find("gost/legal_head")), time.Now().Add(-time.Minute))}
	v := &pki.Verifier{Trust: e.trust(), Cache: &pki.Cache{Dir: t.TempDir()}}
	r := v.Verify(ctx, ev)
	if r.Worst() != pki.TotalPassed {
		t.Fatalf("online: %s", r.Worst())
	}
	m, err := v.Material(ctx, ev, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Chains) != 1 || len(m.Chains[0]) != 3 || len(m.Certificates) < 3 || len(m.Revocation) == 0 {
		t.Fatalf("material: %d chains, %d certificates, %d revocation records", len(m.Chains), len(m.Certificates), len(m.Revocation))
	}
	other := &pki.Cache{Dir: t.TempDir()}
	for _, rec := range m.Revocation {
		if err := other.PutRecord(rec); err != nil {
			t.Fatal(err)
		}
	}
	off := &pki.Verifier{Trust: e.trust(), Cache: other, Offline: true}
	r2 := off.Verify(ctx, ev)
	s := r2.Signatures[0]
	if r2.Worst() != pki.TotalPassed || s.StatusNow.Source != "cache" || s.StatusNow.Via != r.Signatures[0].StatusNow.Source {
		t.Errorf("offline from material: %s, status %+v (online was %+v)", r2.Worst(), s.StatusNow, r.Signatures[0].StatusNow)
	}
	if _, err := v.Material(ctx, ev, &pki.Report{}); err == nil {
		t.Error("a report that does not match the evidence was accepted")
	}
}
