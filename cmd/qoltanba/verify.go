package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer/pki"
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
	c, err := openCore(s, *dataDirValue, nil, false)
	if err != nil {
		return err
	}
	defer closeCore(c)
	report, x, err := c.VerifyFile(ctx, files[0], *data, core.VerifyOptions{Offline: *offline, Trust: trust})
	if err != nil {
		return verificationError(err)
	}
	if x.Guessed {
		fmt.Fprintf(s.err, "Original: %s (found beside the signature)\n", x.Original)
	}
	return printVerification(s, report, *asJSON)
}

// verificationError gives the errors of examining a signed file and of
// building a verifier their hints.
func verificationError(err error) error {
	switch {
	case errors.Is(err, core.ErrOriginalNotUsed):
		return usagef("--data is for detached CMS; an XML signature carries its document")
	case errors.Is(err, core.ErrNeedOriginal):
		return withHint(err, "name the original with --data FILE")
	case errors.Is(err, core.ErrNotSignature):
		return withHint(err, "give a signed XML document, a signed PDF, or a CMS signature (.cms, .p7s, .sig: DER, PEM or base64)")
	case errors.Is(err, core.ErrBadXML):
		return withHint(err, "is it the signed document as the portal or Qoltanba wrote it?")
	case errors.Is(err, core.ErrTrustFile):
		return withHint(err, "--trust takes certificate files (.cer, .pem) or folders of them")
	}
	return err
}

// newVerifier is the core's verifier for the data folder a command names:
// the same trust (TEST anchors marked), cache and settings as the window's.
func newVerifier(s stdio, dirFlag string, trust []string, offline bool) (*pki.Verifier, error) {
	c, err := openCore(s, dirFlag, nil, false)
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
