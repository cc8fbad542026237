package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"

	"github.com/qoltanba/qoltanba/signer/testpki"
)

// testpkiServe runs the OCSP responder, CRL and CA publication and the TSA
// of a test PKI written by "testpki init", until Ctrl-C (ctx ends).
func testpkiServe(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("testpki serve", flag.ContinueOnError)
	addr := fs.String("addr", "", "`host:port` to listen on (default: the one of the URL the PKI was written with)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name the folder 'qoltanba testpki init' wrote")
	}
	p, err := testpki.Load(rest[0], "")
	if errors.Is(err, testpki.ErrNoManifest) {
		return withHint(fmt.Errorf("%s is not a test PKI: %w", rest[0], err), "write one first: qoltanba testpki init "+rest[0])
	}
	if err != nil {
		return withHint(fmt.Errorf("load test PKI: %w", err), "write it again: qoltanba testpki init "+rest[0])
	}
	listen := *addr
	if listen == "" {
		if listen, err = p.Addr(); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return withHint(fmt.Errorf("listen on %s: %w", listen, err),
			"is another 'testpki serve' running? choose another address with --addr 127.0.0.1:PORT",
			"the certificates name "+p.Options.BaseURL+": clients follow those addresses")
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(s.out, "serving the test PKI of %s on %s (Ctrl-C stops)\n", rest[0], base)
	fmt.Fprintf(s.out, "  OCSP  %s/ocsp\n  TSA   %s/tsp (GOST), %s/tsp/rsa\n", base, base, base)
	for _, ca := range p.AllCAs() {
		fmt.Fprintf(s.out, "  CRL   %s/crl/%s.crl\n  CA    %s/ca/%s.cer\n", base, ca.Name, base, ca.Name)
	}
	if base != p.Options.BaseURL {
		fmt.Fprintf(s.out, "note: the certificates name %s, not this address\n", p.Options.BaseURL)
	}
	if err := testpki.ServePKI(ctx, p, ln); err != nil {
		return err
	}
	fmt.Fprintln(s.out, "stopped")
	return nil
}
