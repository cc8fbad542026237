package main

import "testing"

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
