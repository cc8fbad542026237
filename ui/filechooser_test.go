package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// chooserFolder is a folder as an accountant's looks: a folder with a
// Kazakh name and a space, a key file, a document, a hidden file.
func chooserFolder(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"Әлия Сәрсенова", "Архив"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"Әлия Сәрсенова/RSA256_ключ.p12", "ключ.P12", "шарт.txt", ".hidden.p12"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func entryNames(fc *fileChooser) []string {
	var out []string
	for _, e := range fc.entries {
		out = append(out, e.name)
	}
	return out
}

// TestFileChooser drives the program's own file dialog: the list (parent,
// folders, then the files asked for, hidden ones left out), the path box
// (a folder listed as it is typed, Enter on the one name left, a pasted
// file path taken), Escape, and the folders remembered.
func TestFileChooser(t *testing.T) {
	dir := chooserFolder(t)
	g := newTestApp(t)
	var got []string
	cancelled := 0
	var fc *fileChooser
	onUI(func() {
		fc = newFileChooser(g, fileChoice{title: "t", exts: []string{".p12", ".pfx"}, keyFile: true, start: dir, cancelled: func() { cancelled++ }},
			func(p string) { got = append(got, p) })
		fc.dlg.Show()
	})
	if want := []string{"..", "Архив", "Әлия Сәрсенова", "ключ.P12"}; !slices.Equal(entryNames(fc), want) {
		t.Fatalf("listed %q, want %q (folders first, .p12 in any case, no .txt, no hidden)", entryNames(fc), want)
	}
	if fc.path.Text != dir+string(filepath.Separator) {
		t.Errorf("path box %q, want the folder", fc.path.Text)
	}

	// Typing filters the folder's names; Enter takes the one left.
	onUI(func() { fc.path.SetText(filepath.Join(dir, "әл")) })
	if want := []string{"Әлия Сәрсенова"}; !slices.Equal(entryNames(fc), want) {
		t.Fatalf("typing 'әл' lists %q, want %q", entryNames(fc), want)
	}
	onUI(func() { fc.path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
	if fc.dir != filepath.Join(dir, "Әлия Сәрсенова") {
		t.Fatalf("Enter on the one folder left opened %q", fc.dir)
	}
	// The arrows move through the list from the path box; Enter takes the file.
	onUI(func() {
		fc.path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		fc.path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	})
	key := filepath.Join(dir, "Әлия Сәрсенова", "RSA256_ключ.p12")
	if fc.path.Text != key {
		t.Fatalf("after two Down keys the path box says %q, want %q", fc.path.Text, key)
	}
	onUI(func() { fc.submitChosen() })
	if !slices.Equal(got, []string{key}) || cancelled != 0 {
		t.Fatalf("chosen %q, cancelled %d", got, cancelled)
	}

	// A pasted path of a file that is not there: said, the dialog stays.
	onUI(func() {
		fc = newFileChooser(g, fileChoice{title: "t", cancelled: func() { cancelled++ }}, func(p string) { got = append(got, p) })
		fc.dlg.Show()
		fc.path.SetText(filepath.Join(dir, "нет.pdf"))
		fc.submit()
	})
	if fc.problem.Text == "" || len(got) != 1 {
		t.Errorf("a missing file: problem %q, chosen %q", fc.problem.Text, got)
	}
	// Escape closes it, as the cancel button does.
	onUI(func() { fc.path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape}) })
	if cancelled != 1 || len(got) != 1 {
		t.Errorf("Escape: cancelled %d times, chosen %q", cancelled, got)
	}
	if g.win.Canvas().Overlays().Top() != nil {
		t.Error("Escape left the dialog on the window")
	}

	// A key file's folder is not remembered; a document's is, and the next
	// dialog opens there.
	if r := g.recentFolders(); len(r) != 0 {
		t.Errorf("a key file's folder remembered: %q", r)
	}
	onUI(func() {
		fc = newFileChooser(g, fileChoice{title: "t"}, func(p string) { got = append(got, p) })
		fc.path.SetText(filepath.Join(dir, "шарт.txt"))
		fc.submit()
	})
	if got[len(got)-1] != filepath.Join(dir, "шарт.txt") {
		t.Fatalf("a pasted path was not taken: %q", got)
	}
	if r := g.recentFolders(); len(r) != 1 || r[0] != dir {
		t.Errorf("recent folders %q, want %q", r, dir)
	}
	onUI(func() { fc = newFileChooser(g, fileChoice{title: "t"}, func(string) {}) })
	if fc.dir != dir {
		t.Errorf("the next dialog opened in %q, want the recent %q", fc.dir, dir)
	}
}

// TestFileChooserSave: a new name is taken; an existing file is replaced
// only once the user says so.
func TestFileChooserSave(t *testing.T) {
	dir := chooserFolder(t)
	g := newTestApp(t)
	var got []string
	var fc *fileChooser
	onUI(func() {
		fc = newFileChooser(g, fileChoice{title: "t", save: true, name: "шарт.txt", start: dir}, func(p string) { got = append(got, p) })
		fc.dlg.Show()
		fc.submitChosen()
	})
	if len(got) != 0 {
		t.Fatalf("an existing file taken without asking: %q", got)
	}
	var confirm *widget.Button
	onUI(func() {
		walkObjects(g.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == T("files.replace") {
				confirm = b
			}
		})
	})
	if confirm == nil {
		t.Fatal("no question before replacing the file")
	}
	onUI(func() { test.Tap(confirm) })
	if want := filepath.Join(dir, "шарт.txt"); !slices.Equal(got, []string{want}) {
		t.Fatalf("after Replace: %q", got)
	}
	onUI(func() {
		fc = newFileChooser(g, fileChoice{title: "t", save: true, name: "жаңа.zip", start: dir}, func(p string) { got = append(got, p) })
		fc.submitChosen()
	})
	if want := filepath.Join(dir, "жаңа.zip"); got[len(got)-1] != want {
		t.Errorf("a new name: %q, want %q", got[len(got)-1], want)
	}
}

// TestFileChooserSpeaksTheLanguage: the dialog and Fyne's own words (an
// error's OK, an entry's Copy) follow the language chosen, whatever the
// system's locale.
func TestFileChooserSpeaksTheLanguage(t *testing.T) {
	dir := chooserFolder(t)
	g := newTestApp(t)
	t.Cleanup(func() { onUI(func() { g.SetLanguage("en") }) })
	for _, lng := range []string{"kk", "ru"} {
		var all []string
		onUI(func() {
			g.SetLanguage(lng)
			g.chooseFile(fileChoice{title: T("files.openKey"), exts: []string{".p12"}, start: dir}, func(string) {})
			all = texts(g.win.Canvas().Overlays().Top())
		})
		checkWords(t, lng, "file dialog", all)
		if !slices.Contains(all, T("files.desktop")) && !slices.Contains(all, T("files.home")) {
			t.Errorf("%s: no places in the dialog: %q", lng, all)
		}
		onUI(func() { g.win.Canvas().Overlays().Top().Hide() })
		for _, w := range []string{"OK", "Cancel", "Copy", "Paste", "Yes", "No", "Error"} {
			if got, want := lang.L(w), T("fyne."+w); got != want {
				t.Errorf("%s: Fyne says %q for %s, want %q", lng, got, w, want)
			}
		}
	}
	onUI(func() { g.SetLanguage("en") })
	if lang.L("Cancel") != "Cancel" {
		t.Errorf("English again: Fyne says %q", lang.L("Cancel"))
	}
}

// BenchmarkReadFolder: a Downloads folder of 10,000 files listed for a
// key dialog (folders first, .p12 only) — what the dialog does on opening
// a folder and on every key typed in the path box.
func BenchmarkReadFolder(b *testing.B) {
	dir := b.TempDir()
	for i := range 10000 {
		ext := ".pdf"
		if i%100 == 0 {
			ext = ".p12"
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("файл-%05d%s", i, ext)), []byte("x"), 0o600)
	}
	c := fileChoice{exts: []string{".p12", ".pfx"}}
	all := fileChoice{}
	b.ResetTimer()
	for b.Loop() {
		if e, _ := readFolder(dir, c); len(e) != 101 {
			b.Fatalf("%d entries", len(e))
		}
		if e, _ := readFolder(dir, all); len(e) != 10001 {
			b.Fatalf("%d entries", len(e))
		}
	}
}

// FuzzPathBox: whatever is typed or pasted into the path box — and Enter
// after it — the dialog lists, says what is wrong or takes a path; it never
// panics. (Seeds: paths with Kazakh letters, ~, .., separators, NULs.)
func FuzzPathBox(f *testing.F) {
	for _, s := range []string{"", "~", "~/", "..", "/", "/tmp/", "Әлия Сәрсенова/", "шарт.txt", "a\x00b", `C:\Users\`, "////", "../../..", "~root/x", "\xff\xfe"} {
		f.Add(s)
	}
	dir := chooserFolder(f)
	g := newTestApp(f)
	var fc *fileChooser
	onUI(func() { fc = newFileChooser(g, fileChoice{title: "t", start: dir}, func(string) {}) })
	f.Fuzz(func(t *testing.T, typed string) {
		onUI(func() {
			fc.open(dir)
			fc.path.SetText(typed)
			fc.moveSelection(1)
			fc.submit()
			fc.submitChosen()
		})
	})
}
