package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/qoltanba/qoltanba/internal/diskerr"
)

// stdio is the program's standard streams, passed explicitly so tests can run
// the CLI in-process.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// command is one CLI subcommand. run returns an error to print; a *usageError
// prints the command's usage. args names the positional arguments only: the
// flags of the usage lines are generated from the command's own flag set.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, io stdio, args []string) error
}

func commands() []command {
	return append([]command{
		guiCommand,
		{"keys info", "FILE.p12|pkcs11:URI", "show whose key a file holds", keysInfo},
		{"keys list", "", "list key files in the usual folders", keysList},
		{"keys tokens", "", "list hardware tokens (PKCS#11) and their keys", keysTokens},
		{"keys compromised", "KEY", "report a key compromised: it never signs again here, and every portal is told", keysCompromised},
		{"sign", "IN", "sign a file", signCmd},
		{"cert info", "FILE.cer", "show whose certificate a file holds: identity, validity, key usage, issuer", certInfo},
		{"cert verify", "FILE.cer", "check a certificate's chain and revocation now (exit 0 valid, 2 indeterminate, 1 failed)", certVerify},
		{"verify", "SIGNED", "verify the signatures of a file (exit 0 all valid, 2 indeterminate, 1 failed)", verifyCmd},
		{"testpki init", "DIR", "write an NCA-like test PKI (keys, CAs, CRLs)", testpkiInit},
		{"docs add", "FILE", "import a document (prints its id)", docsAdd},
		{"docs list", "", "list documents, newest first", docsList},
		{"docs show", "ID", "show a document, its versions, signatures and journal", docsShow},
		{"docs sign", "ID", "sign a stored document's current version, verify and store the signature", docsSign},
		{"docs export", "ID", "write an evidence package: content, signatures, certificates, revocation data, reports, journal", docsExport},
		{"docs paper-copy", "ID", "print a paper copy (PDF): the content marked «Копия электронного документа» on every page, the signatures verified now, a QR code", docsPaperCopy},
		{"docs verify-package", "FILE.zip", "check an evidence package offline (exit 0 valid, 2 indeterminate, 1 failed)", docsVerifyPackage},
		{"docs delete", "ID", "delete a document (signed ones are kept 5 years unless forced); the journal keeps its history", docsDelete},
		{"journal verify", "", "check the journal's hash chain and every stored document against it", journalVerify},
		{"db backup", "FILE", "write a backup of the documents and the journal", dbBackup},
		{"db restore", "FILE", "replace the database with a verified backup (the old one is kept as .bak)", dbRestore},
		{"bridge trust", "", "install the bridge's certificate in the browsers (Chromium, every Firefox profile)", bridgeTrust},
		{"bridge doctor", "", "say whether each browser trusts the bridge and who answers on its port (exit 0 all well, 2 not)", bridgeDoctor},
		{"bridge", "", "answer websites on the NCALayer protocol (wss://127.0.0.1:13579) until Ctrl-C, asking here", bridgeServe},
		{"path", "add|remove", "put this program's folder on the user's PATH or take it off (Windows; the installer runs it)", pathCmd},
		{"testpki serve", "DIR", "run the test PKI's OCSP, CRL, CA and TSA services until Ctrl-C", testpkiServe},
		{"version", "", "print the version", func(_ context.Context, s stdio, _ []string) error {
			fmt.Fprintf(s.out, "qoltanba %s\n", version)
			return nil
		}},
	}, slices.Concat(portalCommands(), agreementCommands(), registerCommands())...)
}

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, s stdio) int {
	if len(args) == 0 {
		if err := openGUI(ctx); err != nil {
			return report(s, err)
		}
		return 0
	}
	if isGUIFlags(args) || isFileArg(args) { // "qoltanba --lang kk" is "qoltanba gui --lang kk"; "qoltanba F.p12" opens it
		args = append([]string{"gui"}, args...)
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(s.out)
		return 0
	}
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			err := c.run(ctx, s, args[len(words):])
			var status exitStatus
			if errors.As(err, &status) {
				return int(status)
			}
			var help *helpRequest
			if errors.As(err, &help) {
				commandUsage(s.out, c, help.fs)
				return 0
			}
			var ue *usageError
			if errors.As(err, &ue) {
				fmt.Fprintf(s.err, "qoltanba: error: %s\nusage: %s\n", ue.msg, synopsis(c))
				return 1
			}
			return report(s, err)
		}
	}
	fmt.Fprintf(s.err, "qoltanba: error: unknown command %q\n", strings.Join(args, " "))
	fmt.Fprintln(s.err, "hint: run 'qoltanba help' to list the commands")
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Qoltanba — electronic digital signature for Kazakhstan (NCA RK keys)")
	fmt.Fprintln(w, "\nUsage:\n  qoltanba                 open the window (flags as for 'qoltanba gui')")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %s\n      %s\n", synopsis(c), c.summary)
	}
}

// report prints err as "qoltanba: error: …" plus its hints and returns the exit code.
func report(s stdio, err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(s.err, "qoltanba: error: %v\n", err)
	var h *hintError
	if errors.As(err, &h) {
		for _, line := range h.hints {
			fmt.Fprintf(s.err, "hint: %s\n", line)
		}
	}
	if hint := diskHint(err); hint != "" {
		fmt.Fprintf(s.err, "hint: %s\n", hint)
	}
	return 1
}

// diskHint says what to do when the disk refused a write: nothing already
// stored was changed (every change commits whole or not at all).
func diskHint(err error) string {
	switch {
	case diskerr.Full(err):
		return "the disk is full: free some space, or keep the data elsewhere with --data-dir DIR; nothing stored before was lost"
	case diskerr.ReadOnly(err):
		return "the disk is read-only: keep the data on a writable disk with --data-dir DIR"
	}
	return ""
}

// hintError carries advice for the user along with an error.
type hintError struct {
	err   error
	hints []string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

func withHint(err error, hints ...string) error { return &hintError{err: err, hints: hints} }

// helpRequest is -h or --help: the command's usage goes to stdout, exit 0.
type helpRequest struct{ fs *flag.FlagSet }

func (h *helpRequest) Error() string { return "help requested" }

// commandUsage prints a command's usage, its flags generated from its own
// flag set so that they never drift from what it accepts.
func commandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", synopsis(c), c.summary)
	fmt.Fprintln(w, "\nflags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// flagsOf is the command's flag set, as it builds it: the command is run
// with -h, which every command answers before doing anything.
func flagsOf(c command) *flag.FlagSet {
	err := c.run(context.Background(), stdio{in: strings.NewReader(""), out: io.Discard, err: io.Discard}, []string{"-h"})
	var help *helpRequest
	if errors.As(err, &help) {
		return help.fs
	}
	return nil
}

// synopsis is a command's usage line: its name, every flag it accepts (with
// the argument name its usage text gives in backquotes) and its positional
// arguments.
func synopsis(c command) string {
	parts := []string{"qoltanba", c.name}
	if fs := flagsOf(c); fs != nil {
		fs.VisitAll(func(f *flag.Flag) {
			dash := "--"
			if len(f.Name) == 1 {
				dash = "-"
			}
			if arg, _ := flag.UnquoteUsage(f); arg != "" {
				parts = append(parts, "["+dash+f.Name+" "+arg+"]")
			} else {
				parts = append(parts, "["+dash+f.Name+"]")
			}
		})
	}
	if c.args != "" {
		parts = append(parts, c.args)
	}
	return strings.Join(parts, " ")
}

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// parseFlags parses flags wherever they stand among the positional arguments
// ("keys info FILE --json" and "keys info --json FILE" alike) and returns the
// positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, &helpRequest{fs}
		} else if err != nil {
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
