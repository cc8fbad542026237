package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/store"
)

// storeState says where the document store stands. The store is opened off
// the path to the first frame (bbolt may wait up to a second for the lock of
// another Qoltanba), so the Documents screen starts in storeOpening.
type storeState int

const (
	storeOpening storeState = iota
	storeReady
	storeLocked // another Qoltanba holds the database
	storeFailed
)

// openStoreAsync opens the store on a worker goroutine and hands it to the
// GUI through fyne.Do. If the GUI was closed meanwhile, the store is closed
// at once so that the lock is released.
func (g *App) openStoreAsync() {
	if g.opts.Store != nil {
		g.store, g.storeState = g.opts.Store, storeReady
		g.core.Store = g.store
		return
	}
	open := g.opts.OpenStore
	if open == nil {
		dir := g.dataDir
		open = func() (store.Store, error) { return store.Open(dir, store.Options{}) }
	}
	g.storeState = storeOpening
	go func() {
		st, err := open()
		g.storeMu.Lock()
		if g.closed {
			g.storeMu.Unlock()
			if err == nil {
				st.Close()
			}
			return
		}
		g.pending = st
		g.storeMu.Unlock()
		runOnUI(func() {
			g.storeMu.Lock()
			if g.closed {
				g.storeMu.Unlock()
				return
			}
			if err == nil {
				g.store = g.pending
				g.core.Store = g.store
			}
			g.pending = nil
			g.storeMu.Unlock()
			g.storeErr = err
			switch {
			case err == nil:
				g.storeState = storeReady
			case errors.Is(err, store.ErrLocked):
				g.storeState = storeLocked
				fyne.LogError("open the document store", err)
			default:
				g.storeState = storeFailed
				fyne.LogError("open the document store", err)
			}
			if g.current == "documents" {
				g.show("documents")
				if err == nil {
					g.loadDocs()
				}
			}
		})
	}()
}

// Close releases what the GUI holds: the document store (its lock) and the
// token modules. ShowAndRun calls it after the window closes; tests call it.
func (g *App) Close() {
	g.stopTokenWatch()
	g.closeTokens()
	g.storeMu.Lock()
	if g.closed {
		g.storeMu.Unlock()
		return
	}
	g.closed = true
	st := g.store
	if st == nil {
		st = g.pending
	}
	g.store, g.pending = nil, nil
	g.storeMu.Unlock()
	if st != nil {
		if err := st.Close(); err != nil {
			fyne.LogError("close the document store", err)
		}
	}
}

// storeProblem is the message for a store that is not there, or "".
func (g *App) storeProblem() (title, text string) {
	switch g.storeState {
	case storeOpening:
		return T("documents.opening"), ""
	case storeLocked:
		return T("documents.locked"), T("documents.lockedText", map[string]any{"Dir": g.dataDir})
	case storeFailed:
		return T("documents.failed"), T("documents.failedText", map[string]any{"Error": fmt.Sprint(g.storeErr)})
	}
	return "", ""
}

// recordFileSigning puts a file signed on the Sign screen in the store: a
// file within the store's size limit becomes a document with the new
// signature and its verification report (import and sign entries in the
// journal); a larger one is journaled as a key event naming the file and
// the signature's digest. Runs on the signing worker; returns the
// document's id (zero when only journaled).
func recordFileSigning(ctx context.Context, st store.Store, v *pki.Verifier, file, format string, detached bool, sig []byte, signer pki.Identity) (store.ID, error) {
	if st == nil {
		return store.ID{}, nil
	}
	certFP := fingerprintDigest(signer.Fingerprint)
	info, err := os.Stat(file)
	if err != nil {
		return store.ID{}, fmt.Errorf("record the signing: %w", err)
	}
	if info.Size() > store.DefaultMaxContentSize {
		sum := sha256.Sum256(sig)
		_, err := st.Record(ctx, store.Event{Action: store.ActionKey, Digest: sum, Certificate: certFP,
			Detail: truncateDetail(fmt.Sprintf("signed %s (%s, %d bytes, not stored: larger than the store's limit) as %s",
				filepath.Base(file), format, info.Size(), filepath.Base(file)+sigExt(format)))})
		if err != nil {
			return store.ID{}, fmt.Errorf("journal the signing: %w", err)
		}
		return store.ID{}, nil
	}
	content, err := os.ReadFile(file)
	if err != nil {
		return store.ID{}, fmt.Errorf("record the signing: %w", err)
	}
	ev, err := docsign.Examine(format, sig, content, detached)
	if err != nil {
		return store.ID{}, fmt.Errorf("check the new signature: %w", err)
	}
	report := v.Verify(ctx, ev)
	reportJSON, err := json.Marshal(report)
	if err != nil {
		return store.ID{}, fmt.Errorf("encode report: %w", err)
	}
	d, err := st.AddDocument(ctx, store.NewDocument{Name: filepath.Base(file), Content: content})
	if err != nil {
		return store.ID{}, fmt.Errorf("store the document: %w", err)
	}
	signingTime := report.VerifiedAt
	for _, s := range report.Signatures {
		if s.Signer.Fingerprint == signer.Fingerprint && !s.SigningTime.IsZero() {
			signingTime = s.SigningTime
		}
	}
	storeFormat := "cms"
	if format == "xml" {
		storeFormat = "xmldsig"
	}
	_, err = st.AddSignature(ctx, d.ID, d.Version, store.NewSignature{Format: storeFormat, Detached: detached, Bytes: sig,
		Signer: store.SignerOf(signer), SigningTime: signingTime, Origin: "made", Report: reportJSON})
	if err != nil {
		return d.ID, fmt.Errorf("store the signature: %w", err)
	}
	return d.ID, nil
}

// recordVerification journals a verification done on the Verify screen:
// the report's digest, the first signer's certificate and the verdict.
func recordVerification(ctx context.Context, st store.Store, file string, r *pki.Report) error {
	if st == nil || r == nil {
		return nil
	}
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	ev := store.Event{Action: store.ActionVerify, Digest: sha256.Sum256(data),
		Detail: truncateDetail(fmt.Sprintf("%s: %s, %d signature(s)", filepath.Base(file), r.Worst(), len(r.Signatures)))}
	if len(r.Signatures) > 0 {
		ev.Certificate = fingerprintDigest(r.Signatures[0].Signer.Fingerprint)
	}
	if _, err := st.Record(ctx, ev); err != nil {
		return fmt.Errorf("journal the verification: %w", err)
	}
	return nil
}

func sigExt(format string) string {
	if format == "xml" {
		return ".signed.xml"
	}
	return ".cms"
}

// fingerprintDigest reads a hex SHA-256 fingerprint (zero if malformed).
func fingerprintDigest(s string) store.Digest32 {
	var d store.Digest32
	if b, err := hex.DecodeString(s); err == nil && len(b) == len(d) {
		copy(d[:], b)
	}
	return d
}

func truncateDetail(s string) string {
	const limit = 1000
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…"
}

// storeTimeout bounds the store operations the screens start.
const storeTimeout = 30 * time.Second
