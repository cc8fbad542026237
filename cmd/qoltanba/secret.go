package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/qoltanba/qoltanba/internal/units"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// secretFlags are the three ways to give a password (or PIN) without it
// landing in shell history: standard input, a file, or a no-echo prompt.
type secretFlags struct {
	fromStdin bool
	file      string
}

func (f *secretFlags) register(fs *flag.FlagSet, what string) {
	fs.BoolVar(&f.fromStdin, what+"-stdin", false, "read the "+what+" from the first line of standard input")
	fs.StringVar(&f.file, what+"-file", "", "read the "+what+" from the first line of `FILE`")
}

// terminalUI is the CLI's signer.UI: secrets come from the flags above or the
// terminal; messages go to stderr.
type terminalUI struct {
	s       stdio
	secrets secretFlags
}

var _ signer.UI = (*terminalUI)(nil)

var (
	errNoSecret = errors.New("no password given and standard input is not a terminal")
	errNoPIN    = errors.New("no PIN given and standard input is not a terminal")
	// errSecretNotRetried: a secret given by flag or standard input was
	// wrong; it is not asked again (the next line is not a second try).
	errSecretNotRetried = fmt.Errorf("%w, and it was given by flag or standard input", signer.ErrWrongPassword)
)

// interactive reports whether secrets come from a no-echo terminal prompt.
func (u *terminalUI) interactive() bool {
	if u.secrets.fromStdin || u.secrets.file != "" {
		return false
	}
	in, ok := u.s.in.(*os.File)
	return ok && term.IsTerminal(int(in.Fd()))
}

func (u *terminalUI) RequestSecret(_ context.Context, req signer.SecretRequest) ([]byte, error) {
	what := "password"
	if req.Kind != signer.SecretPassword {
		what = "PIN"
	}
	if msg := pinStateText(req); msg != "" {
		fmt.Fprintln(u.s.err, msg)
	}
	if req.Kind == signer.SecretKeypad {
		fmt.Fprintf(u.s.err, "Enter the PIN of token «%s» on the reader's keypad\n", req.Key.Token)
		return nil, nil
	}
	if req.Retry() {
		if !u.interactive() {
			return nil, fmt.Errorf("wrong %s for %s: %w", what, keyName(req.Key), errSecretNotRetried)
		}
		fmt.Fprintf(u.s.err, "Wrong %s, try again (attempt %d).\n", what, req.Attempt)
	}
	switch {
	case u.secrets.fromStdin:
		return readFirstLine(u.s.in)
	case u.secrets.file != "":
		f, err := os.Open(u.secrets.file)
		if err != nil {
			return nil, fmt.Errorf("read %s file: %w", what, err)
		}
		defer f.Close()
		return readFirstLine(f)
	}
	if !u.interactive() {
		if req.Kind == signer.SecretPIN {
			return nil, withHint(errNoPIN, "give it with --pin-stdin or --pin-file FILE")
		}
		return nil, withHint(errNoSecret, "give it with --password-stdin or --password-file FILE")
	}
	in := u.s.in.(*os.File)
	prompt := "Password for " + keyName(req.Key)
	if req.Kind == signer.SecretPIN {
		prompt = "PIN for token «" + req.Key.Token + "»"
	}
	fmt.Fprintf(u.s.err, "%s: ", prompt)
	secret, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(u.s.err)
	if err != nil {
		return nil, fmt.Errorf("read %s from terminal: %w", what, err)
	}
	return secret, nil
}

// pinStateText is the token's PIN state in words, empty when all is well.
func pinStateText(req signer.SecretRequest) string {
	token := "«" + req.Key.Token + "»"
	switch req.PIN {
	case signer.PINCountLow:
		return "token " + token + ": a wrong PIN was entered before; few attempts are left before the token locks"
	case signer.PINFinalTry:
		return "token " + token + ": LAST ATTEMPT — one more wrong PIN locks the token"
	case signer.PINMustChange:
		return "token " + token + ": the PIN must be changed before use; change it in the token vendor's tool"
	}
	return ""
}

func keyName(r signer.KeyRef) string {
	if r.Label != "" {
		return r.Label
	}
	return r.URI
}

// Consent prints what is about to be signed, for whom and with which key,
// before the secret is asked: the command line itself is the local user's
// consent, so nothing more is asked.
func (u *terminalUI) Consent(_ context.Context, c signer.Consent) error {
	w := u.s.err
	who := "you"
	if c.Origin != signer.LocalUser {
		who = c.Origin
	}
	test := ""
	if c.Test {
		test = " TEST"
	}
	fmt.Fprintf(w, "Signing for %s as %s with%s key %s\n", who, describeFormat(c), test, keyName(c.Key))
	if c.Key.Certificate != nil {
		fmt.Fprintf(w, "  signer: %s\n", pki.IdentityOf(c.Key.Certificate, c.At).Summary())
	}
	for i, d := range c.Documents {
		if i == 3 && len(c.Documents) > 4 {
			fmt.Fprintf(w, "  … and %d more\n", c.Count-i)
			break
		}
		name := d.Name
		if d.Version > 0 {
			name = fmt.Sprintf("%s, version %d (%s)", d.Name, d.Version, d.FileName)
		}
		if d.Digest {
			fmt.Fprintf(w, "  a hash: a value you cannot see, %x\n", d.SHA256)
			continue
		}
		fmt.Fprintf(w, "  %s (%s), SHA-256 %x\n", name, units.Size(d.Size), d.SHA256)
		if c.Origin != signer.LocalUser && d.Preview != "" {
			preview := d.Preview
			if r := []rune(preview); len(r) > 300 {
				preview = string(r[:300]) + "…"
			}
			fmt.Fprintf(w, "    «%s»\n", strings.ReplaceAll(preview, "\n", "\n     "))
		}
	}
	switch {
	case c.TSA != "" && c.RequireTimestamp:
		fmt.Fprintf(w, "  timestamp from %s (required: no signature without it)\n", c.TSA)
	case c.TSA != "":
		fmt.Fprintf(w, "  timestamp from %s (if it fails, the signature is kept without one)\n", c.TSA)
	}
	return nil
}

// describeFormat says in words what kind of signature a consent is for.
func describeFormat(c signer.Consent) string {
	switch {
	case c.Format == signer.FormatCMS && c.CoSign:
		return "a co-signature of the CMS"
	case c.Format == signer.FormatCMS && c.Detached:
		return "detached CMS"
	case c.Format == signer.FormatCMS:
		return "CMS with the content attached"
	case c.Format == signer.FormatXML:
		return "an XML signature"
	case c.Format == signer.FormatPDF:
		return "a signature inside the PDF (PAdES), added as an incremental update"
	case c.Format == signer.FormatAuth:
		return "an authentication"
	}
	return "a raw signature"
}

// maxSecret bounds a password or PIN line; NCA passwords are at most 32 characters.
const maxSecret = 1024

// readFirstLine reads up to the first line break one byte at a time, so that
// no buffer but the returned one ever holds the secret and nothing past the
// line is consumed, and trims the line ending (LF or CR LF).
func readFirstLine(r io.Reader) ([]byte, error) {
	var one [1]byte
	defer signer.Zero(one[:])
	line := make([]byte, 0, maxSecret) // never reallocated: no stray copies
	for {
		n, err := r.Read(one[:])
		if n == 1 {
			if one[0] == '\n' {
				break
			}
			if len(line) == cap(line) {
				signer.Zero(line)
				return nil, errors.New("read password: line too long")
			}
			line = append(line, one[0])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			signer.Zero(line)
			return nil, fmt.Errorf("read password: %w", err)
		}
	}
	return bytes.TrimSuffix(line, []byte{'\r'}), nil
}
