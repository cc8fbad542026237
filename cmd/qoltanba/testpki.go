package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/qoltanba/qoltanba/signer/testpki"
)

func testpkiInit(_ context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("testpki init", flag.ContinueOnError)
	url := fs.String("url", testpki.DefaultBaseURL, "base `URL` of the CRL, OCSP and CA-issuer addresses written into the certificates")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name the folder to write the test PKI into")
	}
	p, err := testpki.Generate(testpki.Options{Dir: rest[0], BaseURL: *url})
	if err != nil {
		return fmt.Errorf("write test PKI: %w", err)
	}
	fmt.Fprintf(s.out, "test PKI written to %s (key password %s; services expected at %s)\n", rest[0], testpki.DefaultPassword, *url)
	for _, f := range p.Paths() {
		fmt.Fprintf(s.out, "  %s\n", f)
	}
	return nil
}
