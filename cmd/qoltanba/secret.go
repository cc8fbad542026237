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

	"github.com/qoltanba/qoltanba/signer"
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
)

func (u *terminalUI) RequestSecret(_ context.Context, prompt string) ([]byte, error) {
	switch {
	case u.secrets.fromStdin:
		return readFirstLine(u.s.in)
	case u.secrets.file != "":
		f, err := os.Open(u.secrets.file)
		if err != nil {
			return nil, fmt.Errorf("read password file: %w", err)
		}
		defer f.Close()
		return readFirstLine(f)
	}
	in, ok := u.s.in.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		if strings.Contains(prompt, "PIN") {
			return nil, withHint(errNoPIN, "give it with --pin-stdin or --pin-file FILE")
		}
		return nil, withHint(errNoSecret, "give it with --password-stdin or --password-file FILE")
	}
	fmt.Fprintf(u.s.err, "%s: ", prompt)
	secret, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(u.s.err)
	if err != nil {
		return nil, fmt.Errorf("read password from terminal: %w", err)
	}
	return secret, nil
}

func (u *terminalUI) Confirm(_ context.Context, prompt, yes, no string) (bool, error) {
	in, ok := u.s.in.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return false, fmt.Errorf("%s: cannot ask for confirmation without a terminal", prompt)
	}
	fmt.Fprintf(u.s.err, "%s [%s/%s] ", prompt, yes, no)
	line, err := readFirstLine(in)
	defer signer.Zero(line)
	if err != nil {
		return false, err
	}
	return string(line) == yes, nil
}

func (u *terminalUI) DisplayMessage(_ context.Context, message string) error {
	_, err := fmt.Fprintln(u.s.err, message)
	return err
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
