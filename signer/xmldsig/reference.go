package xmldsig

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"regexp"

	"github.com/beevik/etree"
)

var errWorkLimit = errors.New("verification work limit reached")

// referenceResult is what one Reference was found to cover.
type referenceResult struct {
	scope    string
	digest   []byte
	valid    bool
	warnings []string
}

var (
	// A bare-name XPointer: URI="#Id". Santuario and xmlsec both leave
	// comments out of its node-set, whatever c14n transform follows.
	bareName = regexp.MustCompile(`^#([A-Za-z_][-A-Za-z0-9_.]*)$`)
	// The XPointer forms with comments: #xpointer(/) and #xpointer(id('Id')).
	xpointerID = regexp.MustCompile(`^#xpointer\(id\((?:'([^']*)'|"([^"]*)")\)\)$`)
)

// reference resolves ref, applies its transforms and compares the digest.
// It accepts only same-document references that resolve to the whole
// document or to exactly one element, and only the enveloped-signature and
// C14N transforms: anything else (external URIs, XPath, XSLT, base64) is an
// error, because a transform this package does not run is a part of the
// signed data it cannot show.
func (v *verifier) reference(sig *etree.Element, ref referenceInfo) (*referenceResult, error) {
	if ref.digest == nil {
		return nil, fmt.Errorf("unsupported DigestMethod %q", ref.digestURI)
	}
	res := &referenceResult{}
	var target *etree.Element // nil: the whole document
	comments := false
	switch {
	case ref.uri == "":
		res.scope = "whole document"
	case ref.uri == "#xpointer(/)":
		res.scope, comments = "whole document", true
	default:
		var id string
		if m := bareName.FindStringSubmatch(ref.uri); m != nil {
			id = m[1]
		} else if m := xpointerID.FindStringSubmatch(ref.uri); m != nil {
			id, comments = m[1]+m[2], true
		} else {
			return nil, fmt.Errorf("unsupported Reference URI %q: only same-document references are verified", ref.uri)
		}
		el, err := elementByID(v.doc, id)
		if err != nil {
			return nil, err
		}
		target = el
		res.scope = fmt.Sprintf("element Id=%q at %s", id, elementPath(el))
		if a := signatureAncestor(el); a != nil {
			res.warnings = append(res.warnings, fmt.Sprintf("the signed element %s lies inside a ds:%s element", elementPath(el), a.Tag))
		}
	}

	opts := c14nOptions{}
	enveloped, canonicalized := false, false
	for _, t := range ref.transforms {
		if canonicalized {
			return nil, fmt.Errorf("transform %q after canonicalization is not supported", t.uri)
		}
		if t.uri == AlgEnveloped {
			enveloped = true
			opts.exclude = []*etree.Element{sig}
			continue
		}
		m, ok := c14nByURI(t.uri)
		if !ok {
			return nil, fmt.Errorf("unsupported transform %q", t.uri)
		}
		opts.c14nMethod = m
		opts.comments = m.comments && comments
		opts.inclusivePrefixes = t.prefixes
		canonicalized = true
	}

	digest, err := v.digest(target, opts, ref.digest)
	if err != nil {
		return nil, err
	}
	res.digest = digest
	res.valid = subtle.ConstantTimeCompare(digest, ref.digestValue) == 1
	if res.valid || !enveloped || target != nil {
		return res, nil
	}

	// Co-signing: a document signed again by NCALayer (or by Sign) carries
	// the later signatures next to this one, and this signature's enveloped
	// transform, which removes only itself, now sees them. Try once more
	// without the signatures that follow this one in document order, and
	// say so in the scope.
	later := v.laterSignatures(sig)
	if len(later) == 0 {
		return res, nil
	}
	opts.exclude = append(opts.exclude, later...)
	d2, err := v.digest(target, opts, ref.digest)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(d2, ref.digestValue) == 1 {
		res.digest, res.valid = d2, true
		res.scope = fmt.Sprintf("whole document without the %d signature(s) added after this one", len(later))
		res.warnings = append(res.warnings, fmt.Sprintf("co-signed document: %d signature(s) added later are outside this signature", len(later)))
	}
	return res, nil
}

// digest canonicalizes the document (target nil) or target and hashes it,
// charging the bytes to the verifier's work budget.
func (v *verifier) digest(target *etree.Element, opts c14nOptions, dm *digestMethod) ([]byte, error) {
	if v.budget <= 0 {
		return nil, errWorkLimit
	}
	var data []byte
	var err error
	if target == nil {
		data, err = canonicalizeDocument(v.doc, opts)
	} else {
		data, err = canonicalizeElement(target, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	v.budget -= len(data)
	h := dm.new()
	h.Write(data)
	return h.Sum(nil), nil
}

// laterSignatures returns the ds:Signature elements after sig in document
// order, other than those inside sig.
func (v *verifier) laterSignatures(sig *etree.Element) []*etree.Element {
	var out []*etree.Element
	after := false
	for _, s := range v.sigs {
		if s == sig {
			after = true
			continue
		}
		if after && !isAncestorOrSelf(sig, s) {
			out = append(out, s)
		}
	}
	return out
}

// signatureAncestor returns the nearest ds:Signature or ds:Object ancestor
// of e: a signed element hidden there is the mark of a wrapping attack.
func signatureAncestor(e *etree.Element) *etree.Element {
	for p := e.Parent(); p != nil && p.Tag != ""; p = p.Parent() {
		if isDS(p, "Signature") || isDS(p, "Object") {
			return p
		}
	}
	return nil
}
