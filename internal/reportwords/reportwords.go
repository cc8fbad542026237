// Package reportwords is a verification report's words in Kazakh, Russian
// or English, from the translations the window shows: the one place the
// window's reports, the evidence packages' report.txt and the CLI's take
// them from.
package reportwords

import (
	"github.com/qoltanba/qoltanba/assets/translations"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// MessageCodes are the report messages with a translation (msg.CODE).
var MessageCodes = []string{
	pki.MsgRevokedAfterSigning, pki.MsgExpiredAfterSigning, pki.MsgStatusFromCache, pki.MsgStaleRevocation,
	pki.MsgRevocationError, pki.MsgCAStatusUnknown, pki.MsgTimestampRejected, pki.MsgNoSigningTime,
	pki.MsgAuthenticationKey, pki.MsgUnboundCertificate, pki.MsgFormat, pki.MsgCrypto, pki.MsgChain,
	pki.MsgValidity, pki.MsgRevoked, pki.MsgNotVerified,
}

// Labels are the report's words in a language (kk, ru, en).
func Labels(lang string) pki.TextLabels {
	t := func(key string) string { return translations.Text(lang, key) }
	l := pki.TextLabels{
		Signature: t("report.signature"), Of: t("report.of"), Signer: t("report.signer"), Organization: t("field.organization"),
		Roles: t("field.role"), Certificate: t("verify.certificate"), Serial: t("report.serial"), Valid: t("report.valid"), To: t("report.to"),
		SignedAt: t("verify.when"), Claimed: t("verify.byClaim"), Timestamp: t("verify.byTimestamp"), NoTime: t("report.noTime"),
		Digest: t("report.digest"), Algorithm: t("field.algorithm"),
		StatusAtSigning: t("verify.statusAtSigning"), StatusNow: t("verify.statusNow"), RevokedAt: t("status.revoked"),
		Chain: t("verify.chain"), Anchor: t("report.anchor"), Note: t("report.note"), Warning: t("report.warning"), Error: t("report.error"),
		Partial: t("report.partial"),
		Result:  t("report.result"), Signatures: t("report.signatures"), None: t("verify.noSignatures"), Offline: t("verify.offline"),
		Indications: map[pki.Indication]string{},
		Statuses:    map[pki.CertStatusValue]string{},
		Messages:    map[string]string{},
		RoleNames:   map[pki.Role]string{},
		Sources:     map[string]string{"cache": t("report.sourceCache")},
		Scope:       func(s string) string { return Scope(lang, s) },
		Fetched:     t("report.fetched"),
	}
	for _, r := range []pki.Role{pki.RoleIndividual, pki.RoleLegal, pki.RoleHead, pki.RoleSigner, pki.RoleFinancial, pki.RoleHR,
		pki.RoleEmployee, pki.RoleInfoSystem, pki.RoleTreasury} {
		l.RoleNames[r] = t("role." + string(r))
	}
	for _, i := range []pki.Indication{pki.TotalPassed, pki.Indeterminate, pki.TotalFailed} {
		l.Indications[i] = t("verdict."+string(i)) + " (" + string(i) + ")"
	}
	for _, s := range []pki.CertStatusValue{pki.StatusGood, pki.StatusRevoked, pki.StatusUnknown} {
		l.Statuses[s] = t("status." + string(s))
	}
	for _, code := range MessageCodes {
		if keepOwnWords(lang, code) {
			continue
		}
		l.Messages[code] = t("msg." + code)
	}
	return l
}

// MessageText says a report message in lang: its code's words, or the
// verifier's own sentence where there are none.
func MessageText(lang string, m pki.Message) string {
	key := "msg." + m.Code
	if t := translations.Text(lang, key); t != key && !keepOwnWords(lang, m.Code) {
		return t
	}
	return m.Text
}

// keepOwnWords: in English a part left unverified is said in the
// verifier's own, more exact sentence (which bytes, how many signers).
func keepOwnWords(lang, code string) bool { return lang == "en" && code == pki.MsgNotVerified }
