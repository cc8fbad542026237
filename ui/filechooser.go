package ui

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer/keyfile"
)

// fileChoice says what a file dialog asks for. The program's own dialog
// replaces Fyne's: it has a path box (paste or type a path, a folder is
// listed as you type), remembers recent folders, closes on Escape and
// speaks the user's language in every word.
type fileChoice struct {
	title  string   // the dialog's title, translated
	save   bool     // ask for a new file's name
	folder bool     // choose a folder, not a file
	exts   []string // lower-case extensions with the dot; empty: every file
	start  string   // folder to open in; "": the last one used, else Documents
	name   string   // the name proposed when saving
	// keyFile: a key file is asked for; its folder is not remembered, so
	// the next document dialog does not open where keys are kept.
	keyFile bool
	// cancelled, if set, runs when the dialog closes without a path.
	cancelled func()
}

// maxRecentFolders is how many folders the dialogs remember.
const maxRecentFolders = 8

// chooseFile shows the file dialog and runs then with the path chosen;
// when the user cancels only c.cancelled runs. The dialog is returned for
// callers that must close it themselves.
func (g *App) chooseFile(c fileChoice, then func(path string)) dialog.Dialog {
	fc := newFileChooser(g, c, then)
	fc.dlg.Show()
	fc.win.Canvas().Focus(fc.path)
	return fc.dlg
}

// fileChooser is one open file dialog.
type fileChooser struct {
	g      *App
	win    fyne.Window
	choice fileChoice
	then   func(string)
	taken  bool // a path was handed on

	dir     string      // the folder listed
	listed  []fileEntry // dir as read from disk, parent first
	entries []fileEntry // what the list shows: listed, filtered by what is typed
	chosen  int         // index into entries, -1 for none

	dlg     *dialog.CustomDialog
	path    *keyEntry
	name    *keyEntry // save only
	list    *widget.List
	problem *widget.Label
	confirm *widget.Button
}

// fileEntry is one line of the list.
type fileEntry struct {
	name   string
	dir    bool
	parent bool
	size   int64
	mod    time.Time
}

func newFileChooser(g *App, c fileChoice, then func(string)) *fileChooser {
	fc := &fileChooser{g: g, win: g.win, choice: c, then: then, chosen: -1}
	fc.path = newKeyEntry()
	fc.path.SetPlaceHolder(T("files.pathHint"))
	fc.path.onKey = fc.key
	fc.path.OnSubmitted = func(string) { fc.submit() }
	fc.path.OnChanged = fc.typed
	fc.problem = widget.NewLabel("")
	fc.problem.Wrapping = fyne.TextWrapWord
	fc.problem.Importance = widget.DangerImportance

	fc.list = widget.NewList(
		func() int { return len(fc.entries) },
		func() fyne.CanvasObject { return newFileRow(fc) },
		func(id widget.ListItemID, o fyne.CanvasObject) { o.(*fileRow).show(id) },
	)
	fc.list.OnSelected = func(id widget.ListItemID) {
		fc.pick(id)
		// Keys stay with the path box: Escape, Enter, the arrows.
		fc.win.Canvas().Focus(fc.path)
	}

	confirmText := T("action.open")
	switch {
	case c.save:
		confirmText = T("action.save")
	case c.folder:
		confirmText = T("action.choose")
	}
	fc.confirm = widget.NewButtonWithIcon(confirmText, theme.ConfirmIcon(), fc.submitChosen)
	fc.confirm.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(T("action.cancel"), theme.CancelIcon(), fc.close)
	up := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { fc.open(filepath.Dir(fc.dir)) })

	bottom := container.NewVBox()
	if c.save {
		fc.name = newKeyEntry()
		fc.name.SetText(c.name)
		fc.name.onKey = fc.key
		fc.name.OnSubmitted = func(string) { fc.submitChosen() }
		bottom.Add(container.NewBorder(nil, nil, widget.NewLabel(T("files.name")), nil, fc.name))
	}
	if len(c.exts) > 0 {
		bottom.Add(widget.NewLabel(T("files.showing", map[string]any{"Types": strings.Join(c.exts, ", ")})))
	}
	bottom.Add(container.NewBorder(nil, nil, nil, container.NewHBox(cancel, fc.confirm), fc.problem))

	top := container.NewBorder(nil, nil, nil, up, fc.path)
	split := container.NewHSplit(fc.placesList(), fc.list)
	split.Offset = 0.28
	content := container.NewBorder(top, bottom, nil, nil, split)
	fc.dlg = dialog.NewCustomWithoutButtons(c.title, content, fc.win)
	fc.dlg.Resize(fyne.NewSize(820, 560))
	fc.dlg.SetOnClosed(func() {
		if !fc.taken && c.cancelled != nil {
			c.cancelled()
		}
	})

	start := c.start
	if start == "" || !isDir(start) {
		start = g.lastFolder()
	}
	fc.open(start)
	return fc
}

// key handles the keys a path or name box passes on: Escape closes, the
// arrows move through the list.
func (fc *fileChooser) key(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyEscape:
		fc.close()
	case fyne.KeyDown:
		fc.moveSelection(1)
	case fyne.KeyUp:
		fc.moveSelection(-1)
	default:
		return false
	}
	return true
}

func (fc *fileChooser) moveSelection(by int) {
	if len(fc.entries) == 0 {
		return
	}
	i := min(max(fc.chosen+by, 0), len(fc.entries)-1)
	fc.list.Select(i)
	fc.list.ScrollTo(i)
}

func (fc *fileChooser) close() { fc.dlg.Hide() }

// open lists dir and puts it in the path box.
func (fc *fileChooser) open(dir string) {
	fc.listed = nil // read it afresh
	fc.load(dir, "")
	fc.path.setQuietly(withSeparator(dir))
}

// load lists dir's entries that begin with prefix (case ignored). The
// folder is read from disk once, not at every key typed in the path box.
func (fc *fileChooser) load(dir, prefix string) {
	if dir != fc.dir || fc.listed == nil {
		listed, err := readFolder(dir, fc.choice)
		if err != nil {
			fc.problem.SetText(T("files.cannotRead", map[string]any{"Path": dir, "Err": err.Error()}))
			return
		}
		fc.dir, fc.listed = dir, listed
	}
	fc.chosen = -1
	fc.problem.SetText("")
	entries := slices.Clone(fc.listed)
	if prefix != "" {
		p := strings.ToLower(prefix)
		entries = slices.DeleteFunc(entries, func(e fileEntry) bool {
			return e.parent || !strings.HasPrefix(strings.ToLower(e.name), p)
		})
	}
	fc.entries = entries
	fc.list.UnselectAll()
	fc.list.Refresh()
	fc.list.ScrollToTop()
}

// typed follows the path box: a folder is listed as soon as its name ends
// with a separator, and the names of the folder above are filtered by what
// is typed after it.
func (fc *fileChooser) typed(text string) {
	p := expandHome(text)
	if p == "" {
		return
	}
	if strings.HasSuffix(p, string(filepath.Separator)) || strings.HasSuffix(p, "/") {
		if isDir(p) {
			fc.load(filepath.Clean(p), "")
		}
		return
	}
	if dir := filepath.Dir(p); isDir(dir) {
		fc.load(dir, filepath.Base(p))
	}
}

// pick marks entry id as chosen and shows its path (a file's name, when
// saving, in the name box); activate then opens or takes it.
func (fc *fileChooser) pick(id widget.ListItemID) {
	if id < 0 || id >= len(fc.entries) {
		return
	}
	fc.chosen = id
	e := fc.entries[id]
	switch {
	case e.parent:
		fc.path.setQuietly(withSeparator(filepath.Dir(fc.dir)))
	case e.dir:
		fc.path.setQuietly(withSeparator(filepath.Join(fc.dir, e.name)))
	case fc.name != nil:
		fc.name.SetText(e.name)
	default:
		fc.path.setQuietly(filepath.Join(fc.dir, e.name))
	}
}

// activate is a double tap: a folder opens, a file is taken.
func (fc *fileChooser) activate(id widget.ListItemID) {
	if id < 0 || id >= len(fc.entries) {
		return
	}
	e := fc.entries[id]
	switch {
	case e.parent:
		fc.open(filepath.Dir(fc.dir))
	case e.dir:
		fc.open(filepath.Join(fc.dir, e.name))
	default:
		fc.pick(id)
		fc.submitChosen()
	}
}

// submit is Enter in the path box.
func (fc *fileChooser) submit() {
	p := expandHome(strings.TrimSpace(fc.path.Text))
	if p == "" {
		return
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(fc.dir, p)
	}
	if isDir(p) {
		fc.open(filepath.Clean(p))
		return
	}
	// One name left by what was typed: take it.
	if _, err := os.Stat(p); err != nil && len(fc.entries) == 1 && !fc.entries[0].parent {
		p = filepath.Join(fc.dir, fc.entries[0].name)
		if fc.entries[0].dir {
			fc.open(p)
			return
		}
	}
	fc.finish(p)
}

// submitChosen is the confirm button and Enter in the name box.
func (fc *fileChooser) submitChosen() {
	switch {
	case fc.choice.save:
		name := expandHome(strings.TrimSpace(fc.name.Text))
		if name == "" {
			fc.problem.SetText(T("files.needName"))
			return
		}
		if !filepath.IsAbs(name) {
			name = filepath.Join(fc.dir, name)
		}
		fc.finish(name)
	case fc.choice.folder:
		if fc.chosen >= 0 && !fc.entries[fc.chosen].parent {
			fc.finish(filepath.Join(fc.dir, fc.entries[fc.chosen].name))
			return
		}
		fc.finish(fc.dir)
	case fc.chosen >= 0 && !fc.entries[fc.chosen].dir:
		fc.finish(filepath.Join(fc.dir, fc.entries[fc.chosen].name))
	default:
		fc.submit()
	}
}

// finish checks path for what was asked, then closes and hands it on.
func (fc *fileChooser) finish(path string) {
	path = filepath.Clean(path)
	info, err := os.Stat(path)
	switch {
	case fc.choice.folder:
		if err != nil || !info.IsDir() {
			fc.problem.SetText(T("files.notFolder", map[string]any{"Path": path}))
			return
		}
	case fc.choice.save:
		if err == nil && info.IsDir() {
			fc.open(path)
			return
		}
		if !isDir(filepath.Dir(path)) {
			fc.problem.SetText(T("files.notFolder", map[string]any{"Path": filepath.Dir(path)}))
			return
		}
		if err == nil {
			dialog.ShowCustomConfirm(T("files.replaceTitle"), T("files.replace"), T("action.cancel"),
				wrapped(T("files.replaceText", map[string]any{"Name": filepath.Base(path)})),
				func(ok bool) {
					if ok {
						fc.done(path)
					}
				}, fc.win)
			return
		}
	default:
		if errors.Is(err, fs.ErrNotExist) {
			fc.problem.SetText(T("files.notFound", map[string]any{"Path": path}))
			return
		}
		if err != nil {
			fc.problem.SetText(T("files.cannotRead", map[string]any{"Path": path, "Err": err.Error()}))
			return
		}
		if info.IsDir() {
			fc.open(path)
			return
		}
	}
	fc.done(path)
}

func (fc *fileChooser) done(path string) {
	folder := filepath.Dir(path)
	if fc.choice.folder {
		folder = path
	}
	if !fc.choice.keyFile {
		fc.g.rememberFolder(folder)
	}
	fc.taken = true
	fc.dlg.Hide()
	fc.then(path)
}

// placesList is the column of places: the recent folders, then home,
// Desktop, Documents, Downloads and the drives.
func (fc *fileChooser) placesList() fyne.CanvasObject {
	box := container.NewVBox()
	add := func(label, path string, icon fyne.Resource) {
		b := widget.NewButtonWithIcon(label, icon, func() {
			fc.open(path)
			fc.win.Canvas().Focus(fc.path)
		})
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		box.Add(b)
	}
	if recent := fc.g.recentFolders(); len(recent) > 0 {
		box.Add(bold(T("files.recent")))
		for _, dir := range recent {
			add(clipText(filepath.Base(dir), 28), dir, theme.HistoryIcon())
		}
		box.Add(widget.NewSeparator())
	}
	box.Add(bold(T("files.places")))
	for _, p := range usualPlaces() {
		add(T(p.label), p.path, theme.FolderIcon())
	}
	if drives := keyfile.Drives(); len(drives) > 0 {
		box.Add(widget.NewSeparator())
		for _, d := range drives {
			add(d, d, theme.StorageIcon())
		}
	}
	return container.NewVScroll(box)
}

// fileRow is one line of the list: a tap chooses it, a double tap opens
// the folder or takes the file.
type fileRow struct {
	widget.BaseWidget
	fc   *fileChooser
	id   int
	icon *widget.Icon
	name *widget.Label
	info *widget.Label
}

func newFileRow(fc *fileChooser) *fileRow {
	// The info column is laid out once, for the widest it gets.
	r := &fileRow{fc: fc, icon: widget.NewIcon(theme.FileIcon()), name: widget.NewLabel(""), info: widget.NewLabel("1023 KB   00.00.0000 00:00")}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.info.Alignment = fyne.TextAlignTrailing
	r.ExtendBaseWidget(r)
	return r
}

func (r *fileRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, r.icon, r.info, r.name))
}

func (r *fileRow) show(id int) {
	r.id = id
	e := r.fc.entries[id]
	switch {
	case e.parent:
		r.icon.SetResource(theme.MoveUpIcon())
		r.name.SetText(T("files.up"))
		r.info.SetText("")
	case e.dir:
		r.icon.SetResource(theme.FolderIcon())
		r.name.SetText(e.name)
		r.info.SetText("")
	default:
		r.icon.SetResource(theme.FileIcon())
		r.name.SetText(e.name)
		r.info.SetText(humanSize(e.size) + "   " + e.mod.Local().Format("02.01.2006 15:04"))
	}
}

func (r *fileRow) Tapped(*fyne.PointEvent) { r.fc.list.Select(r.id) }

func (r *fileRow) DoubleTapped(*fyne.PointEvent) { r.fc.activate(r.id) }

// keyEntry is a one-line entry that lets its dialog see Escape and the
// arrows first (a focused entry otherwise keeps every key): the file
// dialog's path and name boxes, the password dialog's entry.
type keyEntry struct {
	widget.Entry
	onKey func(*fyne.KeyEvent) bool
}

func newKeyEntry() *keyEntry {
	e := &keyEntry{}
	e.ExtendBaseWidget(e)
	return e
}

func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	if e.onKey != nil && e.onKey(k) {
		return
	}
	e.Entry.TypedKey(k)
}

// setQuietly shows text without running OnChanged (the list already
// shows what it names) and puts the cursor at its end.
func (e *keyEntry) setQuietly(text string) {
	changed := e.OnChanged
	e.OnChanged = nil
	e.SetText(text)
	e.CursorColumn = len([]rune(text))
	e.Refresh()
	e.OnChanged = changed
}

// readFolder lists dir for c: its parent first, then folders, then the
// files c can take, each group by name; hidden names are left out.
func readFolder(dir string, c fileChoice) ([]fileEntry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var folders, files []fileEntry
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		isFolder := de.IsDir()
		if de.Type()&fs.ModeSymlink != 0 {
			isFolder = isDir(filepath.Join(dir, name))
		}
		if isFolder {
			folders = append(folders, fileEntry{name: name, dir: true})
			continue
		}
		if c.folder || !matchesExt(name, c.exts) {
			continue
		}
		e := fileEntry{name: name}
		if info, err := de.Info(); err == nil {
			e.size, e.mod = info.Size(), info.ModTime()
		}
		files = append(files, e)
	}
	byName := func(a, b fileEntry) int { return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)) }
	slices.SortFunc(folders, byName)
	slices.SortFunc(files, byName)
	var out []fileEntry
	if filepath.Dir(dir) != dir {
		out = append(out, fileEntry{name: "..", dir: true, parent: true})
	}
	return append(append(out, folders...), files...), nil
}

func matchesExt(name string, exts []string) bool {
	if len(exts) == 0 {
		return true
	}
	return slices.Contains(exts, strings.ToLower(filepath.Ext(name)))
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

// expandHome reads a leading ~ as the user's home folder.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		if home, err := os.UserHomeDir(); err == nil {
			return home + p[1:]
		}
	}
	return p
}

func withSeparator(dir string) string {
	if strings.HasSuffix(dir, string(filepath.Separator)) {
		return dir
	}
	return dir + string(filepath.Separator)
}

// place is a folder the dialog offers beside the list.
type place struct{ label, path string }

// usualPlaces are the user's home and its usual folders that exist, under
// their English or Russian names.
func usualPlaces() []place {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	out := []place{{"files.home", home}}
	for _, p := range []struct {
		label string
		names []string
	}{
		{"files.desktop", []string{"Desktop", "Рабочий стол", "Жұмыс үстелі"}},
		{"files.documents", []string{"Documents", "Документы", "Құжаттар"}},
		{"files.downloads", []string{"Downloads", "Загрузки", "Жүктеулер"}},
	} {
		for _, n := range p.names {
			if dir := filepath.Join(home, n); isDir(dir) {
				out = append(out, place{p.label, dir})
				break
			}
		}
	}
	return out
}

// documentsFolder is the user's Documents, else home.
func documentsFolder() string {
	places := usualPlaces()
	for _, p := range places {
		if p.label == "files.documents" {
			return p.path
		}
	}
	if len(places) > 0 {
		return places[0].path
	}
	return string(filepath.Separator)
}

// recentFolders are the folders files were last chosen in, newest first,
// those that still exist.
func (g *App) recentFolders() []string {
	if g.core == nil {
		return nil
	}
	var out []string
	for _, d := range g.core.Settings().RecentFolders {
		if isDir(d) {
			out = append(out, d)
		}
	}
	return out
}

// lastFolder is where a dialog opens when the caller has no better place.
func (g *App) lastFolder() string {
	if r := g.recentFolders(); len(r) > 0 {
		return r[0]
	}
	return documentsFolder()
}

// rememberFolder puts dir first among the recent folders.
func (g *App) rememberFolder(dir string) {
	if g.core == nil {
		return
	}
	g.updateSettings(func(s *core.Settings) { s.RecentFolders = rememberFirst(s.RecentFolders, dir, maxRecentFolders) })
}

// rememberFirst puts item first in list, once, keeping at most n.
func rememberFirst(list []string, item string, n int) []string {
	out := []string{item}
	for _, d := range list {
		if d != item && len(out) < n {
			out = append(out, d)
		}
	}
	return out
}
