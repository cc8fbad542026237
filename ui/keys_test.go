package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func sharedNCA(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../shared/testdata/nca")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared/testdata/nca absent (%v): the NCA test keys are read from there", err)
	}
	return dir
}

// waitFor polls cond on Fyne's goroutine until it holds or a few seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ok := false
		fyne.DoAndWait(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestKeysScreenOpensNCAKey(t *testing.T) {
	nca := sharedNCA(t)
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	s := NewKeysScreen(w, []string{nca})
	w.SetContent(s.Content())
	w.Resize(fyne.NewSize(900, 600))

	if len(s.found) != 14 {
		t.Fatalf("found %d key files, want 14", len(s.found))
	}
	if !strings.Contains(s.where.Text, "14 key files") {
		t.Errorf("header = %q", s.where.Text)
	}
	head := -1
	for i, f := range s.found {
		if strings.HasSuffix(f.Path, filepath.Join("legal", "valid", "head.p12")) {
			head = i
		}
	}
	s.list.Select(head)

	test.Type(s.password, "wrong")
	test.Tap(s.open)
	waitFor(t, "the wrong-password message", func() bool { return strings.HasPrefix(s.result.Text, "Wrong password") })
	if s.password.Text != "" {
		t.Error("the password entry keeps the password after use")
	}

	test.Type(s.password, "Qwerty12")
	test.Tap(s.open)
	waitFor(t, "the key's identity", func() bool { return strings.Contains(s.result.Text, "IIN 123456789011") })
	for _, want := range []string{"BIN 123456789021", "head", "GOST34.10-2015-512", "days left"} {
		if !strings.Contains(s.result.Text, want) {
			t.Errorf("result lacks %q:\n%s", want, s.result.Text)
		}
	}
}

func TestKeysScreenNoKeys(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	empty := t.TempDir()
	s := NewKeysScreen(w, []string{empty})
	w.SetContent(s.Content())
	if !strings.Contains(s.where.Text, "No key files in "+empty) {
		t.Errorf("header = %q", s.where.Text)
	}
	test.Tap(s.open)
	if s.result.Text != "Choose a key file first." {
		t.Errorf("result = %q", s.result.Text)
	}
	s = NewKeysScreen(w, nil)
	if !strings.HasPrefix(s.where.Text, "No key folder found") {
		t.Errorf("header = %q", s.where.Text)
	}
}
