// Command qoltanba is Qoltanba's one program: the GUI when started without
// arguments, and a CLI for scripts and power users:
//
//	qoltanba                              open the GUI
//	qoltanba keys info FILE.p12 [--json]  show whose key a file holds
//	qoltanba keys list [--json]           list the key files in the usual folders
//	qoltanba testpki init DIR [--url U]   write an NCA-like test PKI
//	qoltanba version
//
// Errors go to stderr as "qoltanba: error: …" with "hint: …" lines, exit 1.
package main

import (
	// First, for its effect: a locale fix that must precede Fyne's init.
	_ "github.com/qoltanba/qoltanba/internal/envlocale"

	"context"
	"os"
	"os/signal"
)

// version is set at build time by the Makefile (-ldflags "-X main.version=…").
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}
