package pki

import (
	"crypto/x509"
	"encoding/asn1"
	"strings"
)

// Role is the holder's role that NCA RK writes into a certificate's extended
// key usage. The words are stable: they appear in JSON, the journal and the
// bridge protocol.
type Role string

// Roles, in the order a person would list them.
const (
	RoleIndividual Role = "individual" // 1.2.398.3.3.4.1.1
	RoleLegal      Role = "legal"      // 1.2.398.3.3.4.1.2, a legal entity's key (always with one below)
	RoleHead       Role = "head"       // 1.2.398.3.3.4.1.2.1, first head
	RoleSigner     Role = "signer"     // 1.2.398.3.3.4.1.2.2, employee with signing right
	RoleFinancial  Role = "financial"  // 1.2.398.3.3.4.1.2.3, right to sign financial documents
	RoleHR         Role = "hr"         // 1.2.398.3.3.4.1.2.4, HR officer
	RoleEmployee   Role = "employee"   // 1.2.398.3.3.4.1.2.5, employee
	RoleTreasury   Role = "treasury"   // 1.2.398.5.19.1.2.2.1, participant of "Казначейство – Клиент"
	RoleInfoSystem Role = "infosystem" // 1.2.398.3.3.4.1.2.6 (and its sub-arcs), a legal entity's information system
)

// roleOIDs maps EKU OIDs to roles.
//
// docs/kz-pki.md lists 1.2.398.3.3.4.1.2.6 as "treasury client" and
// 1.2.398.5.19.1.2.2.1 as "information system". That is swapped: NCA's own
// naming ("цифровая система юридического лица" for …1.2.6, "Казначейство –
// Клиент" for 1.2.398.5.19…, the Ministry of Finance arc) and the real test
// certificates say otherwise — the …1.2.6 certificate is the one named
// CN=ИС "Тест" with a UID and no person's name.
var roleOIDs = []struct {
	oid  asn1.ObjectIdentifier
	role Role
}{
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 1}, RoleIndividual},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2}, RoleLegal},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 1}, RoleHead},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 2}, RoleSigner},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 3}, RoleFinancial},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 4}, RoleHR},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 5}, RoleEmployee},
	{asn1.ObjectIdentifier{1, 2, 398, 5, 19, 1, 2, 2, 1}, RoleTreasury},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 6}, RoleInfoSystem},
}

// infoSystemArc is the arc under which NCA also names particular
// information systems (1.2.398.3.3.4.1.2.6.N); they are all RoleInfoSystem.
const infoSystemArc = "1.2.398.3.3.4.1.2.6."

// RoleOID returns the EKU OID that carries r, or nil for an unknown role.
func RoleOID(r Role) asn1.ObjectIdentifier {
	for _, e := range roleOIDs {
		if e.role == r {
			return append(asn1.ObjectIdentifier(nil), e.oid...)
		}
	}
	return nil
}

// RoleForOID returns the role an EKU OID carries and whether it is one.
func RoleForOID(oid asn1.ObjectIdentifier) (Role, bool) {
	for _, e := range roleOIDs {
		if e.oid.Equal(oid) {
			return e.role, true
		}
	}
	if strings.HasPrefix(oid.String(), infoSystemArc) {
		return RoleInfoSystem, true
	}
	return "", false
}

// rolesOf lists the roles in cert's EKU, in roleOIDs order, without repeats.
func rolesOf(cert *x509.Certificate) []Role {
	seen := make(map[Role]bool)
	for _, oid := range cert.UnknownExtKeyUsage {
		if r, ok := RoleForOID(oid); ok {
			seen[r] = true
		}
	}
	roles := make([]Role, 0, len(seen))
	for _, e := range roleOIDs {
		if seen[e.role] {
			roles = append(roles, e.role)
			delete(seen, e.role)
		}
	}
	return roles
}

// describe returns how a person would name the role, for summaries.
func (r Role) describe() string {
	switch r {
	case RoleIndividual:
		return "individual"
	case RoleLegal:
		return "representative"
	case RoleHead:
		return "head"
	case RoleSigner:
		return "authorized signer"
	case RoleFinancial:
		return "financial signer"
	case RoleHR:
		return "HR officer"
	case RoleEmployee:
		return "employee"
	case RoleTreasury:
		return "treasury client"
	case RoleInfoSystem:
		return "information system"
	}
	return string(r)
}
