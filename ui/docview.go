package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// docDetail is everything the opened document shows, read in one go on a
// worker.
type docDetail struct {
	doc      store.Document
	versions []store.Version
	sigs     []store.Signature // all versions', newest version first
	journal  []store.Entry
	content  []byte // the current version's
	// link and receipts: the document's portal side, when it has one.
	link     *store.Link
	receipts []store.Receipt
}

// previewLimit bounds the text shown of a document: a label with megabytes
// of text would stall the window.
const previewLimit = 16 << 10

// openDocument selects a document and loads it on a worker.
func (g *App) openDocument(id store.ID) {
	s := &g.docs
	s.selected, s.detailErr = id, ""
	if s.detail != nil && s.detail.doc.ID != id {
		s.detail = nil
	}
	g.loadDetail(id)
}

func (g *App) loadDetail(id store.ID) {
	st := g.store
	if st == nil {
		return
	}
	g.docs.detailSeq++
	seq := g.docs.detailSeq
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		d, err := readDetail(ctx, st, id)
		runOnUI(func() {
			s := &g.docs
			if s.selected != id || seq < s.detailAt {
				return
			}
			s.detail, s.detailErr = d, ""
			if err != nil {
				s.detail, s.detailErr = nil, err.Error()
			}
			g.fillDetail()
			s.detailAt = seq
		})
	}()
}

func readDetail(ctx context.Context, st store.Store, id store.ID) (*docDetail, error) {
	d, err := st.Document(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("read document %s: %w", id, err)
	}
	det := &docDetail{doc: d}
	if det.versions, err = st.Versions(ctx, id); err != nil {
		return nil, fmt.Errorf("read versions of %s: %w", id, err)
	}
	for i := len(det.versions) - 1; i >= 0; i-- {
		sigs, err := st.Signatures(ctx, id, det.versions[i].Number)
		if err != nil {
			return nil, fmt.Errorf("read signatures of %s: %w", id, err)
		}
		det.sigs = append(det.sigs, sigs...)
	}
	if det.journal, err = st.Journal(ctx, store.JournalQuery{Document: id}); err != nil {
		return nil, fmt.Errorf("read journal of %s: %w", id, err)
	}
	if det.content, err = st.Content(ctx, id, d.Version); err != nil {
		return nil, fmt.Errorf("read content of %s: %w", id, err)
	}
	readPortal(ctx, st, det)
	return det, nil
}

// fillDetail puts the opened document in the right-hand pane.
func (g *App) fillDetail() {
	s := &g.docs
	if s.detailBox == nil {
		return
	}
	var o fyne.CanvasObject
	switch {
	case s.detailErr != "":
		o = banner(levelBad, T("documents.openFailed"), s.detailErr)
	case s.detail == nil && s.selected.IsZero():
		hint := wrapped(T("documents.pick"))
		hint.Alignment = fyne.TextAlignCenter
		icon := widget.NewIcon(theme.UploadIcon())
		o = container.NewVBox(container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(48), icon)), hint)
	case s.detail == nil:
		o = loading()
	default:
		o = g.detailView(s.detail)
	}
	s.detailBox.Objects = []fyne.CanvasObject{o}
	s.detailBox.Refresh()
}

func (g *App) detailView(det *docDetail) fyne.CanvasObject {
	d := det.doc
	title := bold(d.Title)
	title.SizeName = theme.SizeNameSubHeadingText
	head := container.NewBorder(nil, nil, nil, stateBadge(d.State), title)

	signBtn := widget.NewButtonWithIcon(T("documents.sign"), theme.DocumentCreateIcon(), func() { g.docSignDialog(d.ID) })
	signBtn.Importance = widget.HighImportance
	if !signableState(d.State) || g.docs.busy {
		signBtn.Disable()
	}
	exportBtn := widget.NewButtonWithIcon(T("documents.export"), theme.DocumentSaveIcon(), func() { g.chooseExport(d) })
	if g.docs.busy {
		exportBtn.Disable()
	}
	paperBtn := widget.NewButtonWithIcon(T("documents.paperCopy"), theme.DocumentPrintIcon(), func() { g.choosePaperCopy(d) })
	if g.docs.busy {
		paperBtn.Disable()
	}
	actions := actionRow(signBtn, exportBtn, paperBtn)
	if b := g.sendButton(det); b != nil {
		actions.Add(b)
	}
	if l := det.link; l != nil && l.Direction == "incoming" && l.Status == "awaiting_signature" {
		// A document a portal waits for is signed with "Sign and send":
		// a signature kept here only would leave the portal waiting.
		signBtn.Hide()
	}
	box := container.NewVBox(head, actions)
	if g.docs.busy {
		box.Add(widget.NewProgressBarInfinite())
	}
	if det.link != nil {
		box.Add(g.portalCard(det))
	}
	box.Add(card(T("documents.signatures"), signaturesView(det.sigs)))
	box.Add(fields(
		[2]string{T("documents.kind"), kindText(d.Kind)},
		[2]string{T("documents.counterparty"), d.Counterparty},
		[2]string{T("documents.file"), d.Name},
		[2]string{T("documents.type"), mediaTypeText(d.MediaType)},
		[2]string{T("secret.size"), humanSize(d.Size)},
		[2]string{T("documents.created"), shortTime(d.Created)},
		[2]string{T("documents.modified"), shortTime(d.Modified)},
		[2]string{"SHA-256", d.SHA256.String()},
		[2]string{T("documents.id"), d.ID.String()},
	))
	// The content last: a long text must not push the versions and the
	// journal out of sight.
	box.Add(card(T("documents.versions"), versionsView(det.versions, d.Version)))
	box.Add(card(T("documents.journal"), journalView(det.journal)))
	box.Add(card(T("documents.content"), contentPreview(d, det.content)))
	return box
}

// mediaTypeText names a media type for people ("text/plain;
// charset=utf-8" is "Text").
func mediaTypeText(mt string) string {
	base, _, _ := strings.Cut(mt, ";")
	base = strings.TrimSpace(strings.ToLower(base))
	switch {
	case base == "application/pdf":
		return T("mediatype.pdf")
	case strings.HasSuffix(base, "/xml") || strings.HasSuffix(base, "+xml"):
		return T("mediatype.xml")
	case strings.HasSuffix(base, "/json"):
		return T("mediatype.json")
	case strings.HasPrefix(base, "text/"):
		return T("mediatype.text")
	case strings.HasPrefix(base, "image/"):
		return T("mediatype.image", map[string]any{"Format": strings.ToUpper(strings.TrimPrefix(base, "image/"))})
	case base == "":
		return T("mediatype.other", map[string]any{"Type": "?"})
	}
	return T("mediatype.other", map[string]any{"Type": base})
}

// signableState: the store adds signatures in these states only.
func signableState(s store.State) bool {
	return s == store.StateDraft || s == store.StateReady || s == store.StateSigned
}

// contentPreview shows text and XML as text, images as images, and
// describes PDFs and anything else.
func contentPreview(d store.Document, content []byte) fyne.CanvasObject {
	mt := d.MediaType
	switch {
	case strings.HasPrefix(mt, "image/png"), strings.HasPrefix(mt, "image/jpeg"), strings.HasPrefix(mt, "image/gif"):
		img := canvas.NewImageFromReader(bytes.NewReader(content), d.Name)
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(420, 300))
		return img
	case mt == "application/pdf":
		return wrapped(pdfDescription(content))
	case isTextType(mt) || (utf8.Valid(content[:min(len(content), 4096)]) && !bytes.ContainsRune(content[:min(len(content), 4096)], 0)):
		text := content
		more := ""
		if len(text) > previewLimit {
			text = text[:previewLimit]
			more = "\n" + T("documents.truncated", map[string]any{"Size": humanSize(int64(len(content)))})
		}
		l := widget.NewLabel(strings.ToValidUTF8(string(text), "�") + more)
		l.Wrapping = fyne.TextWrapWord // whole words; long unbroken lines still wrap
		l.TextStyle.Monospace = true
		l.Selectable = true
		return l
	}
	return wrapped(T("documents.binary", map[string]any{"Type": mt, "Size": humanSize(int64(len(content)))}))
}

func isTextType(mt string) bool {
	return strings.HasPrefix(mt, "text/") || strings.Contains(mt, "xml") || strings.Contains(mt, "json")
}

// pdfPage matches a page object (/Type /Page, not /Pages). Counting them
// is a cheap estimate: compressed object streams hide pages from it.
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// pdfDescription describes a PDF by version, size and (when visible) pages.
func pdfDescription(content []byte) string {
	version := ""
	if bytes.HasPrefix(content, []byte("%PDF-")) && len(content) >= 8 {
		version = string(content[5:8])
	}
	pages := len(pdfPage.FindAllIndex(content, -1))
	args := map[string]any{"Version": version, "Size": humanSize(int64(len(content))), "Pages": pages}
	if pages == 0 {
		return T("documents.pdfNoPages", args)
	}
	return T("documents.pdf", args)
}

// signaturesView lists the signatures: signer, time, and the verdict of
// the verification stored with each.
func signaturesView(sigs []store.Signature) fyne.CanvasObject {
	if len(sigs) == 0 {
		return wrapped(T("documents.noSignatures"))
	}
	box := container.NewVBox()
	for _, s := range sigs {
		ind := pki.Indeterminate
		var r pki.Report
		if len(s.Report) > 0 && json.Unmarshal(s.Report, &r) == nil {
			ind = r.Worst()
		}
		who := s.Signer.CommonName
		if s.Signer.IIN != "" {
			who += ", " + T("field.iin") + " " + s.Signer.IIN
		}
		if s.Signer.BIN != "" {
			who += ", " + T("field.bin") + " " + s.Signer.BIN
		}
		if s.Signer.Organization != "" {
			who += ", " + s.Signer.Organization
		}
		format := strings.ToUpper(s.Format)
		if s.Detached {
			format += ", " + T("documents.detached")
		}
		line := T("documents.sigLine", map[string]any{"Version": s.Version, "Index": s.Index, "Time": shortTime(s.SigningTime), "Format": format})
		icon := widget.NewIcon(indicationLevel(ind).icon())
		name := bold(who)
		name.Wrapping = fyne.TextWrapWord
		text := container.NewVBox(name, wrapped(line), wrapped(T("verdict."+string(ind))))
		box.Add(container.NewBorder(nil, nil, container.NewVBox(icon), nil, text))
	}
	return box
}

func versionsView(vs []store.Version, current uint32) fyne.CanvasObject {
	box := container.NewVBox()
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		text := T("documents.versionLine", map[string]any{"N": v.Number, "Name": v.Name, "Size": humanSize(v.Size),
			"Time": shortTime(v.Created), "Signatures": v.Signatures})
		l := wrapped(text)
		if v.Number == current {
			l.TextStyle.Bold = true
		}
		box.Add(l)
	}
	return box
}
