package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
)

// aboutState holds the self-test's outcome across rebuilds.
type aboutState struct {
	busy   bool
	result *selfTestResult
}

// selfTestResult is what the self-test found.
type selfTestResult struct {
	CMS, XML   pki.Indication
	Elapsed    time.Duration
	Err        error
	Algorithms string
}

func (r *selfTestResult) ok() bool {
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
	body := container.NewVBox(about, card(T("about.paths"), info), card(T("about.selfTestTitle"), test))
	return page(T("about.title"), T("app.tagline"), body)
}

func (g *App) startSelfTest() {
	if g.about.busy {
		return
	}
	g.about = aboutState{busy: true}
	g.show("about")
	go func() {
		r := selfTest(context.Background())
		runOnUI(func() {
			g.about = aboutState{result: r}
			if g.current == "about" {
				g.show("about")
			}
		})
	}()
}

// selfTest signs a short text as CMS and as XML with a test key generated
// on the fly, and verifies both with the full verification (chain and
// revocation, offline from the test PKI's CRLs). Nothing touches the
// user's keys or data folder.
func selfTest(ctx context.Context) *selfTestResult {
	start := time.Now()
	r := &selfTestResult{}
	cacheDir, err := os.MkdirTemp("", "qoltanba-selftest-")
	if err != nil {
		r.Err = fmt.Errorf("self-test: %w", err)
		return r
	}
	defer os.RemoveAll(cacheDir)
	p, err := testpki.Generate(testpki.Options{Families: []testpki.Family{testpki.FamilyGOST}})
	if err != nil {
		r.Err = fmt.Errorf("self-test: test PKI: %w", err)
		return r
	}
	e := p.Find(testKeyName)
	if e == nil {
		r.Err = fmt.Errorf("self-test: no %s key", testKeyName)
		return r
	}
	r.Algorithms = pki.KeyAlgorithm(e.Cert)
	cache := &pki.Cache{Dir: cacheDir}
	seedTestRevocation(cache, p)
	ts := pki.NewTrustStore("")
	ts.AddAnchor(p.Root(testpki.FamilyGOST).Cert)
	ts.AddIntermediate(p.CA(testpki.FamilyGOST).Cert) // XML signatures carry only the signer's certificate
	v := &pki.Verifier{Trust: ts, Offline: true, Cache: cache}

	content := []byte("Qoltanba self-test " + time.Now().Format(time.RFC3339))
	signed, err := cms.Sign(bytes.NewReader(content), e.Key, e.Cert, e.Chain()[1:], cms.SignOptions{IncludeChain: true})
	if err != nil {
		r.Err = fmt.Errorf("self-test: CMS sign: %w", err)
		return r
	}
	ev, err := cms.Verify(signed, nil)
	if err != nil {
		r.Err = fmt.Errorf("self-test: CMS verify: %w", err)
		return r
	}
	r.CMS = v.Verify(ctx, ev).Worst()

	doc := []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?><selftest>" + string(content) + "</selftest>")
	xml, err := xmldsig.Sign(doc, e.Key, e.Cert, xmldsig.SignOptions{})
	if err != nil {
		r.Err = fmt.Errorf("self-test: XML sign: %w", err)
		return r
	}
	ev, err = xmldsig.Verify(xml)
	if err != nil {
		r.Err = fmt.Errorf("self-test: XML verify: %w", err)
		return r
	}
	r.XML = v.Verify(ctx, ev).Worst()
	r.Elapsed = time.Since(start)
	return r
}
