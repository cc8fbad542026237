package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"
	"time"
)

const crashEnv = "QOLTANBA_STORE_CRASH_DIR"

// TestCrashChild is the child of TestCrashSafety: it works on the store in
// $QOLTANBA_STORE_CRASH_DIR until it is killed. Signatures are fake bytes:
// this layer stores them without interpreting them.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("child process of TestCrashSafety only")
	}
	ctx := context.Background()
	s, err := Open(dir, Options{InlineLimit: 512, Timeout: 5 * time.Second})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	fmt.Println("ready")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	content := func(n int) []byte {
		b := make([]byte, 1+rng.IntN(n))
		for i := range b {
			b[i] = 'a' + byte(rng.IntN(26))
		}
		return b
	}
	var ids []ID
	for i := 0; ; i++ {
		var err error
		switch op := rng.IntN(6); {
		case op == 0 || len(ids) == 0:
			var docs []Document
			batch := []NewDocument{{Name: "n.txt", Content: content(3000)}}
			if rng.IntN(4) == 0 {
				batch = append(batch, NewDocument{Name: "m.txt", Content: content(100)}, NewDocument{Name: "o.txt", Content: content(2000)})
			}
			if docs, err = s.AddDocuments(ctx, batch); err == nil {
				for _, d := range docs {
					ids = append(ids, d.ID)
				}
			}
		case op == 1:
			_, err = s.AddVersion(ctx, ids[rng.IntN(len(ids))], "e.txt", content(2000))
		case op == 2:
			id := ids[rng.IntN(len(ids))]
			var d Document
			if d, err = s.Document(ctx, id); err == nil {
				ns := fakeSignature(rng.IntN(300))
				_, err = s.AddSignature(ctx, id, d.Version, ns)
			}
		case op == 3:
			_, err = s.SetState(ctx, ids[rng.IntN(len(ids))], States[rng.IntN(len(States))], "")
		default:
			_, err = s.Record(ctx, Event{Action: ActionVerify, Document: ids[rng.IntN(len(ids))], Detail: "ok"})
		}
		_ = err // refused transitions are expected; a crash is what is tested
	}
}

// TestCrashSafety kills a writer with SIGKILL at random moments and checks
// after each kill that the database opens, the journal verifies, and every
// document, version and signature is whole (VerifyJournal re-reads and
// re-hashes every content and signature against the journal).
func TestCrashSafety(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("in the child")
	}
	kills := 50
	if testing.Short() {
		kills = 8
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	ctx := context.Background()
	start := time.Now()
	var docs int
	for i := range kills {
		cmd := exec.Command(exe, "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("kill %d: child did not start: %q %v", i, line, err)
		}
		time.Sleep(time.Duration(5+rand.IntN(120)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		s, err := Open(dir, Options{InlineLimit: 512})
		if err != nil {
			t.Fatalf("after kill %d: open: %v", i, err)
		}
		r, err := s.VerifyJournal(ctx)
		if err != nil || !r.OK {
			s.Close()
			t.Fatalf("after kill %d: %v %+v", i, err, r)
		}
		// Every listed document reads back whole.
		p, err := s.List(ctx, Query{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Documents {
			if _, err := s.Content(ctx, d.ID, d.Version); err != nil {
				t.Fatalf("after kill %d: %v", i, err)
			}
		}
		docs = r.Documents
		s.Close()
	}
	t.Logf("%d kills in %v; %d documents at the end", kills, time.Since(start).Round(time.Millisecond), docs)
}
