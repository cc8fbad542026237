// Command qoltanba-portal is the reference portal of Qoltanba's exchange
// API (sync/api/openapi.yaml): for development, tests, demos, and for portal
// operators who run it or imitate it.
//
//	qoltanba-portal serve [--demo] [--addr 127.0.0.1:8780] [--data DIR] [--db postgres://…]
//	qoltanba-portal publish (--iin IIN | --bin BIN) [--title T] FILE
//	qoltanba-portal list [--status S]
//	qoltanba-portal show ID
//	qoltanba-portal revocation ID propose|accept|refuse [--reason R]
//	qoltanba-portal agreements
//	qoltanba-portal compromises [FINGERPRINT resume|refuse [--reason R]]
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

type command struct {
	name, args, summary string
	run                 func(ctx context.Context, out io.Writer, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "", "serve the API until Ctrl-C (--demo: a TEST PKI, its services and sample documents)", serve},
		{"publish", "FILE", "send a document to a person (--iin) or a company's signers (--bin)", publish},
		{"list", "", "list documents, newest first, with their status", list},
		{"show", "ID", "show a document and its history", show},
		{"revocation", "ID propose|accept|refuse", "take the portal's part in annulling a document (signed with the portal's key)", revocation},
		{"agreements", "", "list the agreements at their current versions", listAgreements},
		{"compromises", "[FINGERPRINT resume|refuse]", "list certificates reported compromised, or decide a resumption request", compromises},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, out, errw io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(out, "qoltanba-portal — the reference portal of Qoltanba's exchange API\n\nUsage:")
		for _, c := range commands() {
			fmt.Fprintf(out, "  qoltanba-portal %s %s\n      %s\n", c.name, c.args, c.summary)
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, out, args[1:])
			if err == nil {
				return 0
			}
			var u *usageError
			if errors.As(err, &u) {
				fmt.Fprintf(errw, "qoltanba-portal: error: %s\nusage: qoltanba-portal %s [flags] %s\n", u.msg, c.name, c.args)
				return 1
			}
			fmt.Fprintf(errw, "qoltanba-portal: error: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(errw, "qoltanba-portal: error: unknown command %q\nhint: qoltanba-portal help\n", strings.Join(args, " "))
	return 1
}

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// defaultDataDir is where the portal keeps its database, its operator
// token and (with --demo) its TEST PKI.
func defaultDataDir() string {
	if d := os.Getenv("QOLTANBA_PORTAL_DIR"); d != "" {
		return d
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "qoltanba-portal"
	}
	return filepath.Join(base, "qoltanba-portal")
}
