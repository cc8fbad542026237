package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/xmldsig"
)

// exitStatus ends a command with a status but no error message: verify
// reports everything itself and exits 2 when the worst result is INDETERMINATE.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func verifyCmd(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	data := fs.String("data", "", "the original `FILE` of a detached CMS signature")
	var trust multiFlag
	fs.Var(&trust, "trust", "trust the root certificates in `FILE_OR_DIR` (repeatable); intermediates found there help build chains")
	offline := fs.Bool("offline", false, "no network: revocation status from the cache only")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	dataDirValue := dataDirFlag(fs)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("name one signed file")
	}
	signed, err := os.ReadFile(files[0])
	if err != nil {
		return fmt.Errorf("read signed file: %w", err)
	}
	evidence, err := examine(s.err, files[0], signed, *data)
	if err != nil {
		return err
	}

	verifier, err := newVerifier(*dataDirValue, trust, *offline)
	if err != nil {
		return err
	}
	return printVerification(s, verifier.Verify(ctx, evidence), *asJSON)
}

// examine recognises the format (XML or CMS in DER, PEM or base64) and
// returns what its verifier establishes about each signature.
func examine(stderr io.Writer, signedPath string, signed []byte, dataPath string) ([]pki.Evidence, error) {
	if looksLikeXML(signed) {
		if dataPath != "" {
			return nil, usagef("--data is for detached CMS; an XML signature carries its document")
		}
		ev, err := xmldsig.Verify(signed)
		if err != nil {
			return nil, withHint(fmt.Errorf("cannot check this XML: %w", err), "is it the signed document as the portal or Qoltanba wrote it?")
		}
		return ev, nil
	}
	der, err := cms.Decode(signed)
	if err != nil {
		return nil, withHint(fmt.Errorf("not a signature Qoltanba recognises: %w", err), "give a signed XML document or a CMS signature (.cms, .p7s, .sig: DER, PEM or base64)")
	}
	if _, err := cms.Content(der); errors.Is(err, cms.ErrNoContent) && dataPath == "" {
		dataPath = core.OriginalBeside(signedPath)
		if dataPath == "" {
			return nil, withHint(errors.New("this is a detached signature: the signed file is not inside it, and no original lies beside it"), "name the original with --data FILE")
		}
		fmt.Fprintf(stderr, "Original: %s (found beside the signature)\n", dataPath)
	}
	var detached io.Reader
	if dataPath != "" {
		f, err := os.Open(dataPath)
		if err != nil {
			return nil, fmt.Errorf("read the original: %w", err)
		}
		defer f.Close()
		detached = f
	}
	ev, err := cms.Verify(der, detached)
	if errors.Is(err, cms.ErrNoContent) {
		return nil, withHint(errors.New("this is a detached signature: the signed file is not inside it"), "name the original with --data FILE")
	}
	if err != nil {
		return nil, fmt.Errorf("cannot check this CMS: %w", err)
	}
	return ev, nil
}

func looksLikeXML(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '<'
}

// newVerifier is the core's verifier for the data folder a command names:
// the same trust (TEST anchors marked), cache and settings as the window's.
func newVerifier(dirFlag string, trust []string, offline bool) (*pki.Verifier, error) {
	c, err := openCore(dirFlag, nil, false)
	if err != nil {
		return nil, err
	}
	defer closeCore(c)
	v, err := c.Verifier(core.VerifyOptions{Offline: offline, Trust: trust})
	if err != nil {
		return nil, withHint(err, "--trust takes certificate files (.cer, .pem) or folders of them")
	}
	return v, nil
}
