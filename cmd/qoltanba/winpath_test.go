package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestWithPathEntry(t *testing.T) {
	const dir = `C:\Users\Әлия\AppData\Local\Programs\Qoltanba`
	tests := []struct {
		list string
		add  bool
		want string
	}{
		{"", true, dir},
		{`C:\Windows;C:\bin`, true, `C:\Windows;C:\bin;` + dir},
		{`C:\Windows;` + dir + `\`, true, `C:\Windows;` + dir + `\`},
		{`C:\Windows;c:\users\әлия\appdata\local\programs\qoltanba;C:\bin`, false, `C:\Windows;C:\bin`},
		{`C:\Windows;;C:\bin`, false, `C:\Windows;C:\bin`},
	}
	for _, tt := range tests {
		if got := withPathEntry(tt.list, dir, tt.add); got != tt.want {
			t.Errorf("withPathEntry(%q, add %v) = %q, want %q", tt.list, tt.add, got, tt.want)
		}
	}
}

func TestDiskHint(t *testing.T) {
	full := fmt.Errorf("import: write content: %w", &os.PathError{Op: "write", Path: "/d/blobs/x", Err: syscall.ENOSPC})
	if h := diskHint(full); !strings.Contains(h, "disk is full") {
		t.Errorf("disk full: %q", h)
	}
	ro := fmt.Errorf("create data folder: %w", &os.PathError{Op: "mkdir", Path: "/ro/d", Err: syscall.EROFS})
	if h := diskHint(ro); !strings.Contains(h, "read-only") {
		t.Errorf("read-only: %q", h)
	}
	if h := diskHint(errors.New("other")); h != "" {
		t.Errorf("other: %q", h)
	}
}
