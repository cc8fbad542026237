//go:build glfwprobe

package ui

import (
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/progress"

	"fyne.io/fyne/v2/app"
)

// TestGUIWhileSigning signs a large file (1 GB unless told otherwise)
// through the real program's GUI code on Fyne's GLFW driver: the Sign
// screen's worker, progress bar, password dialog and result screen. Meanwhile
// one goroutine posts an empty function to the event loop every 10 ms and
// records how long each waited, and another captures the window every
// 200 ms (xwd); the same runs first with the window idle. It prints the figures
// of issue 6 and fails only when the signing does: timings are reported,
// never judged (scripts/bench/gui.sh runs it under Xvfb).
//
// Environment (all optional): QOLTANBA_PROBE_FILE, the file to sign (else a
// sparse file of QOLTANBA_PROBE_MB megabytes, 1024, with random blocks);
// QOLTANBA_PROBE_KEY and QOLTANBA_PROBE_PASSWORD_FILE, the key (else the
// welcome screen's GOST TEST key); QOLTANBA_PROBE_IDLE, seconds of idle
// measurement (3); QOLTANBA_PROBE_CAPTURE_MS, the interval of the screen
// dumps (200; 0: none, to see the latency without their load);
// QOLTANBA_PROBE_PROGRESS_MS, the shortest time between progress reports
// (progress.Interval, 100).
func TestGUIWhileSigning(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no X display: run scripts/bench/gui.sh, which starts Xvfb")
	}
	if _, err := exec.LookPath("xwd"); err != nil {
		t.Skip("no xwd to capture the screen (x11-apps: scripts/deps.sh shots)")
	}
	cfg := probeSetup(t)
	g := startGLFWApp(t, cfg)
	onLoop(func() {
		g.addKeyFile(cfg.key, true)
		g.sign.keyURI = cfg.key
		g.sign.format, g.sign.detached, g.sign.timestamp = "cms", true, false
		g.sign.outDir = cfg.outDir
		g.show("sign")
	})

	idle := measure(g, func() { time.Sleep(cfg.idle) })

	var started, asked, answered, done time.Time
	cpuBefore := processCPU()
	signing := measure(g, func() {
		started = time.Now()
		onLoop(g.startSign)
		pollLoop(t, "the password dialog", func() bool { return g.secret != nil || !g.sign.busy })
		asked = time.Now()
		onLoop(func() {
			if g.secret == nil {
				return // failed before asking: reported below
			}
			g.secret.entry.SetText(string(cfg.password))
			g.secret.submit()
		})
		answered = time.Now()
		pollLoop(t, "the result screen", func() bool { return !g.sign.busy })
		done = time.Now()
	})
	cpu := processCPU() - cpuBefore

	var errText, result string
	onLoop(func() { errText, result = g.sign.errText, g.sign.result })
	if errText != "" || result == "" {
		t.Fatalf("signing failed: %q", errText)
	}
	if st, err := os.Stat(result); err != nil || st.Size() == 0 {
		t.Fatalf("signature %s: %v", result, err)
	}

	for _, p := range []phase{idle, signing} {
		if captureEvery > 0 && len(p.frames) == 0 {
			t.Fatalf("no capture of the screen: %v", p.err)
		}
	}
	saveShots(t, "idle", idle)
	saveShots(t, "signing", signing)
	mb := float64(cfg.size) / (1 << 20)
	hashing := signing.between(started, asked)
	signPass := signing.between(answered, done)
	hashSecs, signSecs := asked.Sub(started).Seconds(), done.Sub(answered).Seconds()

	fmt.Printf("\nKey %s; file %.0f MB (%s); detached CMS; GOMAXPROCS=%d\n", filepath.Base(cfg.key), mb, cfg.fileKind, cfg.procs)
	fmt.Printf("\n## Event-loop latency: an empty fyne.Do posted every %d ms, time until it ran\n", probeEvery.Milliseconds())
	fmt.Printf("(control: a goroutine's 10 ms sleeps, how late they woke: the CPU the process got, without Fyne)\n")
	fmt.Printf("| phase | seconds | posts | p50 ms | p99 ms | max ms | > 50 ms | > 100 ms | control p99 ms | control max ms |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range []struct {
		name string
		p    phase
	}{
		{"idle (Sign screen shown)", idle},
		{"signing: SHA-256 pass for the dialog's summary", hashing},
		{"signing: key, signature pass, save, journal", signPass},
		{"signing: whole (start → result screen)", signing},
	} {
		l := r.p.lat
		fmt.Printf("| %s | %.1f | %d | %.2f | %.2f | %.1f | %d | %d | %.2f | %.1f |\n", r.name, r.p.seconds(), len(l),
			ms(l.pct(50)), ms(l.pct(99)), ms(l.max()), l.over(50*time.Millisecond), l.over(100*time.Millisecond),
			ms(r.p.late.pct(99)), ms(r.p.late.max()))
	}

	fmt.Printf("\n## Repaints: the X screen dumped (xwd -root) every %d ms\n", captureEvery.Milliseconds())
	fmt.Printf("| phase | captures | changed since the previous | distinct images | changes/s | progress values seen |\n|---|---|---|---|---|---|\n")
	for _, r := range []struct {
		name string
		p    phase
	}{{"idle", idle}, {"signing: SHA-256 pass", hashing}, {"signing: signature pass", signPass}, {"signing: whole", signing}} {
		s := summarize(r.p.frames)
		rate := 0.0
		if s.seconds > 0 {
			rate = float64(s.changes) / s.seconds
		}
		fmt.Printf("| %s | %d | %d | %d | %.1f | %d |\n", r.name, s.captures, s.changes, s.distinct, rate, s.values)
	}
	for _, r := range []struct {
		name string
		p    phase
	}{{"SHA-256 pass", hashing}, {"signature pass", signPass}} {
		s := summarize(r.p.frames)
		fmt.Printf("progress bar, %s: %.3f → %.3f, never went back: %v\n", r.name, s.firstBar, s.lastBar, s.monotonic)
	}
	fmt.Printf("a capture (xwd -root, its own process; the bar read through one fyne.Do) took %.0f ms on average\n", ms(signing.meanCapture()))
	fmt.Printf("\nslowest posts while signing (time since start, wait, screen state):\n")
	for _, s := range signing.slowest(5) {
		fmt.Printf("  +%6.2f s  %6.1f ms  %s\n", s.at.Sub(started).Seconds(), ms(s.wait), s.state)
	}

	fmt.Printf("\n## Signing %.0f MB in the GUI\n| step | seconds | MB/s |\n|---|---|---|\n", mb)
	fmt.Printf("| SHA-256 pass for the password dialog (start → dialog) | %.2f | %.0f |\n", hashSecs, mb/hashSecs)
	fmt.Printf("| key, signature pass, save, journal (password → result) | %.2f | %.0f |\n", signSecs, mb/signSecs)
	fmt.Printf("| total, without the time at the dialog | %.2f | %.0f |\n", hashSecs+signSecs, mb/(hashSecs+signSecs))
	fmt.Printf("CPU used by the process (signing, drawing, the probes) while signing: %.1f s over %.1f s\n", cpu.Seconds(), signing.seconds())
	// One line for scripts/bench/gui.sh to set beside the CLI's time.
	fmt.Printf("gui-sign mb=%.0f hash=%.3f sign=%.3f total=%.3f cpu=%.3f\n", mb, hashSecs, signSecs, hashSecs+signSecs, cpu.Seconds())
}

const probeEvery = 10 * time.Millisecond

// captureEvery is how often the screen is dumped (QOLTANBA_PROBE_CAPTURE_MS,
// 0 for never): xwd costs the X server some 50–150 ms of a shared core, so
// 5 Hz, not more.
var captureEvery = 200 * time.Millisecond

// probeConfig is what the probe signs, with which key, where.
type probeConfig struct {
	file, fileKind, key string
	password            []byte
	size                int64
	dataDir, outDir     string
	idle                time.Duration
	procs               int
}

func probeSetup(t *testing.T) probeConfig {
	t.Helper()
	dir := t.TempDir()
	// Fyne files the preferences (the remembered key paths) under the
	// user's config folder: keep the user's own out of the probe's way.
	// Not in t.TempDir: Fyne's settings watcher outlives the window and
	// makes the folder again when it is removed, so glfwProbeMain removes
	// it as the process ends.
	config, err := os.MkdirTemp("", "qoltanba-glfwprobe-config-")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", config)
	probeConfigDir = config
	cfg := probeConfig{dataDir: filepath.Join(dir, "data"), outDir: filepath.Join(dir, "out"), idle: 3 * time.Second, procs: runtime.GOMAXPROCS(0)}
	for _, d := range []string{cfg.dataDir, cfg.outDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if s := os.Getenv("QOLTANBA_PROBE_CAPTURE_MS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			t.Fatalf("QOLTANBA_PROBE_CAPTURE_MS=%q", s)
		}
		captureEvery = time.Duration(n) * time.Millisecond
	}
	if s := os.Getenv("QOLTANBA_PROBE_PROGRESS_MS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("QOLTANBA_PROBE_PROGRESS_MS=%q", s)
		}
		progress.Interval = time.Duration(n) * time.Millisecond
	}
	if s := os.Getenv("QOLTANBA_PROBE_IDLE"); s != "" {
		secs, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("QOLTANBA_PROBE_IDLE: %v", err)
		}
		cfg.idle = time.Duration(secs * float64(time.Second))
	}

	cfg.key, cfg.password = os.Getenv("QOLTANBA_PROBE_KEY"), []byte(TestKeyPassword)
	if cfg.key == "" {
		key, err := createTestKey(cfg.dataDir)
		if err != nil {
			t.Fatal(err)
		}
		cfg.key = key
	} else if pf := os.Getenv("QOLTANBA_PROBE_PASSWORD_FILE"); pf != "" {
		pw, err := os.ReadFile(pf)
		if err != nil {
			t.Fatalf("password file: %v", err)
		}
		cfg.password = []byte(strings.TrimRight(string(pw), "\r\n"))
	}
	if abs, err := filepath.Abs(cfg.key); err == nil {
		cfg.key = abs
	}

	cfg.file, cfg.fileKind = os.Getenv("QOLTANBA_PROBE_FILE"), "given"
	if cfg.file == "" {
		mb := int64(1024)
		if s := os.Getenv("QOLTANBA_PROBE_MB"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				t.Fatalf("QOLTANBA_PROBE_MB=%q", s)
			}
			mb = n
		}
		cfg.file, cfg.fileKind = filepath.Join(dir, "big.bin"), "sparse, 16 random blocks"
		if err := sparseFile(cfg.file, mb<<20); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(cfg.file)
	if err != nil {
		t.Fatal(err)
	}
	cfg.size = st.Size()
	return cfg
}

// sparseFile makes a file of size bytes quickly: a hole with 16 random
// 1 MB blocks spread over it. Reading a hole costs no disk, so the figures
// are the signing's own, as with a file in the page cache.
func sparseFile(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("sparse file: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("sparse file: %w", err)
	}
	block := make([]byte, 1<<20)
	for i := int64(0); i < 16; i++ {
		off := size / 16 * i
		n := min(int64(len(block)), size-off)
		if _, err := rand.Read(block[:n]); err != nil {
			return err
		}
		if _, err := f.WriteAt(block[:n], off); err != nil {
			return fmt.Errorf("sparse file: %w", err)
		}
	}
	return f.Close()
}

// startGLFWApp builds the App as cmd/qoltanba does (app.NewWithID, New,
// ShowAndRun, all on the main thread) and waits for its first frame; the
// test's end quits it.
func startGLFWApp(t *testing.T, cfg probeConfig) *App {
	t.Helper()
	ready, stopped := make(chan struct{}), make(chan struct{})
	var g *App
	mainThread <- func() {
		defer close(stopped)
		a := app.NewWithID(AppID + ".glfwprobe")
		g = New(a, Options{
			Version:    "glfwprobe",
			DataDir:    cfg.dataDir,
			Language:   "en",
			Screen:     "sign",
			Open:       cfg.file,
			KeyFolders: func() []string { return nil },
			NoTokens:   true,
			FirstFrame: func() { close(ready) },
		})
		g.ShowAndRun()
	}
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("no first frame within a minute")
	}
	t.Cleanup(func() {
		runOnUI(g.fyne.Quit)
		select {
		case <-stopped:
		case <-time.After(30 * time.Second):
			t.Error("the window did not close")
		}
	})
	return g
}

// onLoop runs f on Fyne's goroutine, waits for it, and says how long the
// post waited before f started.
func onLoop(f func()) time.Duration {
	posted := time.Now()
	waited := make(chan time.Duration, 1)
	runOnUI(func() {
		w := time.Since(posted)
		f()
		waited <- w
	})
	return <-waited
}

// pollLoop checks cond on Fyne's goroutine every 50 ms until it holds.
func pollLoop(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		ok := false
		onLoop(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// sample is one probe post: when it was posted, how long it waited, and
// what the Sign screen was doing when it ran.
type sample struct {
	at    time.Time
	wait  time.Duration
	state string
}

// phase is what the probe and the captures saw over a stretch of time.
type phase struct {
	from, to time.Time
	samples  []sample
	lat      latencies
	// late is how much a plain goroutine's 10 ms sleeps overslept: the
	// process's share of the CPU, apart from anything Fyne does. A post
	// that waits while the sleeps run late waited for a core, not for the
	// event loop.
	late     latencies
	lateAt   []time.Time
	frames   []frame
	captures []time.Duration // time each capture took (xwd, a process of its own)
	err      error           // the last capture's failure
	// first and last are the first and last captures (XWD dumps), kept
	// for QOLTANBA_PROBE_SHOTS.
	first, last []byte
}

func (p phase) seconds() float64 { return p.to.Sub(p.from).Seconds() }

// between is the part of p from a to b.
func (p phase) between(a, b time.Time) phase {
	out := phase{from: a, to: b}
	for _, s := range p.samples {
		if !s.at.Before(a) && s.at.Before(b) {
			out.samples = append(out.samples, s)
			out.lat = append(out.lat, s.wait)
		}
	}
	for _, f := range p.frames {
		if !f.at.Before(a) && f.at.Before(b) {
			out.frames = append(out.frames, f)
		}
	}
	for i, at := range p.lateAt {
		if !at.Before(a) && at.Before(b) {
			out.late = append(out.late, p.late[i])
			out.lateAt = append(out.lateAt, at)
		}
	}
	return out
}

func (p phase) meanCapture() time.Duration {
	if len(p.captures) == 0 {
		return 0
	}
	var sum time.Duration
	for _, c := range p.captures {
		sum += c
	}
	return sum / time.Duration(len(p.captures))
}

// signStateText is what the Sign screen is at, for the slowest posts.
func signStateText(g *App) string {
	switch {
	case g.secret != nil:
		return "password dialog"
	case g.sign.busy:
		return fmt.Sprintf("%s %.0f%%", g.sign.stage, 100*g.sign.progress)
	case g.sign.result != "" || g.sign.errText != "":
		return "result"
	}
	return "idle"
}

// slowest are the n posts that waited longest.
func (p phase) slowest(n int) []sample {
	s := slices.Clone(p.samples)
	slices.SortFunc(s, func(a, b sample) int { return int(b.wait - a.wait) })
	return s[:min(n, len(s))]
}

// measure runs work while the latency probe and the captures run.
func measure(g *App, work func()) phase {
	stop := make(chan struct{})
	probed, captured := make(chan []sample, 1), make(chan phase, 1)
	go func() { // the latency probe
		var out []sample
		tick := time.NewTicker(probeEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				probed <- out
				return
			case <-tick.C:
			}
			s := sample{at: time.Now()}
			s.wait = onLoop(func() { s.state = signStateText(g) })
			out = append(out, s)
		}
	}()
	go func() { // the captures
		var p phase
		if captureEvery == 0 {
			<-stop
			captured <- p
			return
		}
		tick := time.NewTicker(captureEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				captured <- p
				return
			case <-tick.C:
			}
			var f frame
			onLoop(func() {
				f = frame{stage: g.sign.stage, bar: g.sign.progress, busy: g.sign.busy}
				if g.sign.bar != nil {
					f.bar = g.sign.bar.Value
				}
			})
			f.at = time.Now()
			shot, err := xwdRoot()
			p.captures = append(p.captures, time.Since(f.at))
			if err != nil {
				p.err = err
				continue
			}
			f.sum = fnvSum(xwdPixels(shot))
			if p.first == nil {
				p.first = shot
			}
			p.last = shot
			p.frames = append(p.frames, f)
		}
	}()
	slept := make(chan phase, 1)
	go func() { // the control: sleeps, without Fyne
		var p phase
		for {
			select {
			case <-stop:
				slept <- p
				return
			default:
			}
			t0 := time.Now()
			time.Sleep(probeEvery)
			p.late = append(p.late, max(0, time.Since(t0)-probeEvery))
			p.lateAt = append(p.lateAt, t0)
		}
	}()
	from := time.Now()
	work()
	to := time.Now()
	close(stop)
	p := <-captured
	p.from, p.to, p.samples = from, to, <-probed
	control := <-slept
	p.late, p.lateAt = control.late, control.lateAt
	for _, s := range p.samples {
		p.lat = append(p.lat, s.wait)
	}
	return p
}

// processCPU is the user and system time the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// saveShots writes p's first and last captures as XWD files into
// $QOLTANBA_PROBE_SHOTS, if set: to see what the window showed
// (convert xwd:signing-last.xwd signing-last.png).
func saveShots(t *testing.T, name string, p phase) {
	dir := os.Getenv("QOLTANBA_PROBE_SHOTS")
	if dir == "" {
		return
	}
	for which, shot := range map[string][]byte{"first": p.first, "last": p.last} {
		if shot == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+which+".xwd"), shot, 0o644); err != nil {
			t.Error(err)
		}
	}
}
