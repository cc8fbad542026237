package bridge

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// TestProtocolReplies: every method's reply shape and NCALayer's answers
// to bad arguments, through the dispatcher (no socket, no dialog that
// signs: the scripted user declines or nothing reaches the key).
func TestProtocolReplies(t *testing.T) {
	f := newFixture(t)
	f.prompts.Decline = true
	b64 := base64.StdEncoding.EncodeToString([]byte("hello"))
	tests := []struct {
		name string
		req  string
		want string // the exact reply, or a substring with "~" first
	}{
		{"active tokens, none plugged", `{"module":"kz.gov.pki.knca.commonUtils","method":"getActiveTokens","args":[]}`,
			`{"code":"200","responseObject":[]}`},
		{"active tokens without args", `{"module":"kz.gov.pki.knca.commonUtils","method":"getActiveTokens"}`,
			`{"code":"200","responseObject":[]}`},
		{"uuid echoed", `{"module":"kz.gov.pki.knca.commonUtils","method":"getActiveTokens","args":[],"uuid":"a-1"}`,
			`{"code":"200","responseObject":[],"uuid":"a-1"}`},
		{"change locale", `{"module":"kz.gov.pki.knca.commonUtils","method":"changeLocale","args":["kz"]}`,
			`{"code":"200"}`},
		{"KAZTOKEN probe", `{"module":"kz.digiflow.mobile.extensions","method":"getVersion"}`,
			`{"success":false,"errorCode":"MODULE_NOT_FOUND"}`},
		{"legacy applet", `{"method":"browseKeyStore","args":["PKCS12","P12",""]}`,
			`{"success":false,"errorCode":"MODULE_NOT_FOUND"}`},
		{"accessory", `{"module":"kz.gov.pki.ncalayerservices.accessory","method":"getBundles"}`,
			`{"code":"200","responseObject":[]}`},
		{"not JSON", `{"module":`, `{"code":"500","message":"java.lang.IllegalArgumentException: argument type mismatch"}`},
		{"args not an array", `{"module":"kz.gov.pki.knca.commonUtils","method":"getKeyInfo","args":{"a":1}}`,
			`{"code":"500","message":"java.lang.IllegalArgumentException: argument type mismatch"}`},
		{"storage a number", `{"module":"kz.gov.pki.knca.commonUtils","method":"getKeyInfo","args":[12]}`,
			`{"code":"500","message":"java.lang.IllegalArgumentException: argument type mismatch"}`},
		{"missing args", `{"module":"kz.gov.pki.knca.commonUtils","method":"getKeyInfo","args":[]}`,
			`{"code":"500","message":"java.lang.IllegalArgumentException: wrong number of arguments"}`},
		{"attached not a boolean", `{"module":"kz.gov.pki.knca.commonUtils","method":"createCAdESFromBase64","args":["PKCS12","SIGNATURE","` + b64 + `","yes"]}`,
			`{"code":"500","message":"java.lang.IllegalArgumentException: argument type mismatch"}`},
		{"unknown method", `{"module":"kz.gov.pki.knca.commonUtils","method":"format","args":[]}`,
			`~java.lang.NoSuchMethodException`},
		{"unknown storage", `{"module":"kz.gov.pki.knca.commonUtils","method":"getKeyInfo","args":["FLOPPY"]}`,
			`{"code":"500","message":"unknown storage \"FLOPPY\""}`},
		{"JKS", `{"module":"kz.gov.pki.knca.commonUtils","method":"getKeyInfo","args":["JKS"]}`, `~JKS key stores are not supported`},
		{"base64 that is not", `{"module":"kz.gov.pki.knca.commonUtils","method":"createCAdESFromBase64","args":["PKCS12","SIGNATURE","***","false"]}`,
			`{"code":"500","message":"java.lang.IllegalArgumentException: argument type mismatch"}`},
		{"base64 that is not (attached a boolean)", `{"module":"kz.gov.pki.knca.commonUtils","method":"createCAdESFromBase64","args":["PKCS12","SIGNATURE","***",false]}`,
			`~the data is not base64`},
		{"file not chosen", `{"module":"kz.gov.pki.knca.commonUtils","method":"createCMSSignatureFromFile","args":["PKCS12","SIGNATURE","/etc/passwd",true]}`,
			`~the file was not chosen by the user`},
		{"XPath not supported", `{"module":"kz.gov.pki.knca.commonUtils","method":"signXml","args":["PKCS12","SIGNATURE","<a/>","/a/b[2]",""]}`,
			`~only the whole document or an element by its Id`},
		{"user declines: cancel", `{"module":"kz.gov.pki.knca.commonUtils","method":"signXml","args":["PKCS12","SIGNATURE","<a>1</a>","",""]}`,
			`{"code":"500","message":"action.canceled"}`},
		{"XML with a DTD", `{"module":"kz.gov.pki.knca.commonUtils","method":"signXml","args":["PKCS12","SIGNATURE","<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>","",""]}`,
			`~cannot sign this input`},
		{"XML not well-formed", `{"module":"kz.gov.pki.knca.commonUtils","method":"signXml","args":["PKCS12","SIGNATURE","<a><b></a>","",""]}`,
			`~cannot sign this input`},
		{"damaged CMS to co-sign", `{"module":"kz.gov.pki.knca.commonUtils","method":"createCAdESFromBase64","args":["PKCS12","SIGNATURE","` + base64.StdEncoding.EncodeToString([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}) + `",true]}`,
			`~starts as a CMS signature but is damaged`},
		{"basics: unknown method", `{"module":"kz.gov.pki.knca.basics","method":"verify","args":{}}`,
			`~"status":false,"code":"INVOCATION_ERROR"`},
		{"basics: args not an object", `{"module":"kz.gov.pki.knca.basics","method":"sign","args":[1]}`,
			`~"status":false,"code":"INVALID_SIGNING_PARAMS"`},
		{"basics: unknown format", `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"pdf","data":"MTEK"}}`,
			`~"status":false,"code":"INVALID_SIGNING_PARAMS"`},
		{"basics: data a number", `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":5}}`,
			`~"status":false,"code":"INVALID_SIGNING_PARAMS"`},
		{"basics: empty array", `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":[]}}`,
			`~"status":false,"code":"INVALID_SIGNING_PARAMS"`},
		{"basics: not base64", `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"@@","signingParams":{"decode":true}}}`,
			`~"status":false,"code":"INVALID_SIGNING_PARAMS"`},
		{"basics: digested and encapsulated", `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"MTEK","signingParams":{"decode":true,"digested":true,"encapsulate":true}}}`,
			`~a hash (digested) cannot be encapsulated`},
		{"basics: unknown storage", `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"MTEK","allowedStorages":["FLOPPY"]}}`,
			`~unknown storage`},
		{"basics: logo not an image", `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"MTEK","logo":"aGVsbG8="}}`,
			`~logo is not a PNG`},
		{"basics: user declines", `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"xml","data":"<a>1</a>","signerParams":{"chain":[]}}}`,
			`{"status":true,"body":{}}`},
		{"basics: XML with a DTD", `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"xml","data":"<!DOCTYPE a><a/>","signerParams":{"chain":[]}}}`,
			`~"code":"INVALID_SIGNING_PARAMS"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &session{origin: "https://portal.test", locale: "kk"}
			got := string(f.bridge.handle(context.Background(), s, []byte(tt.req)))
			if !json.Valid([]byte(got)) {
				t.Fatalf("reply is not JSON: %s", got)
			}
			if want, ok := strings.CutPrefix(tt.want, "~"); ok {
				if !strings.Contains(got, want) {
					t.Fatalf("reply %s\nwant it to contain %s", got, want)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("reply %s\nwant        %s", got, tt.want)
			}
		})
	}
}

// TestKeyInfo: getKeyInfo's fields and NCALayer 1.4's date format, after
// the password (a key file keeps its certificate encrypted).
func TestKeyInfo(t *testing.T) {
	f := newFixture(t)
	s := &session{origin: "https://portal.test"}
	reply := f.bridge.handle(context.Background(), s, []byte(`{"module":"kz.gov.pki.knca.commonUtils","method":"getKeyInfo","args":["PKCS12"]}`))
	var r struct {
		Code           string
		ResponseObject KeyInfo
	}
	if err := json.Unmarshal(reply, &r); err != nil || r.Code != "200" {
		t.Fatalf("reply %s (%v)", reply, err)
	}
	e := testPKI(t).Find("rsa/legal_head")
	k := r.ResponseObject
	if k.SerialNumber != e.Cert.SerialNumber.Text(16) || k.Algorithm != "RSA" || k.SubjectCN != e.Cert.Subject.CommonName ||
		!strings.HasPrefix(k.PEM, "-----BEGIN CERTIFICATE-----") || k.KeyID == "" || k.AuthorityKeyIdentifier == "" {
		t.Errorf("key info %+v", k)
	}
	if want := e.Cert.NotAfter.In(almaty).Format("02.01.2006 15:04:05"); k.CertNotAfter != want {
		t.Errorf("certNotAfter %q, want %q", k.CertNotAfter, want)
	}
	if f.prompts.secrets != 1 || len(f.prompts.allows) != 1 || f.prompts.allows[0].Action != ActionKeyInfo {
		t.Errorf("asked %d secrets, allows %+v", f.prompts.secrets, f.prompts.allows)
	}
}
