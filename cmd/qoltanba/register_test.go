package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/register"
)

// TestRegisterCLI: a document signed here is in the outgoing register of
// today, in the language asked, as text, CSV and JSON; bad periods are
// refused before the store is opened.
func TestRegisterCLI(t *testing.T) {
	p, _ := servedPKI(t)
	t.Setenv(dataDirEnv, t.TempDir())
	root := p.Root(testpki.FamilyGOST).CertPath
	id := addDoc(t, "act.txt", "Акт выполненных работ № 42\n")
	if code, _, stderr := runCLI(t, "Qwerty12\n", "docs", "sign", id, "--key", p.Find("gost/legal_head").P12Path, "--password-stdin", "--trust", root); code != 0 {
		t.Fatalf("sign: %s", stderr)
	}
	code, out, stderr := runCLI(t, "", "register", "outgoing", "--lang", "ru")
	if code != 0 || !strings.Contains(out, "Журнал учета исходящих электронных документов") || !strings.Contains(out, "подписан") ||
		!strings.Contains(out, id) {
		t.Fatalf("register outgoing: %d\n%s%s", code, out, stderr)
	}
	if code, out, _ := runCLI(t, "", "register", "incoming", "--lang", "en"); code != 0 || !strings.Contains(out, "No entries in this period.") {
		t.Errorf("register incoming: %d\n%s", code, out)
	}
	file := filepath.Join(t.TempDir(), "out.csv")
	if code, out, stderr := runCLI(t, "", "register", "outgoing", "--format", "csv", "-o", file, "--lang", "kk"); code != 0 || !strings.Contains(out, "2 entries") {
		t.Fatalf("register to CSV: %d %s %s", code, out, stderr)
	}
	raw, _ := os.ReadFile(file)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][2] != "Оқиға" || rows[2][2] != "қол қойылды" {
		t.Errorf("CSV %v:\n%s", err, raw)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the register file: %v %v", info.Mode(), err)
	}
	code, out, _ = runCLI(t, "", "register", "outgoing", "--format", "json")
	var r register.Register
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || len(r.Rows) != 2 || r.JournalSeq == 0 {
		t.Errorf("JSON: %d %s", code, out)
	}
	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	if code, out, _ := runCLI(t, "", "register", "outgoing", "--to", yesterday, "--from", yesterday, "--format", "json"); code != 0 || !strings.Contains(out, `"rows": []`) {
		t.Errorf("yesterday's register: %d %s", code, out)
	}
	for _, bad := range [][]string{
		{"--from", "1.3.2026"}, {"--to", "tomorrow"}, {"--from", "2026-03-02", "--to", "2026-03-01"}, {"--format", "xlsx"}, {"--lang", "de"},
	} {
		if code, _, stderr := runCLI(t, "", append([]string{"register", "outgoing"}, bad...)...); code != 1 || !strings.Contains(stderr, "error") {
			t.Errorf("register %v: exit %d %s", bad, code, stderr)
		}
	}
}
