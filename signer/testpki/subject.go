package testpki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
)

var (
	oidCN           = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSurname      = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidCountry      = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidOrganization = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrgUnit      = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidGivenName    = asn1.ObjectIdentifier{2, 5, 4, 42}
)

// rdn is one attribute of a name, in order.
type rdn struct {
	oid   asn1.ObjectIdentifier
	value string
}

// marshalName encodes attributes as a Name with one attribute per RDN, in
// the order given. crypto/x509 would reorder them and has no SN or GN
// fields; NCA writes CN, SN, SERIALNUMBER, C, O, OU, GN in this order.
// Go encodes printable values as PrintableString and the rest (Cyrillic) as
// UTF8String, as NCA does.
func marshalName(attrs []rdn) ([]byte, error) {
	var seq pkix.RDNSequence
	for _, a := range attrs {
		if a.value == "" {
			continue
		}
		seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: a.oid, Value: a.value}})
	}
	der, err := asn1.Marshal(seq)
	if err != nil {
		return nil, fmt.Errorf("marshal name: %w", err)
	}
	return der, nil
}

// caName is a CA's subject: CN and C=KZ, as NCA's CAs have.
func caName(cn string) ([]byte, error) {
	return marshalName([]rdn{{oidCN, cn}, {oidCountry, "KZ"}})
}

// entityName is an end entity's subject in NCA's layout.
func entityName(s entitySpec) ([]byte, error) {
	var attrs []rdn
	if s.person != nil {
		p := s.person
		attrs = append(attrs,
			rdn{oidCN, p.surname + " " + p.name},
			rdn{oidSurname, p.surname},
			rdn{oidSerialNumber, "IIN" + p.iin},
		)
	} else {
		attrs = append(attrs, rdn{oidCN, s.infoSys})
	}
	attrs = append(attrs, rdn{oidCountry, "KZ"})
	if s.legal {
		attrs = append(attrs, rdn{oidOrganization, orgName}, rdn{oidOrgUnit, "BIN" + orgBIN})
	}
	if s.person != nil {
		attrs = append(attrs, rdn{oidGivenName, s.person.patronymic})
	}
	return marshalName(attrs)
}
