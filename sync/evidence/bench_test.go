package evidence

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// benchPackage is a 1 MB PDF-like document with one detached GOST CMS
// signature, verified online against the served test PKI.
func benchPackage(b *testing.B) (store.Store, store.ID, *pki.Verifier, *pki.TrustStore) {
	p := servedPKI(b)
	ctx := context.Background()
	st, _ := store.OpenMemory(store.Options{})
	content := append([]byte("%PDF-1.7\n"), make([]byte, 1<<20)...)
	rand.Read(content[9:])
	d, err := st.AddDocument(ctx, store.NewDocument{Name: "scan.pdf", Content: content})
	if err != nil {
		b.Fatal(err)
	}
	v := &pki.Verifier{Trust: trustOf(p), Cache: &pki.Cache{Dir: b.TempDir()}}
	e := p.Find("gost/legal_head")
	plan, err := docsign.Prepare(ctx, st, d.ID, docsign.Options{Detached: true})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := signPlan(ctx, st, plan, signer.NewKey(e.Name, e.Key, e.Cert, e.Chain()[1:], nil), v); err != nil {
		b.Fatal(err)
	}
	return st, d.ID, v, trustOf(p)
}

// BenchmarkExport1MB: gather (with an online verification through the
// loopback OCSP responder), build and zip the package of a 1 MB document.
func BenchmarkExport1MB(b *testing.B) {
	st, id, v, _ := benchPackage(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		pkg, err := Build(ctx, st, id, v, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := pkg.WriteZip(&buf); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(buf.Len()), "zip-bytes")
	}
}

// BenchmarkVerifyPackage1MB: read the zip safely and check everything offline.
func BenchmarkVerifyPackage1MB(b *testing.B) {
	st, id, v, trust := benchPackage(b)
	ctx := context.Background()
	pkg, err := Build(ctx, st, id, v, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := pkg.WriteZip(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ResetTimer()
	for b.Loop() {
		files, err := Read(bytes.NewReader(data), int64(len(data)), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		r, err := Check(ctx, files, CheckOptions{Trust: trust})
		if err != nil || r.ExitCode() != 0 {
			b.Fatalf("%v %+v", err, r.Problems)
		}
	}
}
