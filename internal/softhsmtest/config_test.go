package softhsmtest

import (
	"os"
	"strings"
	"testing"
)

func TestMissing(t *testing.T) {
	Require(t)
	tests := []struct {
		name  string
		tools []string
		want  string // in the reason; "" for none
	}{
		{"softhsm only", nil, ""},
		{"absent tool", []string{"qoltanba-no-such-tool"}, "qoltanba-no-such-tool absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Missing(tt.tools...)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Missing(%q) = %q, want %q", tt.tools, got, tt.want)
			}
		})
	}
}

func TestNewConfig(t *testing.T) {
	c, err := NewConfig(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(c.File)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"directories.tokendir = " + c.Tokens, "objectstore.backend = file", "slots.removable = true"} {
		if !strings.Contains(string(b), line+"\n") {
			t.Errorf("configuration lacks %q:\n%s", line, b)
		}
	}
	if fi, err := os.Stat(c.Tokens); err != nil || !fi.IsDir() {
		t.Errorf("token directory %s: %v", c.Tokens, err)
	}
}
