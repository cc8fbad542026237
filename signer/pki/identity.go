package pki

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
)

// Identity is what a certificate says about its holder, in the terms of
// Kazakhstan's PKI. It is what the GUI shows before a PIN is asked, what the
// journal records with a signature and what the bridge reports to portals.
type Identity struct {
	// Algorithm is the key's algorithm, see KeyAlgorithm.
	Algorithm string `json:"algorithm"`
	// SubjectDN is the whole subject, see FormatDN.
	SubjectDN string `json:"subject"`
	// CommonName is the holder's full name (or an information system's name).
	CommonName string `json:"commonName"`
	// Surname is SN (2.5.4.4).
	Surname string `json:"surname"`
	// GivenName is GN (2.5.4.42); NCA puts the patronymic there.
	GivenName string `json:"givenName"`
	// IIN is the 12-digit individual identification number from
	// SERIALNUMBER "IIN…".
	IIN string `json:"iin"`
	// BIN is the 12-digit business identification number from OU "BIN…".
	BIN string `json:"bin"`
	// Organization is O, the legal entity's name.
	Organization string `json:"organization"`
	Country      string `json:"country,omitempty"`
	Locality     string `json:"locality,omitempty"`
	State        string `json:"state,omitempty"`
	// Email comes from the subject's emailAddress or the SAN rfc822Name.
	Email string `json:"email,omitempty"`
	// Roles come from the EKU, see Role.
	Roles []Role `json:"roles"`
	// Purpose is "sign" or "auth" ("" for CAs and unmarked keys).
	Purpose Purpose `json:"purpose"`
	// CA is true for a CA certificate.
	CA        bool      `json:"ca,omitempty"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	// DaysLeft is the number of whole days from the time given to IdentityOf
	// until NotAfter; negative once the certificate has expired.
	DaysLeft int `json:"daysLeft"`
	// SerialNumber is the certificate serial in lower-case hex.
	SerialNumber string `json:"serialNumber"`
	// Issuer is the issuer's CN; IssuerDN the whole issuer name.
	Issuer   string `json:"issuer"`
	IssuerDN string `json:"issuerDN,omitempty"`
	// Fingerprint is the SHA-256 of the DER certificate in lower-case hex.
	Fingerprint string `json:"fingerprint"`
	// SubjectKeyID is the SKI in lower-case hex; NCA names key files after it.
	SubjectKeyID string `json:"subjectKeyId,omitempty"`
	// Policies are the certificate policy OIDs (1.2.398.3.3.2 for 2022 CAs).
	Policies []string `json:"policies,omitempty"`
}

// IdentityOf reads the KZ identity of cert. now is the moment DaysLeft counts
// from (pass time.Now() or a signing time). It never fails: fields that the
// certificate does not carry, or carries malformed, are left empty; a nil
// certificate gives the zero Identity.
func IdentityOf(cert *x509.Certificate, now time.Time) Identity {
	if cert == nil {
		return Identity{}
	}
	id := Identity{
		Algorithm:    KeyAlgorithm(cert),
		CommonName:   cert.Subject.CommonName,
		Roles:        rolesOf(cert),
		Purpose:      purposeOf(cert),
		CA:           cert.BasicConstraintsValid && cert.IsCA,
		NotBefore:    cert.NotBefore,
		NotAfter:     cert.NotAfter,
		DaysLeft:     daysBetween(now, cert.NotAfter),
		Issuer:       cert.Issuer.CommonName,
		SubjectKeyID: hex.EncodeToString(cert.SubjectKeyId),
	}
	if cert.SerialNumber != nil {
		id.SerialNumber = hex.EncodeToString(cert.SerialNumber.Bytes())
	}
	if len(cert.Raw) > 0 {
		sum := sha256.Sum256(cert.Raw)
		id.Fingerprint = hex.EncodeToString(sum[:])
	}
	if id.CA {
		id.Purpose = PurposeNone
	}
	id.Country = first(cert.Subject.Country)
	id.Locality = first(cert.Subject.Locality)
	id.State = first(cert.Subject.Province)
	id.Organization = first(cert.Subject.Organization)
	id.IIN = numberWithPrefix([]string{cert.Subject.SerialNumber}, "IIN")
	id.BIN = numberWithPrefix(cert.Subject.OrganizationalUnit, "BIN")
	id.Surname = attribute(cert.Subject, oidSurname)
	id.GivenName = attribute(cert.Subject, oidGivenName)
	id.Email = attribute(cert.Subject, oidEmailAddress)
	if id.Email == "" {
		id.Email = first(cert.EmailAddresses)
	}

	id.SubjectDN = nameString(cert.RawSubject, cert.Subject)
	id.IssuerDN = nameString(cert.RawIssuer, cert.Issuer)
	for _, p := range cert.PolicyIdentifiers {
		id.Policies = append(id.Policies, p.String())
	}
	return id
}

// daysBetween counts whole days from now to t, rounding towards minus
// infinity so that a certificate expiring in 23 hours has 0 days left and
// one that expired an hour ago has -1.
func daysBetween(now, t time.Time) int {
	d := t.Sub(now).Hours() / 24
	return int(math.Floor(d))
}

// numberWithPrefix returns the 12 digits after prefix in the first value that
// is exactly prefix followed by 12 digits.
func numberWithPrefix(values []string, prefix string) string {
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len(v) != len(prefix)+12 || !strings.EqualFold(v[:len(prefix)], prefix) {
			continue
		}
		digits := v[len(prefix):]
		if strings.Trim(digits, "0123456789") == "" {
			return digits
		}
	}
	return ""
}

// attribute returns the first string value of the attribute oid in name.
func attribute(name pkix.Name, oid asn1.ObjectIdentifier) string {
	for _, atv := range name.Names {
		if atv.Type.Equal(oid) {
			if s, ok := atv.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

// nameString formats the raw name, falling back to the parsed one.
func nameString(raw []byte, parsed pkix.Name) string {
	if rdns, err := parseDN(raw); err == nil {
		return FormatDN(rdns)
	}
	return FormatDN(parsed.ToRDNSequence())
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// String is a short line a person can read, such as
// "ТЕСТОВ ТЕСТ, IIN 123456789011, head of АО "ТЕСТ" (BIN 123456789021),
// GOST34.10-2015-512, valid until 2027-05-08".
func (id Identity) String() string { return id.Summary() }

// Summary is the same line as String.
func (id Identity) Summary() string {
	var parts []string
	name := id.CommonName
	if name == "" {
		name = id.SubjectDN
	}
	parts = append(parts, name)
	if id.IIN != "" {
		parts = append(parts, "IIN "+id.IIN)
	}
	if who := id.roleLine(); who != "" {
		parts = append(parts, who)
	}
	if id.CA {
		parts = append(parts, "certification authority")
	} else if id.Purpose == PurposeAuth {
		parts = append(parts, "authentication key")
	}
	parts = append(parts, id.Algorithm)
	if id.DaysLeft < 0 {
		parts = append(parts, "expired "+id.NotAfter.UTC().Format(time.DateOnly))
	} else {
		parts = append(parts, "valid until "+id.NotAfter.UTC().Format(time.DateOnly))
	}
	return strings.Join(parts, ", ")
}

// roleLine says who the holder is: "individual", or "<role> of <organization>
// (BIN …)" for a legal entity's key.
func (id Identity) roleLine() string {
	role := Role("")
	for _, r := range id.Roles {
		if r != RoleLegal && r != RoleIndividual {
			role = r // the most specific role wins
		}
	}
	legal := id.Organization != "" || id.BIN != ""
	switch {
	case role == "" && !legal:
		if len(id.Roles) > 0 {
			return id.Roles[0].describe()
		}
		return ""
	case role == "":
		role = RoleLegal
	}
	if !legal {
		return role.describe()
	}
	org := id.Organization
	if id.BIN != "" {
		if org != "" {
			org += " "
		}
		org += fmt.Sprintf("(BIN %s)", id.BIN)
	}
	return role.describe() + " of " + org
}

// RenewBeforeDays is how early a certificate is to be renewed: the EDM
// agreement (5.1.4.8) asks for 30 days before it expires, and NCA RK sends
// its reminders a month ahead. Every face warns from this day on.
const RenewBeforeDays = 30

// RenewSoon reports whether a certificate with daysLeft whole days until
// NotAfter (Identity.DaysLeft) is due for renewal and not yet expired.
func RenewSoon(daysLeft int) bool { return daysLeft >= 0 && daysLeft <= RenewBeforeDays }
