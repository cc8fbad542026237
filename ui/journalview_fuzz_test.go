package ui

import (
	"testing"

	"github.com/qoltanba/qoltanba/sync/store"
)

// FuzzJournalDetail: a journal line of any shape — a restored backup or a
// store written by another version may hold anything — is shown without a
// panic, in every language, and a line the patterns do not know is shown
// exactly as stored.
func FuzzJournalDetail(f *testing.F) {
	actions := []store.Action{store.ActionImport, store.ActionEdit, store.ActionSign, store.ActionVerify,
		store.ActionExport, store.ActionState, store.ActionKey, store.ActionDelete}
	for _, seed := range []string{
		"", "draft→signed", "signed→", "→", "kind contract→invoice", "title, counterparty",
		"signature 1 (CMS) by БЕКОВА ДИНАРА", "evidence package ev.zip, 2 signatures",
		"a.txt (text/plain)", "\xff\xfe→\x00", "signature 99999999999999999999 (X) by",
	} {
		for i := range actions {
			f.Add(uint8(i), seed)
		}
	}
	f.Fuzz(func(t *testing.T, action uint8, detail string) {
		e := store.Entry{Action: actions[int(action)%len(actions)], Detail: detail}
		defer SetLanguage("")
		for _, lang := range []string{"kk", "ru", "en"} {
			SetLanguage(lang)
			got := journalDetail(e)
			if _, ok := journalDetailParsed(e.Action, detail); !ok && got != detail {
				t.Fatalf("%s: an unknown line %q shown as %q", lang, detail, got)
			}
		}
	})
}
