package pki

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// TextLabels are the words Report.Text writes. English is the only set for
// now; a translation is another TextLabels value (Messages may translate a
// note, warning or error by its Code; missing codes fall back to the
// English Text).
type TextLabels struct {
	Signature, Of, Signer, Organization, Roles, Certificate, Serial, Valid, To string
	SignedAt, Claimed, Timestamp, NoTime, Digest, Algorithm                    string
	StatusAtSigning, StatusNow, RevokedAt, Chain, Anchor                       string
	// Partial follows the result when part of the input was not verified.
	Partial                                                 string
	Note, Warning, Error, Result, Signatures, None, Offline string
	Indications                                             map[Indication]string
	Statuses                                                map[CertStatusValue]string
	Messages                                                map[string]string
	// RoleNames name roles (the role itself when missing), Sources the
	// status sources ("cache"; OCSP and CRL stay as they are), Scope says
	// a format's scope in the labels' language (nil: as the format wrote
	// it); Fetched says when a cached status was fetched.
	RoleNames map[Role]string
	Sources   map[string]string
	Scope     func(string) string
	Fetched   string
}

// EnglishLabels are the default labels.
var EnglishLabels = TextLabels{
	Signature: "Signature", Of: "of", Signer: "Signer", Organization: "Organization", Roles: "Roles",
	Certificate: "Certificate", Serial: "serial", Valid: "valid", To: "to",
	SignedAt: "Signed at", Claimed: "claimed by the signer", Timestamp: "timestamp", NoTime: "no signing time; verified at",
	Digest: "Digest", Algorithm: "Algorithm",
	StatusAtSigning: "Status at signing", StatusNow: "Status now", RevokedAt: "revoked",
	Chain: "Chain", Anchor: "Trusted root", Note: "Note", Warning: "Warning", Error: "Error",
	Partial: "part of the file was not verified",
	Result:  "Result", Signatures: "signature(s)", None: "no signatures found", Offline: "offline: revocation from the cache only",
	Indications: map[Indication]string{
		TotalPassed: "VALID (TOTAL_PASSED)", TotalFailed: "INVALID (TOTAL_FAILED)", Indeterminate: "CANNOT BE CONFIRMED (INDETERMINATE)",
	},
	Statuses: map[CertStatusValue]string{StatusGood: "good", StatusRevoked: "revoked", StatusUnknown: "unknown"},
	Fetched:  "fetched",
}

// Text writes the report for people, in English.
func (r *Report) Text(w io.Writer) error { return r.TextWith(w, EnglishLabels) }

// TextWith writes the report with the given labels.
func (r *Report) TextWith(w io.Writer, l TextLabels) error {
	bw := bufio.NewWriter(w)
	if len(r.Signatures) == 0 {
		fmt.Fprintf(bw, "%s: %s — %s\n", l.Result, l.Indications[Indeterminate], l.None)
		return bw.Flush()
	}
	for i, s := range r.Signatures {
		if i > 0 {
			bw.WriteString("\n")
		}
		s.text(bw, l, i+1, len(r.Signatures))
	}
	fmt.Fprintf(bw, "\n%s: %d %s, %s", l.Result, len(r.Signatures), l.Signatures, l.Indications[r.Worst()])
	if r.Partial() {
		fmt.Fprintf(bw, " (%s)", l.Partial)
	}
	if r.Offline {
		fmt.Fprintf(bw, " (%s)", l.Offline)
	}
	bw.WriteString("\n")
	return bw.Flush()
}

func (s *SignatureReport) text(w *bufio.Writer, l TextLabels, n, total int) {
	verdict := l.Indications[s.Indication]
	if s.SubIndication != "" {
		verdict += " / " + string(s.SubIndication)
	}
	head := fmt.Sprintf("%s %d %s %d", l.Signature, n, l.Of, total)
	if s.Format != "" || s.Scope != "" {
		scope := s.Scope
		if l.Scope != nil {
			scope = l.Scope(scope)
		}
		head += " (" + strings.Trim(formatText(s.Format)+", "+scope, ", ") + ")"
	}
	if s.Test {
		head += " TEST"
	}
	fmt.Fprintf(w, "%s: %s\n", head, verdict)
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(w, "  %-18s %s\n", label+":", value)
		}
	}
	id := s.Signer
	if id.CommonName != "" {
		who := id.CommonName
		if id.GivenName != "" && !strings.Contains(who, id.GivenName) {
			who += " " + id.GivenName
		}
		if id.IIN != "" {
			who += " (IIN " + id.IIN + ")"
		}
		line(l.Signer, who)
		if id.Organization != "" || id.BIN != "" {
			org := id.Organization
			if id.BIN != "" {
				org = strings.TrimSpace(org + " (BIN " + id.BIN + ")")
			}
			line(l.Organization, org)
		}
		if len(id.Roles) > 0 {
			roles := make([]string, len(id.Roles))
			for i, r := range id.Roles {
				roles[i] = string(r)
				if t, ok := l.RoleNames[r]; ok {
					roles[i] = t
				}
			}
			line(l.Roles, strings.Join(roles, ", "))
		}
		line(l.Certificate, fmt.Sprintf("%s, %s %s, %s %s %s %s", id.Algorithm, l.Serial, id.SerialNumber,
			l.Valid, day(id.NotBefore), l.To, day(id.NotAfter)))
	}
	line(l.Algorithm, s.SignatureAlgorithm)
	switch {
	case s.Format == FormatCertificate:
		// A certificate by itself: judged now, no signing time.
	case s.SigningTimeSource == "timestamp":
		line(l.SignedAt, stamp(s.SigningTime)+" ("+l.Timestamp+")")
		if !s.ClaimedTime.IsZero() {
			fmt.Fprintf(w, "  %-18s %s (%s)\n", "", stamp(s.ClaimedTime), l.Claimed)
		}
	case s.SigningTimeSource == "claimed":
		line(l.SignedAt, stamp(s.SigningTime)+" ("+l.Claimed+")")
	default:
		if !s.SigningTime.IsZero() {
			line(l.SignedAt, l.NoTime+" "+stamp(s.SigningTime))
		}
	}
	if s.ScopeDigest != "" {
		line(l.Digest, s.DigestAlgorithm+" "+s.ScopeDigest)
	}
	if s.StatusAtSigning.Status != "" {
		if s.Format != FormatCertificate {
			line(l.StatusAtSigning, s.StatusAtSigning.text(l))
		}
		line(l.StatusNow, s.StatusNow.text(l))
	}
	for i, c := range s.Chain {
		label := ""
		if i == 0 {
			label = l.Chain
		}
		fmt.Fprintf(w, "  %-18s %s%s\n", label+strings.Repeat(":", min(1, len(label))), strings.Repeat("  ", i), c.Subject)
	}
	anchor := s.Anchor
	if s.Test && anchor != "" {
		anchor = "TEST — " + anchor
	}
	line(l.Anchor, anchor)
	for _, m := range s.Errors {
		line(l.Error, l.message(m))
	}
	for _, m := range s.Warnings {
		line(l.Warning, l.message(m))
	}
	for _, m := range s.Notes {
		line(l.Note, l.message(m))
	}
}

func (l TextLabels) message(m Message) string {
	if t, ok := l.Messages[m.Code]; ok {
		return t
	}
	return m.Text
}

func (c CertStatusReport) text(l TextLabels) string {
	s := l.Statuses[c.Status]
	if s == "" {
		s = string(c.Status)
	}
	if c.Status == StatusRevoked {
		s += " " + stamp(c.RevokedAt)
		if c.Reason != "" {
			s += ", " + c.Reason
		}
	}
	src := c.Source
	if t, ok := l.Sources[src]; ok {
		src = t
	}
	if c.Via != "" {
		src += " " + c.Via
	}
	if !c.Date.IsZero() {
		src += ", " + stamp(c.Date)
	}
	if c.Source == "cache" && !c.FetchedAt.IsZero() {
		fetched := l.Fetched
		if fetched == "" {
			fetched = "fetched"
		}
		src += ", " + fetched + " " + stamp(c.FetchedAt)
	}
	return s + " (" + src + ")"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

// formatText names a signature format as people write it.
func formatText(f string) string {
	switch f {
	case "xmldsig":
		return "XMLDSig"
	case "cms", "pdf", "raw":
		return strings.ToUpper(f)
	}
	return f
}
