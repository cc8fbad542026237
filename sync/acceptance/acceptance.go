// Package acceptance is the statement a user signs to accept a version of
// a portal's agreement: an XML document (signed with an enveloped XMLDSig,
// as NCALayer signs XML) that binds the portal, the agreement, its version
// and language, the SHA-256 of exactly the text shown, who signs (name,
// IIN, BIN, organisation, role, certificate serial) and when. The desktop
// builds it, the portal parses it; both use this package.
package acceptance

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// Namespace names the statement's format (and its version).
const Namespace = "urn:qoltanba:agreement-acceptance:1"

// Statement is what an acceptance says.
type Statement struct {
	Portal     string
	Agreement  string
	Title      string
	Version    int
	Language   string
	TextSHA256 string // lower-case hex
	// Signer as the certificate names them.
	Name, IIN, BIN, Organization, Role, CertificateSerial string
	// SigningTime is the signer's claim; Offline says it was made without
	// a network (no timestamp; the portal's receipt fixes the time).
	SigningTime time.Time
	Offline     bool
}

// ErrFormat: the document is not an acceptance statement.
var ErrFormat = errors.New("not an agreement acceptance")

// XML is the statement, unsigned, ready to be signed as a whole.
func (s Statement) XML() ([]byte, error) {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("acceptance")
	root.CreateAttr("xmlns", Namespace)
	add := func(name, value string) {
		if value != "" {
			root.CreateElement(name).SetText(value)
		}
	}
	add("portal", s.Portal)
	add("agreement", s.Agreement)
	add("title", s.Title)
	add("version", strconv.Itoa(s.Version))
	add("language", s.Language)
	add("textSha256", s.TextSHA256)
	signer := root.CreateElement("signer")
	for _, f := range [][2]string{{"name", s.Name}, {"iin", s.IIN}, {"bin", s.BIN}, {"organization", s.Organization},
		{"role", s.Role}, {"certificateSerial", s.CertificateSerial}} {
		if f[1] != "" {
			signer.CreateElement(f[0]).SetText(f[1])
		}
	}
	add("signingTime", s.SigningTime.UTC().Format(time.RFC3339))
	add("offline", strconv.FormatBool(s.Offline))
	doc.Indent(2)
	return doc.WriteToBytes()
}

// Parse reads a (signed) statement's fields; the signature is checked
// elsewhere (xmldsig and signer/pki).
func Parse(data []byte) (Statement, error) {
	var s Statement
	if bytes.Contains(data, []byte("<!DOCTYPE")) {
		return s, fmt.Errorf("%w: a DTD", ErrFormat)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		return s, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	root := doc.Root()
	if root == nil || root.Tag != "acceptance" || root.NamespaceURI() != Namespace {
		return s, fmt.Errorf("%w: the root is not <acceptance xmlns=%q>", ErrFormat, Namespace)
	}
	text := func(path string) string {
		if e := root.FindElement(path); e != nil {
			return strings.TrimSpace(e.Text())
		}
		return ""
	}
	s.Portal, s.Agreement, s.Title = text("portal"), text("agreement"), text("title")
	s.Language, s.TextSHA256 = text("language"), text("textSha256")
	s.Name, s.IIN, s.BIN = text("signer/name"), text("signer/iin"), text("signer/bin")
	s.Organization, s.Role, s.CertificateSerial = text("signer/organization"), text("signer/role"), text("signer/certificateSerial")
	var err error
	if s.Version, err = strconv.Atoi(text("version")); err != nil || s.Version < 1 {
		return s, fmt.Errorf("%w: version %q", ErrFormat, text("version"))
	}
	if s.SigningTime, err = time.Parse(time.RFC3339, text("signingTime")); err != nil {
		return s, fmt.Errorf("%w: signing time %q", ErrFormat, text("signingTime"))
	}
	s.Offline = text("offline") == "true"
	if s.Portal == "" || s.Agreement == "" || s.Language == "" || len(s.TextSHA256) != 64 || s.IIN == "" {
		return s, fmt.Errorf("%w: portal, agreement, language, text digest and IIN are required", ErrFormat)
	}
	return s, nil
}
