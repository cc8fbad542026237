package ui

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/keyfile"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
	"github.com/qoltanba/qoltanba/sync/store"
)

// signJob is a snapshot of what the Sign screen asked for, handed to the
// worker so it never reads widgets or App fields.
type signJob struct {
	file, out, format string
	detached          bool
	tsa               string
	key               keyItem
	tokens            tokenBackend
	// st and verifier record the signing in the document store and the
	// journal (nil st: the store is not open, nothing is recorded).
	st       store.Store
	verifier *pki.Verifier
}

// errExpiredKey: the key's certificate is not valid today; a signature made
// with it would not be valid either.
var errExpiredKey = errors.New("certificate not valid today")

// startSign runs the signing off the UI goroutine.
func (g *App) startSign() {
	s := &g.sign
	k := g.keyByURI(s.keyURI)
	if s.busy || s.file == "" || k == nil {
		return
	}
	job := signJob{file: s.file, out: g.signOutputPath(), format: s.format, detached: s.detached, key: *k, tokens: g.tokenHW, st: g.store}
	if job.st != nil {
		job.verifier = g.newVerifier()
	}
	if s.format == "cms" && s.timestamp && !g.settings.Offline {
		job.tsa = g.settings.TSA
	}
	s.busy, s.result, s.errText, s.warning, s.recorded, s.progress = true, "", "", "", "", 0
	s.stage = T("sign.stageHash")
	g.show("sign")
	g.revealSignEnd()
	ui := &dialogUI{g: g, Test: k.Test}
	go func() {
		out, warning, recorded, err := g.runSign(context.Background(), job, ui)
		runOnUI(func() {
			s.recorded = recorded
			s.busy, s.progress = false, 0
			if err != nil {
				if !errors.Is(err, signer.ErrCancelled) {
					s.errText = signErrorText(err)
				}
			} else {
				s.result, s.warning = out, warning
			}
			if g.current == "sign" {
				g.show("sign")
				g.revealSignEnd()
			}
		})
	}()
}

// setStage updates the stage line and bar; worker side.
func (g *App) setStage(text string, fraction float64) {
	runOnUI(func() {
		g.sign.stage, g.sign.progress = text, fraction
		if g.sign.stageLabel != nil {
			g.sign.stageLabel.SetText(text)
			g.sign.bar.SetValue(fraction)
		}
	})
}

// runSign is the worker: hash (to show what is signed), ask for the
// password with that shown, sign, save.
func (g *App) runSign(ctx context.Context, job signJob, ui *dialogUI) (out, warning, recorded string, err error) {
	out, warning, err = g.signFile(ctx, job, ui, func(sig []byte, cert *x509.Certificate) {
		if job.st == nil {
			recorded = T("sign.notRecordedNoStore")
			return
		}
		id, err := recordFileSigning(ctx, job.st, job.verifier, job.file, job.format, job.detached, sig, pkiIdentity(cert))
		switch {
		case err != nil:
			recorded = T("sign.notRecorded", map[string]any{"Error": err.Error()})
		case id.IsZero():
			recorded = T("sign.journaled")
		default:
			recorded = T("sign.recorded")
		}
	})
	return out, warning, recorded, err
}

// signFile signs job.file and writes the signature; written is called with
// the signature and the certificate once it is saved.
func (g *App) signFile(ctx context.Context, job signJob, ui *dialogUI, written func([]byte, *x509.Certificate)) (out, warning string, err error) {
	info, err := os.Stat(job.file)
	if err != nil {
		return "", "", fmt.Errorf("file to sign: %w", err)
	}
	sum, err := hashFile(job.file, info.Size(), func(f float64) {
		g.sign.progress = f
		if g.sign.bar != nil {
			g.sign.bar.SetValue(f)
		}
	})
	if err != nil {
		return "", "", err
	}
	ui.Summary = g.signSummary(job, info.Size(), sum)
	g.setStage(T("sign.stageKey"), 1)

	key, err := openKey(ctx, job, ui)
	if err != nil {
		return "", "", err
	}
	defer key.Close()
	runOnUI(func() { g.learnCertificate(job.key.URI, key.Certificate) })
	t := now()
	if t.Before(key.Certificate.NotBefore) || t.After(key.Certificate.NotAfter) {
		return "", "", fmt.Errorf("%w: %s – %s", errExpiredKey, key.Certificate.NotBefore.Format(time.DateOnly), key.Certificate.NotAfter.Format(time.DateOnly))
	}

	g.setStage(T("sign.stageSign"), 0)
	data, err := signWith(job, key, info.Size(), func(f float64) {
		g.sign.progress = f
		if g.sign.bar != nil {
			g.sign.bar.SetValue(f)
		}
	})
	if err != nil && !(errors.Is(err, cms.ErrTSA) && data != nil) {
		return "", "", err
	}
	if err != nil {
		warning = T("sign.noTimestamp")
	}
	if err := writeAtomic(job.out, data); err != nil {
		return "", "", err
	}
	written(data, key.Certificate)
	return job.out, warning, nil
}

// signSummary is what the password dialog shows before asking.
func (g *App) signSummary(job signJob, size int64, sum []byte) [][2]string {
	h := hex.EncodeToString(sum)
	keyText := job.key.Label
	if job.key.Cert != nil {
		id := pkiIdentity(job.key.Cert)
		keyText = id.CommonName
		if id.IIN != "" {
			keyText += ", " + T("field.iin") + " " + id.IIN
		}
		if id.Organization != "" {
			keyText += ", " + id.Organization
		}
	}
	format := T("sign.formatXML")
	if job.format == "cms" {
		format = T("sign.formatCMS") + ", " + T("sign.attached")
		if job.detached {
			format = T("sign.formatCMS") + ", " + T("sign.detached")
		}
	}
	rows := [][2]string{
		{T("secret.document"), filepath.Base(job.file)},
		{T("secret.size"), humanSize(size)},
		{"SHA-256", h[:8] + "…" + h[len(h)-8:]},
		{T("secret.format"), format},
		{T("secret.key"), keyText},
	}
	if job.tsa != "" {
		rows = append(rows, [2]string{T("secret.tsa"), job.tsa})
	}
	return rows
}

// openKey opens the job's key, asking for the password or PIN through ui;
// a wrong password is said plainly and asked again.
func openKey(ctx context.Context, job signJob, ui *dialogUI) (*signer.Key, error) {
	if job.key.Source == sourceToken {
		if job.tokens == nil {
			return nil, fmt.Errorf("token key %s: %w", job.key.Label, signer.ErrNoKey)
		}
		return job.tokens.Open(ctx, job.key.URI, ui)
	}
	for {
		password, err := ui.RequestSecret(ctx, T("secret.promptFile"))
		if err != nil {
			return nil, err
		}
		key, err := keyfile.Open(job.key.URI, password)
		signer.Zero(password)
		if errors.Is(err, signer.ErrWrongPassword) {
			ui.refuse(T("error.wrongPassword"))
			continue
		}
		if err != nil {
			return nil, err
		}
		return key, nil
	}
}

// signWith makes the signature: CMS streams the file (progress as it is
// read), XMLDSig reads the document whole (bounded by xmldsig's limit).
// With a TSA failure the untimestamped CMS is returned with the error.
func signWith(job signJob, key *signer.Key, size int64, progress func(float64)) ([]byte, error) {
	if job.format == "xml" {
		doc, err := os.ReadFile(job.file)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", job.file, err)
		}
		out, err := xmldsig.Sign(doc, key.Signer, key.Certificate, xmldsig.SignOptions{Style: xmldsig.StyleNCALayer})
		if err != nil {
			return nil, fmt.Errorf("sign %s: %w", job.file, err)
		}
		return out, nil
	}
	f, err := os.Open(job.file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opts := cms.SignOptions{Detached: job.detached, IncludeChain: true}
	out, err := cms.Sign(newProgressReader(f, size, progress), key.Signer, key.Certificate, key.Chain, opts)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", job.file, err)
	}
	if job.tsa != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		stamped, err := cms.AddTimestamp(ctx, out, &cms.TSAClient{URL: job.tsa})
		if err != nil {
			return out, fmt.Errorf("timestamp from %s: %w", job.tsa, err)
		}
		out = stamped
	}
	return out, nil
}

// hashFile is the SHA-256 of a file, with progress on the way.
func hashFile(path string, size int64, progress func(float64)) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, newProgressReader(f, size, progress)); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return h.Sum(nil), nil
}

// writeAtomic writes through a temporary file and a rename, so an
// interrupted write leaves nothing half-done.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// signErrorText is a plain message for a failed signing.
func signErrorText(err error) string {
	switch {
	case errors.Is(err, errExpiredKey):
		return T("error.keyNotValid")
	case errors.Is(err, xmldsig.ErrNotXML):
		return T("error.notXML")
	case errors.Is(err, signer.ErrWrongPassword), errors.Is(err, signer.ErrPINLocked), errors.Is(err, signer.ErrNoKey):
		return keyErrorText(err)
	}
	return T("error.signFailed", map[string]any{"Error": err.Error()})
}

func pkiIdentity(c *x509.Certificate) pki.Identity { return pki.IdentityOf(c, now()) }

func urlOf(u fyne.URI) (*url.URL, error) { return url.Parse(u.String()) }
