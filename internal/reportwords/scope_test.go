package reportwords

import (
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/signer/cms"
)

// TestScope: every scope a format writes is said in each language — a
// PDF's too, whatever came after its revision — and the English comes out
// as the format wrote it.
func TestScope(t *testing.T) {
	for _, tc := range []struct{ scope, ru string }{
		{cms.ScopeAttached, "подпис"},
		{"whole document", "весь документ"},
		{`element Id="doc1"`, `Id="doc1"`},
		{"PDF revision 1 (bytes 0–2048), the whole file", "редакция PDF 1 (байты 0–2048), весь файл"},
		{"PDF revision 1 (bytes 0–2048); later revisions add signatures only", "только добавляют подписи"},
		{"PDF revision 1 (bytes 0–2048); later revisions add signatures; CHANGED after signing: 40 bytes in 1 incremental update(s) no signature covers",
			"добавляют подписи; ИЗМЕНЁН после подписания: 40 байт в добавочных обновлениях (1)"},
		{"PDF revision 2 (bytes 0–9); CHANGED after signing: 7 bytes in incremental updates no signature covers", "ИЗМЕНЁН после подписания: 7 байт"},
		{"PDF revision 1 (bytes 0–2048); later revisions add validation data only", "данные для проверки"},
		{"PDF revision 1 (bytes 0–2048); later revisions add signatures and validation data only", "подписи и данные для проверки"},
		{"something else", "something else"},
	} {
		if got := Scope("ru", tc.scope); !strings.Contains(got, tc.ru) {
			t.Errorf("ru %q: %q, want it to hold %q", tc.scope, got, tc.ru)
		}
		if kk := Scope("kk", tc.scope); tc.scope != "something else" && (kk == tc.scope || strings.Contains(kk, "revision")) {
			t.Errorf("kk %q: %q", tc.scope, kk)
		}
		if strings.HasPrefix(tc.scope, "PDF") {
			if en := Scope("en", tc.scope); en != tc.scope {
				t.Errorf("en: %q, want the format's own %q", en, tc.scope)
			}
		}
	}
}
