package testpki

import "github.com/qoltanba/qoltanba/signer/pki"

// Family is a set of CAs and keys sharing one algorithm.
type Family string

// The families Generate builds.
const (
	FamilyGOST Family = "gost" // GOST 34.10-2015-512, Streebog-512
	FamilyRSA  Family = "rsa"  // RSA-2048, SHA-256
)

// Families lists the families in the order Generate builds them.
var Families = []Family{FamilyGOST, FamilyRSA}

// person is a key holder. The names are invented; IINs and the BIN carry
// valid check digits (see checkDigit).
type person struct {
	surname, name, patronymic string
	iin                       string
}

// The organisation legal-entity keys belong to.
const (
	orgName = `АО "QOLTANBA TEST"`
	orgBIN  = "260140000015"
)

var (
	personAidos  = person{"АБАЕВ", "АЙДОС", "САҒАТҰЛЫ", "900101300017"}
	personDinara = person{"БЕКОВА", "ДИНАРА", "ЕРЛАНҚЫЗЫ", "910202400024"}
	personErlan  = person{"ЖАНОВ", "ЕРЛАН", "ТЕСТОВИЧ", "850315300029"}
)

// entitySpec describes one end-entity key to issue.
type entitySpec struct {
	name     string // file stem within the family directory, and the Find key suffix
	person   *person
	infoSys  string // for an information system: its CN instead of a person
	roles    []pki.Role
	purpose  pki.Purpose
	legal    bool
	revoked  bool
	expired  bool
	families []Family
}

var both = []Family{FamilyGOST, FamilyRSA}
var gostOnly = []Family{FamilyGOST}

// entitySpecs are the keys Generate issues. RSA keys are slow to generate,
// so the RSA family has the individual, authentication, head, signer,
// employee, revoked and expired keys only (nine RSA keys in all with the
// CAs); the GOST family has every role.
var entitySpecs = []entitySpec{
	{name: "individual", person: &personAidos, roles: []pki.Role{pki.RoleIndividual}, purpose: pki.PurposeSign, families: both},
	{name: "individual_auth", person: &personAidos, roles: []pki.Role{pki.RoleIndividual}, purpose: pki.PurposeAuth, families: both},
	{name: "legal_head", person: &personDinara, roles: []pki.Role{pki.RoleLegal, pki.RoleHead}, purpose: pki.PurposeSign, legal: true, families: both},
	{name: "legal_signer", person: &personErlan, roles: []pki.Role{pki.RoleLegal, pki.RoleSigner}, purpose: pki.PurposeSign, legal: true, families: both},
	{name: "legal_financial", person: &personErlan, roles: []pki.Role{pki.RoleLegal, pki.RoleFinancial}, purpose: pki.PurposeSign, legal: true, families: gostOnly},
	{name: "legal_hr", person: &personErlan, roles: []pki.Role{pki.RoleLegal, pki.RoleHR}, purpose: pki.PurposeSign, legal: true, families: gostOnly},
	{name: "legal_employee", person: &personErlan, roles: []pki.Role{pki.RoleLegal, pki.RoleEmployee}, purpose: pki.PurposeSign, legal: true, families: both},
	{name: "legal_treasury", person: &personErlan, roles: []pki.Role{pki.RoleLegal, pki.RoleTreasury}, purpose: pki.PurposeSign, legal: true, families: gostOnly},
	{name: "legal_infosystem", infoSys: `ИС "QOLTANBA TEST"`, roles: []pki.Role{pki.RoleLegal, pki.RoleInfoSystem}, purpose: pki.PurposeSign, legal: true, families: gostOnly},
	{name: "individual_revoked", person: &personAidos, roles: []pki.Role{pki.RoleIndividual}, purpose: pki.PurposeSign, revoked: true, families: both},
	{name: "individual_expired", person: &personAidos, roles: []pki.Role{pki.RoleIndividual}, purpose: pki.PurposeSign, expired: true, families: both},
	// The head's AUTH key logs in to portals on the company's behalf (appended: generation order is stable).
	{name: "legal_head_auth", person: &personDinara, roles: []pki.Role{pki.RoleLegal, pki.RoleHead}, purpose: pki.PurposeAuth, legal: true, families: both},
}

// checkDigit computes the 12th digit of an IIN or BIN from the first 11
// (weights 1..11, and 3..11,1,2 when the first sum mod 11 is 10). ok is
// false when no check digit exists for these 11 digits.
func checkDigit(first11 string) (d byte, ok bool) {
	if len(first11) != 11 {
		return 0, false
	}
	sum := func(start int) int {
		s := 0
		for i := 0; i < 11; i++ {
			w := (start+i-1)%11 + 1
			s += int(first11[i]-'0') * w
		}
		return s % 11
	}
	c := sum(1)
	if c == 10 {
		c = sum(3)
	}
	if c == 10 {
		return 0, false
	}
	return byte('0' + c), true
}
