package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/sync/store"
	bolt "go.etcd.io/bbolt"
)

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDocsCLI(t *testing.T) {
	data := t.TempDir()
	files := t.TempDir()
	xml := writeFile(t, files, "agreement.xml", []byte(`<?xml version="1.0"?><agreement>Келісім</agreement>`))
	pdf := writeFile(t, files, "scan.pdf", []byte("%PDF-1.4\n%%EOF\n"))

	// docs add: the id on stdout; --json: the document with its id.
	code, out, stderr := runCLI(t, "", "docs", "add", xml, "--title", "Договор поставки", "--kind", "agreement", "--data-dir", data)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	id := strings.TrimSpace(out)
	if _, err := store.ParseID(id); err != nil {
		t.Fatalf("docs add printed %q", out)
	}
	code, out, stderr = runCLI(t, "", "docs", "add", "--json", pdf, "--data-dir", data, "--counterparty", "ТОО Ромашка")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var added map[string]any
	if err := json.Unmarshal([]byte(out), &added); err != nil || added["id"] == "" || added["mediaType"] != "application/pdf" {
		t.Fatalf("docs add --json: %v %s", err, out)
	}

	// docs list, with filters.
	code, out, _ = runCLI(t, "", "docs", "list", "--json", "--data-dir", data)
	var page struct {
		Documents []map[string]any `json:"documents"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &page) != nil || len(page.Documents) != 2 || page.Documents[0]["id"] != added["id"] {
		t.Fatalf("docs list --json: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "", "docs", "list", "--kind", "agreement", "--query", "ПОСТАВ", "--state", "draft", "--data-dir", data)
	if code != 0 || !strings.Contains(out, id) || strings.Contains(out, added["id"].(string)) {
		t.Fatalf("docs list filtered: %s", out)
	}
	if code, _, stderr = runCLI(t, "", "docs", "list", "--state", "lost", "--data-dir", data); code != 1 || !strings.Contains(stderr, "unknown document state") {
		t.Errorf("bad state: %d %s", code, stderr)
	}

	// docs show.
	code, out, stderr = runCLI(t, "", "docs", "show", id, "--json", "--data-dir", data)
	var shown map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &shown) != nil || shown["title"] != "Договор поставки" {
		t.Fatalf("docs show --json: %d %s %s", code, out, stderr)
	}
	if vs := shown["versions"].([]any); len(vs) != 1 {
		t.Errorf("versions: %v", vs)
	}
	if j := shown["journal"].([]any); len(j) != 1 || j[0].(map[string]any)["action"] != "import" {
		t.Errorf("journal: %v", j)
	}
	code, out, _ = runCLI(t, "", "docs", "show", strings.ToLower(id), "--data-dir", data)
	if code != 0 || !strings.Contains(out, "Streebog-512") || !strings.Contains(out, "import") {
		t.Errorf("docs show: %s", out)
	}
	if code, _, stderr = runCLI(t, "", "docs", "show", "01J00000000000000000000000", "--data-dir", data); code != 1 || !strings.Contains(stderr, "not found") {
		t.Errorf("missing document: %d %s", code, stderr)
	}

	// journal verify.
	code, out, _ = runCLI(t, "", "journal", "verify", "--json", "--data-dir", data)
	var rep map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep["ok"] != true || rep["entries"] != 2.0 {
		t.Fatalf("journal verify: %d %s", code, out)
	}
	if code, out, _ = runCLI(t, "", "journal", "verify", "--data-dir", data); code != 0 || !strings.Contains(out, "Journal: OK, 2 entries") {
		t.Errorf("journal verify text: %s", out)
	}
}

func TestDocsAddRefused(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"tool.exe", []byte("MZ\x00\x00"), "forbidden file type"},
		{"photo.jpg", []byte("just text"), "file name and content disagree"},
		{"empty.txt", nil, "empty content"},
	}
	for _, tt := range tests {
		path := writeFile(t, files, tt.name, tt.content)
		code, _, stderr := runCLI(t, "", "docs", "add", path, "--data-dir", data)
		if code != 1 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, tt.name) {
			t.Errorf("%s: exit %d, %s", tt.name, code, stderr)
		}
	}
	big := filepath.Join(files, "big.pdf")
	f, _ := os.Create(big)
	f.Truncate(store.DefaultMaxContentSize + 1)
	f.Close()
	code, _, stderr := runCLI(t, "", "docs", "add", big, "--data-dir", data)
	if code != 1 || !strings.Contains(stderr, "content too large") || !strings.Contains(stderr, "hint: the portals accept") {
		t.Errorf("big file: %d %s", code, stderr)
	}
	if code, _, stderr = runCLI(t, "", "docs", "add", filepath.Join(files, "none.pdf"), "--data-dir", data); code != 1 {
		t.Errorf("missing file: %s", stderr)
	}
	if code, _, stderr = runCLI(t, "", "docs", "add", big, "--kind", "poem", "--data-dir", data); code != 1 || !strings.Contains(stderr, "usage:") {
		t.Errorf("bad kind: %s", stderr)
	}
}

func TestDataDirFromEnvironment(t *testing.T) {
	data := t.TempDir()
	t.Setenv(dataDirEnv, data)
	path := writeFile(t, t.TempDir(), "a.txt", []byte("hello"))
	if code, _, stderr := runCLI(t, "", "docs", "add", path); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "qoltanba.db")); err != nil {
		t.Fatalf("not in $%s: %v", dataDirEnv, err)
	}
	// The flag wins over the environment.
	other := t.TempDir()
	runCLI(t, "", "docs", "add", path, "--data-dir", other)
	if _, err := os.Stat(filepath.Join(other, "qoltanba.db")); err != nil {
		t.Fatal("--data-dir ignored")
	}
}

func TestDBLockedHint(t *testing.T) {
	data := t.TempDir()
	s, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	code, _, stderr := runCLI(t, "", "docs", "list", "--data-dir", data)
	if code != 1 || !strings.Contains(stderr, "is another qoltanba running?") || !strings.Contains(stderr, "hint: ") {
		t.Errorf("locked: %d %s", code, stderr)
	}
	code, _, stderr = runCLI(t, "", "db", "backup", filepath.Join(t.TempDir(), "b.tar"), "--data-dir", data)
	if code != 1 || !strings.Contains(stderr, "back up from it") {
		t.Errorf("backup while locked: %s", stderr)
	}
}

func TestBackupRestoreAndTamperCLI(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	path := writeFile(t, files, "a.txt", []byte("first"))
	_, out, _ := runCLI(t, "", "docs", "add", path, "--data-dir", data)
	first := strings.TrimSpace(out)
	backup := filepath.Join(files, "backup.tar")
	code, out, stderr := runCLI(t, "", "db", "backup", backup, "--json", "--data-dir", data)
	if code != 0 || !strings.Contains(out, `"file"`) {
		t.Fatalf("backup: %d %s %s", code, out, stderr)
	}
	if code, _, stderr = runCLI(t, "", "db", "backup", backup, "--data-dir", data); code != 1 || !strings.Contains(stderr, "exists") {
		t.Errorf("backup over an existing file: %s", stderr)
	}
	runCLI(t, "", "docs", "add", writeFile(t, files, "b.txt", []byte("second")), "--data-dir", data)

	// Tamper: change the first journal entry behind Qoltanba's back.
	db, err := bolt.Open(filepath.Join(data, "qoltanba.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("journal"))
		k := []byte{0, 0, 0, 0, 0, 0, 0, 1}
		v := append([]byte(nil), b.Get(k)...)
		v[30] ^= 0x01
		return b.Put(k, v)
	})
	db.Close()
	code, out, stderr = runCLI(t, "", "journal", "verify", "--data-dir", data)
	if code != 1 || !strings.Contains(out, "First broken entry: #1") || !strings.Contains(stderr, "db restore") {
		t.Fatalf("tampered journal: %d\n%s\n%s", code, out, stderr)
	}

	// Restore the backup: one document, journal OK, old database kept.
	code, out, stderr = runCLI(t, "", "db", "restore", backup, "--data-dir", data)
	if code != 0 || !strings.Contains(out, "Journal: OK") {
		t.Fatalf("restore: %d %s %s", code, out, stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "qoltanba.db.bak")); err != nil {
		t.Error("old database not kept")
	}
	_, out, _ = runCLI(t, "", "docs", "list", "--json", "--data-dir", data)
	if !strings.Contains(out, first) || strings.Count(out, `"id"`) != 1 {
		t.Errorf("after restore: %s", out)
	}
	if code, _, _ = runCLI(t, "", "journal", "verify", "--data-dir", data); code != 0 {
		t.Error("restored journal does not verify")
	}
	if code, _, stderr = runCLI(t, "", "db", "restore", path, "--data-dir", data); code != 1 {
		t.Errorf("restore of a text file: %s", stderr)
	}
}
