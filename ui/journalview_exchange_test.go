package ui

import (
	"testing"

	"github.com/qoltanba/qoltanba/sync/store"
)

// TestExchangeJournalLines: every line the portal exchange writes is said
// in the user's language, account names with quotes and colons included.
func TestExchangeJournalLines(t *testing.T) {
	SetLanguage("ru")
	defer SetLanguage("")
	cases := []struct {
		action store.Action
		detail string
		want   string
	}{
		{store.ActionImport, `d.txt (text/plain; charset=utf-8), from "127.0.0.1:8780", document 01ab revision 1 (awaiting_signature)`, "файл d.txt (text/plain; charset=utf-8) получен с портала 127.0.0.1:8780 (ждёт вашей подписи)"},
		{store.ActionEdit, `d.txt (text/plain), signed→draft, version 2 from "demo" (revision 3)`, "файл d.txt (text/plain): версия 2 с портала demo; состояние: Подписан → Черновик"},
		{store.ActionState, `signed→queued: to send to "a \"b\": c"`, `состояние: Подписан → В очереди: к отправке на a "b": c`},
		{store.ActionState, `draft→rejected: rejected for "demo": сумма неверна`, "состояние: Черновик → Отклонён: отклонено для demo: сумма неверна"},
		{store.ActionExchange, `receipt from "demo": rejected (portal revision 2, received 2026-12-06T18:22:19Z)`, "квитанция от demo: отказ, ревизия портала 2"},
		{store.ActionExchange, `"demo": awaiting_signature → revoked (revision 5)`, "demo: ждёт вашей подписи → аннулирован (ревизия 5)"},
		{store.ActionExchange, `"demo": - → signed (revision 2)`, "demo: — → подписан (ревизия 2)"},
		{store.ActionExchange, `Agreement to annul signed for "demo": agreed`, "согласие аннулировать подписано для demo: agreed"},
		{store.ActionExchange, `"demo" refused sign: the document changed (changed)`, "demo отказал: the document changed"},
	}
	for _, c := range cases {
		got := journalDetail(store.Entry{Action: c.action, Detail: c.detail})
		if len(got) < len(c.want) || got[:len(c.want)] != c.want {
			t.Errorf("%s %q:\n got %q\nwant %q…", c.action, c.detail, got, c.want)
		}
	}
}
