package reportwords

import (
	"strconv"
	"strings"

	"github.com/qoltanba/qoltanba/assets/translations"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pdf"
)

// Scope says in lang (kk, ru, en) what a signature covers, from the English
// a format wrote: CMS's fixed scopes, XMLDSig's "whole document" and
// "element Id=…", a PDF's revision and what came after it. Any other text
// passes as it is.
func Scope(lang, scope string) string {
	t := func(key string, fields ...string) string {
		return strings.NewReplacer(fields...).Replace(translations.Text(lang, key))
	}
	switch {
	case scope == cms.ScopeAttached:
		return t("scope.attached")
	case scope == cms.ScopeDetached:
		return t("scope.detached")
	case scope == cms.ScopeDigest:
		return t("scope.digest")
	case scope == "whole document":
		return t("scope.whole")
	case scope == "the certificate itself":
		return t("scope.certificate")
	case strings.HasPrefix(scope, "element "):
		return t("scope.element", "{{.Detail}}", strings.TrimPrefix(scope, "element "))
	}
	p, ok := pdf.ParseScope(scope)
	if !ok {
		return scope
	}
	text := t("scope.pdfRevision", "{{.N}}", strconv.Itoa(p.Revision), "{{.Covers}}", strconv.FormatInt(p.Covers, 10))
	switch p.After {
	case pdf.Unchanged:
		text += t("scope.pdfWhole")
	case pdf.LaterSignatures:
		text += t("scope.pdfLaterSignatures")
	case pdf.ValidationData:
		if p.LaterSignatures {
			text += t("scope.pdfSignaturesAndData")
		} else {
			text += t("scope.pdfValidationData")
		}
	case pdf.UnsignedChanges:
		if p.LaterSignatures {
			text += t("scope.pdfLaterThen")
		}
		bytes := strconv.FormatInt(p.Appended, 10)
		if p.Updates < 0 {
			text += t("scope.pdfChangedMany", "{{.Bytes}}", bytes)
		} else {
			text += t("scope.pdfChanged", "{{.Bytes}}", bytes, "{{.Updates}}", strconv.Itoa(p.Updates))
		}
	}
	return text
}
