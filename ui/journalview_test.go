package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/internal/core"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// journalFixture writes a document's whole life into a real (in-memory)
// store, so the lines parsed are the ones the store and the GUI write, and
// returns its journal: import, metadata edit, state change with a note,
// signature, new version, verification, export, a large file's signing, an
// event of unknown shape, and the forced deletion.
func journalFixture(t *testing.T) []store.Entry {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenMemory(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d, err := st.AddDocument(ctx, store.NewDocument{Name: "contract.txt", Kind: store.KindContract, Content: []byte("Шарт № 17\n")})
	if err != nil {
		t.Fatal(err)
	}
	title, kind, cp := "Шарт № 17", store.KindAct, "ТОО «Альфа»"
	steps := []struct {
		what string
		do   func() error
	}{
		{"metadata", func() error {
			_, err := st.UpdateDocument(ctx, d.ID, store.DocumentUpdate{Title: &title, Kind: &kind, Counterparty: &cp})
			return err
		}},
		{"state", func() error {
			_, err := st.SetState(ctx, d.ID, store.StateReady, "проверено бухгалтером")
			return err
		}},
		{"sign", func() error {
			_, err := st.AddSignature(ctx, d.ID, 1, store.NewSignature{Format: "cms", Bytes: []byte("sig"),
				Signer: store.Signer{CommonName: "БЕКОВА ДИНАРА", Fingerprint: strings.Repeat("ab", 32)}})
			return err
		}},
		{"version", func() error {
			_, err := st.AddVersion(ctx, d.ID, "contract-v2.txt", []byte("Шарт № 17, 2-нұсқа\n"))
			return err
		}},
		{"verify", func() error {
			return core.RecordVerification(ctx, st, "contract.txt.cms", &pki.Report{Signatures: []pki.SignatureReport{{Indication: pki.TotalPassed}}})
		}},
		{"export", func() error {
			_, err := st.Record(ctx, store.Event{Action: store.ActionExport, Document: d.ID, Version: 2,
				Detail: fmt.Sprintf("evidence package %s (%d signature(s))", "contract.evidence.zip", 1)})
			return err
		}},
		{"large file", func() error { // core.RecordFileSigning's line for a file over the store's limit
			_, err := st.Record(ctx, store.Event{Action: store.ActionKey,
				Detail: fmt.Sprintf("signed %s (%s, %d bytes, not stored: larger than the store's limit) as %s", "disk.iso", "cms", 3<<30, "disk.iso.cms")})
			return err
		}},
		{"unknown shape", func() error {
			_, err := st.Record(ctx, store.Event{Action: store.ActionKey, Detail: "token Kaztoken 0042 plugged in"})
			return err
		}},
		{"delete", func() error {
			_, err := st.DeleteDocument(ctx, d.ID, store.DeleteOptions{ForceBeforeRetention: true, Reason: "a duplicate"})
			return err
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
	}
	es, err := st.Journal(ctx, store.JournalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != len(steps)+1 {
		t.Fatalf("%d journal entries, want %d", len(es), len(steps)+1)
	}
	return es
}

// TestJournalDetailTranslated: every line the store and the GUI write reads
// in the user's language (en word for word; kk and ru without the stored
// English), while the entries themselves are left as stored.
func TestJournalDetailTranslated(t *testing.T) {
	es := journalFixture(t)
	stored := make([]store.Entry, len(es))
	copy(stored, es)
	t.Cleanup(func() { SetLanguage("") })

	wantEN := []string{
		"file contract.txt (text/plain; charset=utf-8)",
		"changed: title, kind Contract → Act, counterparty",
		"state: Draft → Ready: проверено бухгалтером",
		"signature 1 (CMS) by БЕКОВА ДИНАРА; state: Ready → Signed",
		"file contract-v2.txt (text/plain; charset=utf-8); state: Signed → Draft",
		"contract.txt.cms: The signature is valid (signatures: 1)",
		"evidence package contract.evidence.zip, signatures: 1",
		"disk.iso (3.0 GB) signed, the signature saved as disk.iso.cms (CMS); the file itself is larger than the database's limit and is not stored",
		"token Kaztoken 0042 plugged in",
		"", // the deletion: its date comes from the clock, checked below
	}
	SetLanguage("en")
	for i, e := range es {
		got := journalDetail(e)
		if wantEN[i] != "" && got != wantEN[i] {
			t.Errorf("en, entry %d (%s) %q:\n got %q\nwant %q", e.Seq, e.Action, e.Detail, got, wantEN[i])
		}
	}
	del := journalDetail(es[len(es)-1])
	if !regexp.MustCompile(`^“Шарт № 17” \(Draft\) deleted with its versions \(2\) and signatures \(1\); forced before the retention period ends on \d{4}-\d\d-\d\d: a duplicate$`).MatchString(del) {
		t.Errorf("en, the deletion reads %q", del)
	}

	// The stored English that must not show through in kk or ru.
	english := regexp.MustCompile(`(?i)\b(signatures?|versions?|deleted|metadata|by|package|forced|retention|title|kind|counterparty|draft|ready|signed|state|bytes|stored|limit)\b`)
	for _, lang := range []string{"kk", "ru"} {
		SetLanguage(lang)
		for i, e := range es {
			got := journalDetail(e)
			if e.Detail == "token Kaztoken 0042 plugged in" {
				if got != e.Detail {
					t.Errorf("%s: a line of unknown shape reads %q, want it as stored", lang, got)
				}
				continue
			}
			if got == e.Detail || english.MatchString(got) {
				t.Errorf("%s, entry %d (%s) %q is not translated: %q", lang, i+1, e.Action, e.Detail, got)
			}
			if h := journalHeadline(e); english.MatchString(h) {
				t.Errorf("%s: headline %q", lang, h)
			}
		}
	}
	for i := range es {
		if es[i] != stored[i] {
			t.Errorf("entry %d changed while shown: %+v, was %+v", i+1, es[i], stored[i])
		}
	}
}

// TestJournalDetailUnknownShapes: lines that only look like a known shape
// (an unknown state or verdict, a damaged quote) are shown as stored.
func TestJournalDetailUnknownShapes(t *testing.T) {
	SetLanguage("ru")
	t.Cleanup(func() { SetLanguage("") })
	for _, e := range []store.Entry{
		{Action: store.ActionState, Detail: "draft→archived"},
		{Action: store.ActionSign, Detail: "cms signature 1 by X, archived→signed"},
		{Action: store.ActionVerify, Detail: "a.cms: MAYBE, 1 signature(s)"},
		{Action: store.ActionDelete, Detail: `"unterminated (signed): 1 version(s), 0 signature(s) deleted`},
		{Action: store.ActionEdit, Detail: "metadata: colour"},
		{Action: "archive", Detail: "moved to the archive"},
	} {
		if got := journalDetail(e); got != e.Detail {
			t.Errorf("%s %q reads %q, want it as stored", e.Action, e.Detail, got)
		}
	}
	if got := journalAction("archive"); got != "archive" {
		t.Errorf("an unknown action reads %q", got)
	}
}

// TestJournalShownInDocument: the opened document's journal card speaks
// the window's language.
func TestJournalShownInDocument(t *testing.T) {
	g := newTestApp(t)
	d, err := g.opts.Store.AddDocument(context.Background(), store.NewDocument{Name: "note.txt", Content: []byte("сәлем")})
	if err != nil {
		t.Fatal(err)
	}
	onUI(func() { g.SetLanguage("kk"); g.show("documents") })
	waitList(t, g, 1)
	openAndWait(t, g, d.ID)
	var all string
	onUI(func() { all = strings.Join(texts(g.docs.detailBox), "\n") })
	for _, want := range []string{"#1 · ", " · қосылды · 1-нұсқа", "note.txt файлы (text/plain; charset=utf-8)", "ЖОБА"} {
		if !strings.Contains(all, want) {
			t.Errorf("the document lacks %q; texts:\n%s", want, all)
		}
	}
}
