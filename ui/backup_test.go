package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/qoltanba/qoltanba/sync/store"
)

// TestBackupWhileRunning: the window backs up the database it holds, and the
// copy restores into a store whose journal verifies.
func TestBackupWhileRunning(t *testing.T) {
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	docs := seedDocuments(t, st)
	g := newTestAppWith(t, Options{Store: st})
	path := filepath.Join(t.TempDir(), "qoltanba.backup")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	var msg *widget.Label
	onUI(func() {
		msg = widget.NewLabel("")
		g.backupTo(st, f, path, msg)
	})
	waitFor(t, "the backup", func() bool { return strings.Contains(msg.Text, path) || strings.Contains(msg.Text, "failed") })
	if !strings.Contains(msg.Text, "Backup written to") {
		t.Fatalf("message: %q", msg.Text)
	}

	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	dir := t.TempDir()
	if rep, err := store.Restore(context.Background(), dir, in, store.Options{}); err != nil || !rep.OK {
		t.Fatalf("restore the backup: %v %+v", err, rep)
	}
	restored, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	page, err := restored.List(context.Background(), store.Query{Limit: 100})
	if err != nil || len(page.Documents) != len(docs) {
		t.Errorf("restored %d documents (%v), want %d", len(page.Documents), err, len(docs))
	}
	if rep, err := restored.VerifyJournal(context.Background()); err != nil || !rep.OK {
		t.Errorf("journal of the restored copy: %v %+v", err, rep)
	}
}
