package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/assets/translations"
	"github.com/qoltanba/qoltanba/internal/reportwords"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// TestTranslationsComplete: every key exists in kk, ru and en, none is empty,
// templates name the same fields, and every key the code uses is there.
func TestTranslationsComplete(t *testing.T) {
	files := map[string]map[string]string{}
	for _, code := range translations.Languages {
		data, err := translations.File(code)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s.json: %v", code, err)
		}
		files[code] = m
	}
	field := regexp.MustCompile(`{{\.[A-Za-z]+}}`)
	en := files["en"]
	for code, m := range files {
		for k, v := range m {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s.json: %q is empty", code, k)
			}
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json: %q is not in en.json", code, k)
			}
			if strings.Join(field.FindAllString(v, -1), "") == "" != (strings.Join(field.FindAllString(en[k], -1), "") == "") {
				t.Errorf("%s.json: %q has template fields %v, en has %v", code, k, field.FindAllString(v, -1), field.FindAllString(en[k], -1))
			}
		}
		for k := range en {
			if _, ok := m[k]; !ok {
				t.Errorf("%s.json lacks %q", code, k)
			}
		}
	}

	// Keys named literally in the code.
	used := map[string]bool{}
	call := regexp.MustCompile(`\bT\("([a-zA-Z0-9_.]+)"`)
	sources, _ := filepath.Glob("*.go")
	for _, src := range sources {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(data), -1) {
			if !strings.HasSuffix(m[1], ".") {
				used[m[1]] = true
			}
		}
	}
	// Keys built from values.
	for _, s := range screens() {
		used[s.Title] = true
	}
	for _, r := range []pki.Role{pki.RoleIndividual, pki.RoleLegal, pki.RoleHead, pki.RoleSigner, pki.RoleFinancial, pki.RoleHR, pki.RoleEmployee, pki.RoleTreasury, pki.RoleInfoSystem} {
		used["role."+string(r)] = true
	}
	for _, i := range []pki.Indication{pki.TotalPassed, pki.Indeterminate, pki.TotalFailed} {
		used["verdict."+string(i)] = true
	}
	for _, s := range []pki.SubIndication{pki.FormatFailure, pki.HashFailure, pki.SigCryptoFailure, pki.Revoked, pki.Expired, pki.NotYetValid,
		pki.SigConstraintsFailure, pki.ChainConstraintsFailure, pki.CertificateChainFailure, pki.NoCertificateChainFound,
		pki.NoSigningCertificateFound, pki.RevokedNoPOE, pki.TryLater, pki.RevocationUnknown, pki.OutOfBoundsNoPOE} {
		used["sub."+string(s)] = true
	}
	for _, s := range []pki.CertStatusValue{pki.StatusGood, pki.StatusRevoked, pki.StatusUnknown} {
		used["status."+string(s)] = true
	}
	for _, st := range store.States {
		used["state."+string(st)] = true
	}
	for _, k := range store.Kinds {
		used["kind."+string(k)] = true
	}
	for _, a := range []store.Action{store.ActionImport, store.ActionEdit, store.ActionSign, store.ActionVerify, store.ActionExport,
		store.ActionState, store.ActionKey, store.ActionDelete, store.ActionExchange} {
		used["journal."+string(a)] = true
	}
	for _, c := range reportwords.MessageCodes {
		used["msg."+c] = true
	}
	// The portal's words (sync/api's enums and the store's sync states).
	for _, d := range []string{"incoming", "outgoing"} {
		used["portal.dir."+d] = true
	}
	for _, st := range []string{"awaiting_signature", "signed", "rejected", "submitted", "revocation_requested", "revoked"} {
		used["portal.st."+st] = true
	}
	for _, st := range []string{store.SyncWaiting, store.SyncSent, store.SyncReceipt, store.SyncConflict} {
		used["portal.sync."+st] = true
	}
	for _, e := range []string{"published", "content_replaced", "signed", "rejected", "submitted", "revocation_proposed", "revocation_accepted", "revocation_refused"} {
		used["portal.entry."+e] = true
	}
	for _, b := range []string{"portal", "user"} {
		used["portal.by."+b] = true
	}
	for _, r := range []string{"requested", "accepted", "refused"} {
		used["portal.revocation."+r] = true
	}
	for k := range used {
		if _, ok := en[k]; !ok {
			t.Errorf("the code uses %q, which en.json lacks", k)
		}
	}
	if len(used) < 200 {
		t.Errorf("only %d keys found in the code: is the scan broken?", len(used))
	}
}

// TestSwitchLanguage: Settings switches the language live; the sidebar and
// the screen speak it at once, with no English left on the screen.
func TestSwitchLanguage(t *testing.T) {
	g := newTestApp(t)
	cases := []struct {
		code    string
		want    []string
		mustNot []string
	}{
		{"kk", []string{"Қол қою", "Кілттер", "Тексеру", "Баптаулар", "Тіл"}, []string{"Sign", "Keys", "Verify", "Settings", "Language"}},
		{"ru", []string{"Подписать", "Ключи", "Проверить", "Настройки", "Язык"}, []string{"Sign", "Keys", "Settings"}},
		{"en", []string{"Sign", "Keys", "Verify", "Settings", "Language"}, []string{"Подписать"}},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			var got []string
			onUI(func() {
				g.show("settings")
				g.SetLanguage(c.code)
				got = texts(g.win.Content())
			})
			for _, w := range c.want {
				if !contains(got, w) {
					t.Errorf("%s: %q not on screen; texts: %q", c.code, w, got)
				}
			}
			for _, w := range c.mustNot {
				if contains(got, w) {
					t.Errorf("%s: %q still on screen", c.code, w)
				}
			}
			if Language() != c.code {
				t.Errorf("Language() = %q", Language())
			}
		})
	}
}

// TestTemplateFields: T fills fields in the chosen language.
func TestTemplateFields(t *testing.T) {
	_ = loadTranslations()
	defer SetLanguage("")
	SetLanguage("kk")
	if got := T("welcome.testCreated", map[string]any{"Password": "Qwerty12"}); !strings.Contains(got, "Qwerty12") || !strings.Contains(got, "ТЕСТ") {
		t.Errorf("kk template = %q", got)
	}
	SetLanguage("")
	if got := T("app.version", map[string]any{"Version": "1.2"}); got != "Version 1.2" {
		t.Errorf("system (en) template = %q", got)
	}
}
