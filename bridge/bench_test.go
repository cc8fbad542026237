package bridge

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
)

// The bridge's figures (make bench): a basics.sign round trip over wss
// beside the same signing called in-process, for 1 KB and 10 MB with the
// GOST-512 key and consent given by the scripted prompts; p50 and p99 are
// reported per benchmark. Nothing here fails on time.

// benchSizes are the documents signed.
var benchSizes = []struct {
	name string
	size int
}{{"1KB", 1 << 10}, {"10MB", 10 << 20}}

func benchData(b *testing.B, n int) []byte {
	data := make([]byte, n)
	if _, err := rand.Read(data); err != nil {
		b.Fatal(err)
	}
	return data
}

// reportPercentiles adds p50 and p99 of the iterations' durations.
func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	at := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkSignInProcess is core.Sign as the bridge calls it, without the
// socket, the JSON and the base64.
func BenchmarkSignInProcess(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			f := newFixture(b)
			f.prompts.Key = "gost_legal_head"
			data := benchData(b, sz.size)
			key := ""
			for _, r := range mustList(b, f) {
				if strings.Contains(r.Label, "gost_legal_head") {
					key = r.URI
				}
			}
			var durations []time.Duration
			b.SetBytes(int64(sz.size))
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				_, err := f.core.Sign(context.Background(), core.SignRequest{Origin: origin, KeyURI: key, Format: signer.FormatCMS,
					Items: []core.Item{{Name: "document", Data: data}}}, f.prompts)
				if err != nil {
					b.Fatal(err)
				}
				durations = append(durations, time.Since(start))
			}
			reportPercentiles(b, durations)
		})
	}
}

func mustList(b *testing.B, f *fixture) []signer.KeyRef {
	refs, err := f.core.KeyFiles(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return refs
}

// BenchmarkSignOverWSS is the same signing asked by a page: basics.sign
// over wss with the origin allowed, the reply read back.
func BenchmarkSignOverWSS(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			f := newFixture(b)
			f.prompts.Key = "gost_legal_head"
			port, certs := f.serve(b)
			c := dial(b, port, certs, origin)
			msg := []byte(`{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"` +
				base64.StdEncoding.EncodeToString(benchData(b, sz.size)) +
				`","signingParams":{"decode":true,"encapsulate":true},"signerParams":{"extKeyUsageOids":[],"chain":[]}}}`)
			var durations []time.Duration
			b.SetBytes(int64(sz.size))
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				ctx := context.Background()
				if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
					b.Fatal(err)
				}
				_, reply, err := c.Read(ctx)
				if err != nil || !strings.HasPrefix(string(reply), `{"status":true,"body":{"result":["-----BEGIN CMS-----`) {
					b.Fatalf("reply %.200s (%v)", reply, err)
				}
				durations = append(durations, time.Since(start))
			}
			reportPercentiles(b, durations)
		})
	}
}

// BenchmarkIdleConnectionsRSS measures the resident memory of a bridge
// process (this test binary re-run as TestBridgeServerProcess) idle, then
// with 100 idle sockets open; the difference is reported.
func BenchmarkIdleConnectionsRSS(b *testing.B) {
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBridgeServerProcess$")
		cmd.Env = append(os.Environ(), "QOLTANBA_BRIDGE_SERVER_PROCESS=1")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		var port, caPath string
		for lines.Scan() {
			if p, ok := strings.CutPrefix(lines.Text(), "serving "); ok {
				port, caPath, _ = strings.Cut(p, " ")
				break
			}
		}
		if port == "" {
			cmd.Process.Kill()
			b.Fatal("the server process did not start")
		}
		certs, err := loadCA(caPath)
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		idle := rssKB(b, cmd.Process.Pid)
		for range 100 {
			dial(b, port, certs, origin)
		}
		time.Sleep(500 * time.Millisecond)
		busy := rssKB(b, cmd.Process.Pid)
		cmd.Process.Kill()
		cmd.Wait()
		b.ReportMetric(float64(idle)/1024, "idle-MB")
		b.ReportMetric(float64(busy)/1024, "100-sockets-MB")
		b.ReportMetric(float64(busy-idle)/1024, "added-MB")
	}
}

// loadCA reads the CA certificate a server process wrote.
func loadCA(path string) (*Certificates, error) {
	dir := strings.TrimSuffix(path, "/"+CAFile)
	c, made, err := LoadOrCreate(dir, time.Now())
	if err != nil || made {
		return nil, fmt.Errorf("the server's CA at %s: %v (made %v)", path, err, made)
	}
	return c, nil
}

func rssKB(b *testing.B, pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skipf("no /proc here: %v", err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// TestBridgeServerProcess is the server of BenchmarkIdleConnectionsRSS
// when run as a helper process; otherwise it does nothing.
func TestBridgeServerProcess(t *testing.T) {
	if os.Getenv("QOLTANBA_BRIDGE_SERVER_PROCESS") != "1" {
		return
	}
	f := newFixture(t)
	port, certs := f.serve(t)
	fmt.Printf("serving %s %s\n", port, certs.CAPath())
	select {} // until killed
}
