package xmldsig

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzVerify feeds arbitrary bytes to Verify: it must never panic, must
// return evidence exactly when it returns no error, and the parser,
// canonicalizer and serializer must agree with each other on whatever
// parses: canonicalizing is idempotent, and serialize (what Sign writes)
// parses back to the same canonical form.
func FuzzVerify(f *testing.F) {
	f.Add([]byte(agreementXML))
	f.Add([]byte(`<r xmlns:a="urn:a"><a:b a:c="1" d="&#9;"><!--x--><?pi data?></a:b></r>`))
	// The hostile shapes of TestHostileXMLMemory, small.
	sig := `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>`
	f.Add(hostile(4096, "<r>", "<a/>", "</r>"))
	f.Add(hostile(4096, "<r>"+sig, "<a/>", "</r>"))
	f.Add(hostile(4096, "<r>"+sig+"<a ", `b="1" `, "/></r>"))
	f.Add(hostile(4096, "<r><x:Signature xmlns:x='urn:not-dsig'>", "<a>x</a>", "</x:Signature></r>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := Verify(data)
		if (err == nil) != (len(evs) > 0) {
			t.Fatalf("err %v with %d evidences", err, len(evs))
		}
		doc, err := parse(data)
		if err != nil {
			return
		}
		opts := c14nOptions{c14nMethod: c14nMethod{comments: true}}
		c1, err := canonicalizeDocument(doc, opts)
		if err != nil {
			return // e.g. an unbound prefix
		}
		doc2, err := parse(c1)
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%q", err, c1)
		}
		c2, err := canonicalizeDocument(doc2, opts)
		if err != nil || !bytes.Equal(c1, c2) {
			t.Fatalf("c14n not idempotent: %v\n%q\n%q", err, c1, c2)
		}
		doc3, err := parse(serialize(doc))
		if err != nil {
			t.Fatalf("serialized form does not parse: %v", err)
		}
		c3, err := canonicalizeDocument(doc3, opts)
		if err != nil || !bytes.Equal(c1, c3) {
			t.Fatalf("serialize changes the canonical form: %v\n%q\n%q", err, c1, c3)
		}
	})
}

// TestWriteFuzzCorpus regenerates testdata/fuzz/FuzzVerify from signatures
// made with test keys: XMLDSIG_WRITE_CORPUS=1 go test -run TestWriteFuzzCorpus.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("XMLDSIG_WRITE_CORPUS") == "" {
		t.Skip("set XMLDSIG_WRITE_CORPUS=1 to regenerate the fuzz corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzVerify")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	small := `<doc><a Id="x">1</a><b xmlns:p="urn:p" p:q="2"><!--c--></b></doc>`
	n := 0
	for _, f := range testSigners(t) {
		for _, opts := range []SignOptions{{}, {Style: StyleCompact, ID: "x"}} {
			signed, err := Sign([]byte(small), f.key, f.cert, opts)
			if err != nil {
				t.Fatal(err)
			}
			if opts.ID == "" {
				if signed, err = Sign(signed, f.key, f.cert, SignOptions{Style: StyleCompact}); err != nil {
					t.Fatal(err)
				}
			}
			n++
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", signed)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("signed-%s-%d", f.name, n)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
