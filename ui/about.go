package ui

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer/pki"
)

// aboutState holds the self-test's outcome across rebuilds.
type aboutState struct {
	busy   bool
	result *SelfTestResult
}

// SelfTestResult is what the self-test found.
type SelfTestResult struct {
	CMS, XML   pki.Indication
	Elapsed    time.Duration
	Err        error
	Algorithms string
}

func (r *SelfTestResult) ok() bool {
	return r.Err == nil && r.CMS == pki.TotalPassed && r.XML == pki.TotalPassed
}

// aboutScreen: version, where things are, and the self-test.
func (g *App) aboutScreen() fyne.CanvasObject {
	storage := ""
	if st := g.fyne.Storage(); st != nil && st.RootURI() != nil {
		storage = st.RootURI().Path()
	}
	info := fields(
		[2]string{T("about.version"), g.opts.Version},
		[2]string{T("about.platform"), runtime.GOOS + "/" + runtime.GOARCH + ", " + runtime.Version()},
		[2]string{T("about.dataDir"), g.dataDir},
		[2]string{T("about.appStorage"), storage},
		[2]string{T("about.keyFolders"), strings.Join(g.keyFolders(), "\n")},
	)
	run := widget.NewButtonWithIcon(T("about.selfTest"), theme.MediaPlayIcon(), g.startSelfTest)
	run.Importance = widget.HighImportance
	test := container.NewVBox(wrapped(T("about.selfTestHint")), container.NewHBox(run))
	switch r := g.about.result; {
	case g.about.busy:
		run.Disable()
		test.Add(widget.NewProgressBarInfinite())
	case r != nil && r.ok():
		test.Add(banner(levelOK, T("about.selfTestOK"), T("about.selfTestOKText", map[string]any{"Seconds": fmt.Sprintf("%.2f", r.Elapsed.Seconds()), "Algorithms": r.Algorithms})))
	case r != nil:
		detail := ""
		if r.Err != nil {
			detail = r.Err.Error()
		} else {
			detail = fmt.Sprintf("CMS: %s, XML: %s", r.CMS, r.XML)
		}
		test.Add(banner(levelBad, T("about.selfTestFailed"), detail))
	}
	about := wrapped(T("about.text"))
	body := container.NewVBox(about, card(T("about.paths"), info))
	if g.opts.Test != nil && g.opts.Test.SelfTest != nil {
		body.Add(card(T("about.selfTestTitle"), test))
	}
	return page(T("about.title"), T("app.tagline"), body)
}

func (g *App) startSelfTest() {
	if g.about.busy || g.opts.Test == nil || g.opts.Test.SelfTest == nil {
		return
	}
	g.about = aboutState{busy: true}
	g.show("about")
	run := g.opts.Test.SelfTest
	go func() {
		r := run(context.Background())
		runOnUI(func() {
			g.about = aboutState{result: r}
			if g.current == "about" {
				g.show("about")
			}
		})
	}()
}
