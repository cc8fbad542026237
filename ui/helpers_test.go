package ui

import (
	"os"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/internal/sharedtest"
	"github.com/qoltanba/qoltanba/sync/store"
)

// testLoop stands in for Fyne's event loop: workers post to it through
// runOnUI and the test goroutine runs what they posted (onUI, waitFor), so
// widgets are only ever touched by one goroutine, as in the real program.
var testLoop uiQueue

type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) post(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.mu.Unlock()
}

// drain runs everything posted so far, and what that posts in turn.
func (q *uiQueue) drain() {
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, f := range fns {
			f()
		}
	}
}

// onUI runs f as Fyne's goroutine would: after the work already posted.
func onUI(f func()) {
	testLoop.drain()
	f()
}

// testMainHook, when a build-tagged file sets it (glfwprobe), runs the
// tests instead: the real GLFW driver must own the process's main thread,
// which only TestMain runs on.
var testMainHook func(*testing.M) int

func TestMain(m *testing.M) {
	if testMainHook != nil {
		os.Exit(testMainHook(m))
	}
	runOnUI = testLoop.post
	os.Exit(m.Run())
}

// sharedDir is ../shared/sub next to the repository root, or a skip.
func sharedDir(t *testing.T, sub string) string { return sharedtest.Dir(t, sub) }

// newTestApp is the GUI on Fyne's test driver, with its own data folder, an
// in-memory document store, no key folders searched and no token modules.
func newTestApp(t testing.TB) *App {
	t.Helper()
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return newTestAppWith(t, Options{Store: st})
}

// newTestAppWith is newTestApp with options of the test's own (Store,
// OpenStore, DataDir); the rest is filled in as newTestApp does.
func newTestAppWith(t testing.TB, opts Options) *App {
	t.Helper()
	a := test.NewTempApp(t)
	SetLanguage("")
	opts.Version = "test"
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	opts.KeyFolders = func() []string { return nil }
	opts.NoTokens = true
	if opts.Test == nil {
		opts.Test = testFeatures()
	}
	g := New(a, opts)
	g.win.Resize(fyne.NewSize(1040, 700))
	t.Cleanup(func() {
		SetLanguage("")
		onUI(g.Close)
		g.win.Close()
	})
	return g
}

// waitFor polls cond on the test's UI goroutine until it holds or time runs out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ok := false
		onUI(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// visit calls f on every visible object under o, depth first, looking
// inside containers, scrolls, splits and widgets' renderers; f returns
// false to stop there (not to look inside).
func visit(o fyne.CanvasObject, f func(fyne.CanvasObject) bool) {
	if o == nil || !o.Visible() || !f(o) {
		return
	}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			visit(c, f)
		}
	case *container.Scroll:
		visit(v.Content, f)
	case *container.Split:
		visit(v.Leading, f)
		visit(v.Trailing, f)
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			visit(c, f)
		}
	}
}

// texts collects every visible text under o: labels, buttons, canvas texts,
// entries' placeholders, radio and check labels, select options.
func texts(o fyne.CanvasObject) []string {
	var out []string
	visit(o, func(o fyne.CanvasObject) bool {
		switch v := o.(type) {
		case *canvas.Text:
			out = append(out, v.Text)
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		case *widget.Check:
			out = append(out, v.Text)
		case *widget.RadioGroup:
			out = append(out, v.Options...)
		case *widget.Select:
			out = append(out, v.Selected)
		case *widget.Entry:
			out = append(out, v.PlaceHolder)
		case *keyEntry:
			out = append(out, v.PlaceHolder)
		default:
			return true
		}
		return false
	})
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
