package textdiff

import (
	"strings"
	"testing"
)

func render(ls []Line) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteByte(byte(l.Op))
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestLines(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"", "", ""},
		{"a\nb\n", "a\nb\n", " a\n b\n"},
		{"a\nb\nc\n", "a\nB\nc\n", " a\n-b\n+B\n c\n"},
		{"1.\n2. Сумма: 100\n3.\n", "1.\n2. Сумма: 120\n2a. Новое\n3.\n", " 1.\n-2. Сумма: 100\n+2. Сумма: 120\n+2a. Новое\n 3.\n"},
		{"a\nb\n", "", "-a\n-b\n"},
		{"x\r\ny\r\n", "x\ny\n", " x\n y\n"},
	}
	for _, tt := range tests {
		if got := render(Lines(tt.a, tt.b)); got != tt.want {
			t.Errorf("Lines(%q, %q):\n%s\nwant\n%s", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestChanges(t *testing.T) {
	a := strings.Repeat("same\n", 20) + "old\n" + strings.Repeat("same\n", 20)
	b := strings.Repeat("same\n", 20) + "new\n" + strings.Repeat("same\n", 20)
	got := render(Changes(Lines(a, b), 1))
	if got != " …\n same\n-old\n+new\n same\n …\n" {
		t.Errorf("Changes:\n%s", got)
	}
}

func TestLarge(t *testing.T) { // beyond maxCells: still a correct diff
	a := strings.Repeat("line a\n", 3000)
	b := strings.Repeat("line b\n", 3000)
	ls := Lines(a, b)
	if len(ls) != 6000 || ls[0].Op != Removed || ls[5999].Op != Added {
		t.Fatalf("%d lines", len(ls))
	}
}
