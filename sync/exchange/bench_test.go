package exchange_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// The figures of the issue, each beside the transport's limit measured in
// the same run: the same number of bare HTTP requests to the same server.
//
//	go test -run '^$' -bench 'Pull|SignAndSend|PortalAccepts' -benchtime 1x ./sync/exchange/

func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("QOLTANBA_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// publishMany publishes n documents of 1 KB to the person, 8 at a time.
func publishMany(b testing.TB, env *portaltest.Env, iin string, n int) {
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				env.Publish(b, iin, "", fmt.Sprintf("Doc %05d", i), fmt.Sprintf("%05d ", i)+strings.Repeat("x", 1018))
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

// bareRequests makes the requests a pull makes (the event pages, then each
// content with 4 at a time), without applying anything: the transport's
// limit for a pull.
func bareRequests(b testing.TB, a store.Account, page int) (int, time.Duration) {
	c, err := api.NewClientWithResponses(a.API, api.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+a.Session)
		return nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	var docs []api.Document
	cursor, requests := "", 0
	for {
		resp, err := c.ListEventsWithResponse(ctx, &api.ListEventsParams{After: cursor, Limit: page})
		requests++
		if err != nil || resp.JSON200 == nil {
			b.Fatal(err)
		}
		for _, e := range resp.JSON200.Events {
			docs = append(docs, e.Document)
		}
		cursor = resp.JSON200.Next
		if !resp.JSON200.HasMore {
			break
		}
	}
	var wg sync.WaitGroup
	jobs := make(chan api.Document)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range jobs {
				if resp, err := c.GetContentWithResponse(ctx, d.Id, &api.GetContentParams{Version: d.ContentVersion}); err != nil || resp.StatusCode() != 200 {
					b.Error(err)
				}
			}
		}()
	}
	for _, d := range docs {
		jobs <- d
	}
	close(jobs)
	wg.Wait()
	return requests + len(docs), time.Since(start)
}

// BenchmarkPull pulls QOLTANBA_BENCH_DOCS (10,000) documents of 1 KB into a
// fresh store in a separate client process (whose peak resident memory is
// the figure), beside the same requests made bare.
func BenchmarkPull(b *testing.B) {
	n := benchDocs()
	env := portaltest.Start(b, portaltest.Options{NoTSA: true})
	d := newDesktop(b, "")
	acc := d.login(b, env, "gost/individual_auth")
	publishMany(b, env, env.PKI.Find("gost/individual").IIN, n)
	d.store.Close() // the client process opens it
	for range b.N {
		requests, bare := bareRequests(b, acc, 200)
		cmd := exec.Command(os.Args[0], "-test.run=^TestPullClient$")
		cmd.Env = append(os.Environ(), "QOLTANBA_PULL_CLIENT="+d.dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("pull client: %v\n%s", err, out)
		}
		var res struct {
			Received int
			Seconds  float64
			PeakRSS  int64
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "PULL "); ok {
				json.Unmarshal([]byte(line), &res)
			}
		}
		if res.Received != n {
			b.Fatalf("the client received %d of %d:\n%s", res.Received, n, out)
		}
		pull := time.Duration(res.Seconds * float64(time.Second))
		b.ReportMetric(float64(n)/res.Seconds, "docs/s")
		b.ReportMetric(float64(requests)/bare.Seconds(), "bare-req/s")
		b.ReportMetric(bare.Seconds()/pull.Seconds(), "x-bare-rate")
		b.ReportMetric(float64(res.PeakRSS)/(1<<20), "client-peak-RSS-MB")
		b.Logf("pull of %d documents: %v; the same %d requests bare: %v; client peak RSS %.1f MB",
			n, pull.Round(time.Millisecond), requests, bare.Round(time.Millisecond), float64(res.PeakRSS)/(1<<20))
	}
}

// TestPullClient is BenchmarkPull's client process.
func TestPullClient(t *testing.T) {
	dir := os.Getenv("QOLTANBA_PULL_CLIENT")
	if dir == "" {
		t.Skip("run by BenchmarkPull")
	}
	d := bareDesktop(t, dir)
	if prof := os.Getenv("QOLTANBA_PULL_PROFILE"); prof != "" { // where a pull spends its time
		f, err := os.Create(prof)
		if err != nil {
			t.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	sum, err := d.engine.Sync(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	secs := time.Since(start).Seconds()
	raw, _ := json.Marshal(map[string]any{"Received": len(sum.Received), "Seconds": secs, "PeakRSS": peakRSS()})
	fmt.Printf("PULL %s\n", raw)
}

// peakRSS is this process's peak resident set (VmHWM), in bytes.
func peakRSS() int64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkSignAndSend signs (GOST-512, key file opened each time as a
// user would) and sends 1,000 received documents one by one, beside as many
// bare POSTs to the same server.
func BenchmarkSignAndSend(b *testing.B) {
	const n = 1000
	env := portaltest.Start(b, portaltest.Options{NoTSA: true})
	for range b.N {
		d := newDesktop(b, "")
		acc := d.login(b, env, "gost/individual_auth")
		publishMany(b, env, env.PKI.Find("gost/individual").IIN, n)
		sum := d.sync(b)
		ctx := context.Background()
		key := d.key("gost/individual")
		start := time.Now()
		for _, id := range sum.Received {
			if q, err := d.engine.SignAndSend(ctx, id, key, d.ui, docsign.Options{}); err != nil || !q.Sent {
				b.Fatalf("sign and send: %+v %v", q, err)
			}
		}
		signed := time.Since(start)
		start = time.Now()
		for range n {
			req, _ := http.NewRequest(http.MethodPost, acc.API+"/auth/challenge", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
		}
		bare := time.Since(start)
		// The same POSTs with signatures made beforehand: the transport
		// and the portal's own work (verification with OCSP, a GOST
		// receipt), without the client's.
		me := env.PKI.Find("gost/individual")
		c := &benchCaller{env: env, token: acc.Session}
		docs, bodies := presigned(b, env, me, n)
		start = time.Now()
		for i := range n {
			if code := c.post(b, "/documents/"+docs[i].Id+"/signatures", fmt.Sprintf("pre%d", i), bodies[i]); code != http.StatusCreated {
				b.Fatalf("presigned %d: HTTP %d", i, code)
			}
		}
		portalOnly := time.Since(start)
		b.ReportMetric(n/signed.Seconds(), "docs/s")
		b.ReportMetric(n/bare.Seconds(), "bare-req/s")
		b.ReportMetric(bare.Seconds()/signed.Seconds(), "x-bare-rate")
		b.ReportMetric(portalOnly.Seconds()/signed.Seconds(), "x-presigned-rate")
		b.Logf("sign and send %d: %v (%.1f ms each); %d bare POSTs: %v; %d POSTs of signatures made beforehand: %v (%.1f ms each)",
			n, signed.Round(time.Millisecond), signed.Seconds()*1000/n, n, bare.Round(time.Millisecond),
			n, portalOnly.Round(time.Millisecond), portalOnly.Seconds()*1000/n)
	}
}

// presigned publishes n documents to the entity and makes their signature
// submissions beforehand.
func presigned(b *testing.B, env *portaltest.Env, me *testpki.Entity, n int) ([]api.Document, [][]byte) {
	docs := make([]api.Document, n)
	bodies := make([][]byte, n)
	for i := range n {
		content := fmt.Sprintf("Presigned document %d\n", i)
		docs[i] = env.Publish(b, me.IIN, "", fmt.Sprintf("P%d", i), content)
		sig, err := cms.Sign(strings.NewReader(content), me.Key, me.Cert, me.Chain(), cms.SignOptions{Detached: true})
		if err != nil {
			b.Fatal(err)
		}
		sum := sha256.Sum256([]byte(content))
		bodies[i], _ = json.Marshal(api.SignatureSubmission{ContentVersion: 1, Sha256: hex.EncodeToString(sum[:]), Signature: sig})
	}
	return docs, bodies
}

// BenchmarkPortalAccepts: signatures the portal accepts per second (verify
// with OCSP, receipt signed with GOST, commit), 8 clients at once, on bbolt
// and on PostgreSQL.
func BenchmarkPortalAccepts(b *testing.B) {
	const n = 400
	for _, backend := range portaltest.Backends {
		b.Run(backend, func(b *testing.B) {
			for range b.N {
				env := portaltest.Start(b, portaltest.Options{NoTSA: true, Backend: backend})
				me := env.PKI.Find("gost/individual")
				c := &benchCaller{env: env}
				c.login(b, "gost/individual_auth")
				docs, bodies := presigned(b, env, me, n)
				jobs := make(chan int)
				var wg sync.WaitGroup
				start := time.Now()
				for range 8 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range jobs {
							if code := c.post(b, "/documents/"+docs[i].Id+"/signatures", fmt.Sprintf("s%d", i), bodies[i]); code != http.StatusCreated {
								b.Errorf("signature %d: HTTP %d", i, code)
							}
						}
					}()
				}
				for i := range n {
					jobs <- i
				}
				close(jobs)
				wg.Wait()
				el := time.Since(start)
				b.ReportMetric(n/el.Seconds(), "signatures/s")
			}
		})
	}
}

type benchCaller struct {
	env   *portaltest.Env
	token string
}

func (c *benchCaller) login(b *testing.B, name string) {
	d := newDesktop(b, "")
	a := d.login(b, c.env, name)
	c.token = a.Session
}

func (c *benchCaller) post(b *testing.B, path, key string, body []byte) int {
	req, _ := http.NewRequest(http.MethodPost, c.env.API+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// BenchmarkAccept: an agreement's acceptance from the click (the text
// already read) to the portal's receipt stored — the statement built and
// signed (GOST-512, key file opened as a user would), sent, the receipt
// (timestamped by the portal's TSA) verified and stored — 50 times, with
// the percentiles.
//
//	go test -run '^$' -bench Accept -benchtime 1x ./sync/exchange/
func BenchmarkAccept(b *testing.B) {
	const n = 50
	env := portaltest.Start(b, portaltest.Options{})
	text := strings.Repeat("5.2. Тараптар электрондық құжаттармен алмасады; электрондық құжаттың көшірмесі оның мазмұнына сәйкес келуі тиіс.\n", 300)
	for range b.N {
		d := newDesktop(b, "")
		d.login(b, env, "gost/individual_auth")
		ctx := context.Background()
		var ids []string
		for i := range n {
			ag := env.PublishAgreement(b, "", fmt.Sprintf("Terms %d", i), map[string]string{"kk": text})
			ids = append(ids, ag.Id)
		}
		a := mustAccount(b, d)
		_, list, err := d.engine.Agreements(ctx, "test")
		if err != nil {
			b.Fatal(err)
		}
		for _, ag := range list { // read first, as the screen does
			if _, err := d.engine.AgreementText(ctx, a, ag, "kk"); err != nil {
				b.Fatal(err)
			}
		}
		key := d.key("gost/individual")
		var took []time.Duration
		for _, id := range ids {
			start := time.Now()
			acc, err := d.engine.Accept(ctx, "test", id, "kk", key, d.ui, false)
			if err != nil || !acc.Sent {
				b.Fatalf("accept %s: %+v %v", id, acc, err)
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[n/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(took[n*95/100].Microseconds())/1000, "p95-ms")
		b.ReportMetric(float64(took[n-1].Microseconds())/1000, "max-ms")
	}
}
