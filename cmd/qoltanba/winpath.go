package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// pathCmd puts the folder of this program on the user's PATH, or takes it
// off: the Windows installer runs it (wixl has no Environment table), so
// that "qoltanba" works in cmd.exe and PowerShell.
func pathCmd(_ context.Context, s stdio, args []string) error {
	args, err := parseFlags(flag.NewFlagSet("path", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if len(args) != 1 || (args[0] != "add" && args[0] != "remove") {
		return usagef("say add or remove")
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this program: %w", err)
	}
	dir := filepath.Dir(exe)
	if err := changeUserPath(dir, args[0] == "add"); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "%s %s the user's PATH\n", dir, map[bool]string{true: "is on", false: "is off"}[args[0] == "add"])
	return nil
}

// errNoUserPath: the user's PATH is a Windows registry value.
var errNoUserPath = errors.New("the user's PATH is changed this way on Windows only; elsewhere the package installs into /usr/bin")

// withPathEntry adds or removes dir in a PATH list (";"-separated,
// compared without case and trailing separators, as Windows does).
func withPathEntry(list, dir string, add bool) string {
	same := func(e string) bool {
		return strings.EqualFold(strings.TrimRight(e, `\/`), strings.TrimRight(dir, `\/`))
	}
	var out []string
	present := false
	for _, e := range strings.Split(list, ";") {
		if e == "" {
			continue
		}
		if same(e) {
			present = true
			if !add {
				continue
			}
		}
		out = append(out, e)
	}
	if add && !present {
		out = append(out, dir)
	}
	return strings.Join(out, ";")
}
