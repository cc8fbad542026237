package xmldsig

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/beevik/etree"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/signer/rawsig"
)

// A signature's timestamp, as XAdES-T puts it (ETSI EN 319 132-1,
// SignatureTimeStamp): an RFC 3161 token over the canonical
// ds:SignatureValue, in an unsigned ds:Object of the signature —
//
//	<ds:Object><xades:QualifyingProperties Target="#ID"><xades:UnsignedProperties>
//	  <xades:UnsignedSignatureProperties><xades:SignatureTimeStamp>
//	    <ds:CanonicalizationMethod Algorithm="…exc-c14n#"/>
//	    <xades:EncapsulatedTimeStamp>base64</xades:EncapsulatedTimeStamp>
//	…
//
// Nothing signed changes (the enveloped-signature transform leaves the
// whole ds:Signature out, and SignedInfo is untouched), so verifiers that
// do not know XAdES, xmlsec1 among them, still verify the signature.

// NamespaceXAdES is XAdES 1.3.2's namespace.
const NamespaceXAdES = "http://uri.etsi.org/01903/v1.3.2#"

// maxTimestamps bounds the tokens read per signature.
const maxTimestamps = 4

// ErrTimestamp: no timestamp could be added.
var ErrTimestamp = errors.New("xmldsig: timestamp")

// AddTimestamp adds a timestamp from tsa to every signature of doc that
// has none, and returns the document.
func AddTimestamp(ctx context.Context, doc []byte, tsa *cms.TSAClient) ([]byte, error) {
	tree, err := parseLimited(doc, true)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTimestamp, err)
	}
	for i, sig := range findSignatures(tree.Root()) {
		if len(timestampTokens(sig)) > 0 {
			continue
		}
		info, err := readSignature(sig)
		if err != nil {
			return nil, fmt.Errorf("%w: signature %d: %w", ErrTimestamp, i+1, err)
		}
		d := stampDigest(info.method)
		value := signatureValue(sig)
		stamped, err := canonicalizeElement(value, c14nOptions{c14nMethod: c14nMethod{exclusive: true}})
		if err != nil {
			return nil, fmt.Errorf("%w: signature %d: %w", ErrTimestamp, i+1, err)
		}
		token, err := tsa.Stamp(ctx, d, stamped)
		if err != nil {
			return nil, fmt.Errorf("%w: signature %d: %w", ErrTimestamp, i+1, err)
		}
		attachTimestamp(tree, sig, i, token)
	}
	return serialize(tree), nil
}

// stampDigest is the hash a signature's timestamp is asked with: the
// signature's own (SHA-256 for SHA-1 or an unknown method).
func stampDigest(m *signatureMethod) *rawsig.Digest {
	if m != nil && m.digest != nil && !m.digest.weak {
		for _, d := range []*rawsig.Digest{rawsig.SHA256, rawsig.SHA384, rawsig.SHA512, rawsig.GOST2015_512, rawsig.GOST34311} {
			if d.Name == m.digest.name {
				return d
			}
		}
	}
	return rawsig.SHA256
}

// signatureValue is a signature's ds:SignatureValue (readSignature checked
// that it is there).
func signatureValue(sig *etree.Element) *etree.Element {
	for _, c := range sig.ChildElements() {
		if isDS(c, "SignatureValue") {
			return c
		}
	}
	return nil
}

// attachTimestamp appends the ds:Object with the token to sig, giving sig
// an Id for its Target when it has none.
func attachTimestamp(tree *etree.Document, sig *etree.Element, index int, token []byte) {
	id := sig.SelectAttrValue("Id", "")
	if id == "" {
		id = fmt.Sprintf("qoltanba-signature-%d", index+1)
		for n := 2; ; n++ {
			if _, err := elementByID(tree, id); err != nil {
				break
			}
			id = fmt.Sprintf("qoltanba-signature-%d-%d", index+1, n)
		}
		sig.CreateAttr("Id", id)
	}
	ds := sig.Space
	if ds != "" {
		ds += ":"
	}
	obj := sig.CreateElement(ds + "Object")
	qp := obj.CreateElement("xades:QualifyingProperties")
	qp.CreateAttr("xmlns:xades", NamespaceXAdES)
	qp.CreateAttr("Target", "#"+id)
	ts := qp.CreateElement("xades:UnsignedProperties").
		CreateElement("xades:UnsignedSignatureProperties").
		CreateElement("xades:SignatureTimeStamp")
	ts.CreateElement(ds+"CanonicalizationMethod").CreateAttr("Algorithm", AlgExcC14N)
	ts.CreateElement("xades:EncapsulatedTimeStamp").SetText(base64.StdEncoding.EncodeToString(token))
	sig.CreateText("\n")
}

// stampedToken is one token and the canonicalization it names.
type stampedToken struct {
	c14n  c14nMethod
	token []byte
	err   error
}

// timestampTokens finds the signature timestamps of sig.
func timestampTokens(sig *etree.Element) []stampedToken {
	var out []stampedToken
	for _, obj := range sig.ChildElements() {
		if !isDS(obj, "Object") {
			continue
		}
		for _, qp := range obj.ChildElements() {
			if qp.Tag != "QualifyingProperties" || qp.NamespaceURI() != NamespaceXAdES {
				continue
			}
			for _, ts := range qp.FindElements("./UnsignedProperties/UnsignedSignatureProperties/SignatureTimeStamp") {
				if ts.NamespaceURI() != NamespaceXAdES || len(out) == maxTimestamps {
					continue
				}
				st := stampedToken{c14n: c14nMethod{}} // XAdES's default: inclusive C14N
				if cm := ts.FindElement("./CanonicalizationMethod"); cm != nil {
					m, ok := c14nByURI(cm.SelectAttrValue("Algorithm", ""))
					if !ok {
						st.err = fmt.Errorf("unsupported canonicalization %q", cm.SelectAttrValue("Algorithm", ""))
					}
					st.c14n = m
				}
				enc := ts.FindElement("./EncapsulatedTimeStamp")
				if enc == nil {
					st.err = errors.New("no EncapsulatedTimeStamp")
				} else if tok, err := decodeBase64(enc.Text()); err != nil {
					st.err = fmt.Errorf("EncapsulatedTimeStamp: %w", err)
				} else {
					st.token = tok
				}
				out = append(out, st)
			}
		}
	}
	return out
}

// verifyTimestamps checks each timestamp of sig against its SignatureValue.
func verifyTimestamps(sig *etree.Element) []pki.TimestampEvidence {
	var out []pki.TimestampEvidence
	for _, st := range timestampTokens(sig) {
		if st.err != nil {
			out = append(out, pki.TimestampEvidence{Error: st.err.Error()})
			continue
		}
		stamped, err := canonicalizeElement(signatureValue(sig), c14nOptions{c14nMethod: st.c14n})
		if err != nil {
			out = append(out, pki.TimestampEvidence{Error: err.Error()})
			continue
		}
		out = append(out, cms.VerifyTimestampOver(st.token, stamped))
	}
	return out
}
