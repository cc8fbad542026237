package pki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
)

// FormatDN writes a distinguished name for a person to read: attributes in the
// order the certificate encodes them (CN first in NCA certificates, as
// NCALayer shows them, unlike RFC 4514's reversed order), short names for the
// attributes KZ certificates use (SN, GN, SERIALNUMBER, DC, UID,
// businessCategory), values as text with RFC 4514 escaping. Go's
// pkix.Name.String writes SN and GN as hex, which no one can read.
func FormatDN(rdns pkix.RDNSequence) string {
	var b strings.Builder
	for _, rdn := range rdns {
		for j, atv := range rdn {
			if b.Len() > 0 {
				if j > 0 {
					b.WriteString(" + ")
				} else {
					b.WriteString(", ")
				}
			}
			name, ok := attributeNames[atv.Type.String()]
			if !ok {
				name = atv.Type.String()
			}
			b.WriteString(name)
			b.WriteByte('=')
			b.WriteString(escapeDNValue(fmt.Sprint(atv.Value)))
		}
	}
	return b.String()
}

// escapeDNValue applies RFC 4514 section 2.4 escaping.
func escapeDNValue(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune(`,+"\<>;`, r),
			i == 0 && (r == ' ' || r == '#'),
			i == len(s)-1 && r == ' ':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseDN decodes a raw DER Name.
func parseDN(raw []byte) (pkix.RDNSequence, error) {
	var rdns pkix.RDNSequence
	rest, err := asn1.Unmarshal(raw, &rdns)
	if err != nil {
		return nil, fmt.Errorf("parse distinguished name: %w", err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("parse distinguished name: %d trailing bytes", len(rest))
	}
	return rdns, nil
}
