package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The benchmarks share one store of 100,000 documents built once per test
// binary in bulk transactions (1,000 documents each, NoSync), with 10% of
// the documents made ready and 1% signed; TestMain removes it.
const benchDocs = 100_000

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
	benchIDs  []ID
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

var words = []string{"Договор", "поставки", "Акт", "выполненных", "работ", "Счёт-фактура", "Келісімшарт", "аренды", "услуг", "Письмо"}
var parties = []string{"ТОО Ромашка", "АО Береке", "ИП Сатпаев", "ТОО Алатау Сервис", "ГУ Акимат"}

func benchStore(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "qoltanba-bench-")
		if benchErr != nil {
			return
		}
		start := time.Now()
		s, err := Open(benchDir, Options{NoSync: true})
		if err != nil {
			benchErr = err
			return
		}
		defer s.Close()
		ctx := context.Background()
		for batch := 0; batch < benchDocs/1000; batch++ {
			nds := make([]NewDocument, 1000)
			for i := range nds {
				n := batch*1000 + i
				title := fmt.Sprintf("%s %s № %d", words[n%len(words)], words[(n/7)%len(words)], n)
				nds[i] = NewDocument{Name: fmt.Sprintf("doc-%06d.xml", n), Title: title, Kind: Kinds[n%len(Kinds)],
					Counterparty: parties[n%len(parties)],
					Content:      fmt.Appendf(nil, "<?xml version=\"1.0\"?><doc n=\"%d\">%s, %s. %0800d</doc>", n, title, parties[n%len(parties)], n)}
			}
			docs, err := s.AddDocuments(ctx, nds)
			if err != nil {
				benchErr = err
				return
			}
			for _, d := range docs {
				benchIDs = append(benchIDs, d.ID)
			}
		}
		for i := 0; i < benchDocs; i += 10 {
			if _, err := s.SetState(ctx, benchIDs[i], StateReady, ""); err != nil {
				benchErr = err
				return
			}
		}
		for i := 5; i < benchDocs; i += 100 {
			if _, err := s.AddSignature(ctx, benchIDs[i], 1, fakeSignature(i%200)); err != nil {
				benchErr = err
				return
			}
		}
		fmt.Fprintf(os.Stderr, "built %d documents in %v\n", benchDocs, time.Since(start).Round(time.Millisecond))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir
}

func reportSize(b *testing.B, dir string) {
	st, err := os.Stat(filepath.Join(dir, dbFileName))
	if err == nil {
		b.ReportMetric(float64(st.Size())/benchDocs, "dbbytes/doc")
	}
}

func BenchmarkOpen100k(b *testing.B) {
	dir := benchStore(b)
	for b.Loop() {
		s, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	reportSize(b, dir)
}

func benchOpen(b *testing.B) *Bolt {
	s, err := Open(benchStore(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkList100k(b *testing.B) {
	s := benchOpen(b)
	ctx := context.Background()
	for _, q := range []struct {
		name string
		q    Query
		min  int
	}{
		{"first page", Query{}, 50},
		{"state=ready", Query{State: StateReady}, 50},
		{"state=signed", Query{State: StateSigned}, 50},
		{"kind=invoice", Query{Kind: KindInvoice}, 50},
		{"text=береке", Query{Text: "береке"}, 50},
		{"text rare (full scan)", Query{Text: "№ 777"}, 1},
		{"kind+state+text", Query{Kind: KindAct, State: StateReady, Text: "договор"}, 50},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				p, err := s.List(ctx, q.q)
				if err != nil || len(p.Documents) < q.min {
					b.Fatalf("%d documents, %v", len(p.Documents), err)
				}
			}
		})
	}
}

func BenchmarkAddDocument100k(b *testing.B) {
	s := benchOpen(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		_, err := s.AddDocument(ctx, NewDocument{Name: "bench.xml", Content: fmt.Appendf(nil, "<doc n=\"%d\">%0900d</doc>", i, time.Now().UnixNano())})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddDocumentNoSync100k separates the fsync from the work.
func BenchmarkAddDocumentNoSync100k(b *testing.B) {
	s, err := Open(benchStore(b), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := s.AddDocument(ctx, NewDocument{Name: "bench.xml", Content: fmt.Appendf(nil, "<doc n=\"%d\">%0900d</doc>", i, time.Now().UnixNano())}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAddSignature100k(b *testing.B) {
	s := benchOpen(b)
	ctx := context.Background()
	d, err := s.AddDocument(ctx, NewDocument{Name: "sig.xml", Content: fmt.Appendf(nil, "<doc>%d</doc>", time.Now().UnixNano())})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if _, err := s.AddSignature(ctx, d.ID, 1, fakeSignature(i%200)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyJournal100k(b *testing.B) {
	if testing.Short() {
		b.Skip("reads everything")
	}
	s := benchOpen(b)
	for b.Loop() {
		r, err := s.VerifyJournal(context.Background())
		if err != nil || !r.OK {
			b.Fatalf("%v %+v", err, r.Reason)
		}
	}
}
