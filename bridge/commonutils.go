package bridge

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// commonUtils answers kz.gov.pki.knca.commonUtils: positional args,
// {"code":"200","responseObject":…} or {"code":"500","message":…}.
func (b *Bridge) commonUtils(ctx context.Context, s *session, r request) commonReply {
	v, err := b.commonMethod(ctx, s, r)
	switch {
	case err == nil:
		return commonOK(v)
	case canceled(err):
		return commonError(msgCanceled)
	case errors.Is(err, errArgType):
		return commonError(msgArgumentMismatch)
	case errors.Is(err, errArgCount):
		return commonError(msgWrongArgCount)
	}
	return commonError(err.Error())
}

func (b *Bridge) commonMethod(ctx context.Context, s *session, r request) (any, error) {
	switch r.Method {
	case "getActiveTokens":
		if _, err := positional(r.Args, 0); err != nil {
			return nil, err
		}
		return b.activeTokens(), nil
	case "changeLocale":
		args, err := positional(r.Args, 1)
		if err != nil {
			return nil, err
		}
		loc, err := str(args[0])
		if err != nil {
			return nil, err
		}
		s.locale = locale(loc)
		return nil, nil
	case "getKeyInfo":
		args, err := positional(r.Args, 1)
		if err != nil {
			return nil, err
		}
		storage, err := str(args[0])
		if err != nil {
			return nil, err
		}
		return b.keyInfo(ctx, s, storage)
	case "showFileChooser":
		args, err := positional(r.Args, 2)
		if err != nil {
			return nil, err
		}
		ext, err1 := str(args[0])
		dir, err2 := str(args[1])
		if err := errors.Join(err1, err2); err != nil {
			return nil, errArgType
		}
		return b.chooseFile(ctx, s, ext, dir)
	case "signXml", "signXmls":
		return b.signXML(ctx, s, r)
	case "createCMSSignatureFromBase64", "createCAdESFromBase64":
		return b.signBase64(ctx, s, r)
	case "createCMSSignatureFromFile":
		return b.signFile(ctx, s, r)
	case "createCAdESFromBase64Hash":
		return b.signHash(ctx, s, r)
	case "applyCAdEST":
		return b.applyTimestamp(ctx, s, r)
	}
	return nil, fmt.Errorf("java.lang.NoSuchMethodException: %s.%s", ModuleCommonUtils, r.Method)
}

// locale reads a page's locale: NCALayer says "kz" for Kazakh.
func locale(s string) string {
	switch strings.ToLower(s) {
	case "kz", "kk":
		return "kk"
	case "ru", "en":
		return strings.ToLower(s)
	}
	return "kk" // NCALayer's default
}

// storageJob reads commonUtils' storage and keyType arguments.
func storageJob(storageArg, keyTypeArg json.RawMessage, action Action) (keyJob, error) {
	storage, err1 := str(storageArg)
	keyType, err2 := str(keyTypeArg)
	if err := errors.Join(err1, err2); err != nil {
		return keyJob{}, errArgType
	}
	job := keyJob{action: action, use: core.UseAuthenticate}
	if err := checkStorage(storage); err != nil {
		return job, err
	}
	job.storages = []string{storage}
	switch keyType {
	case "SIGNATURE":
		job.use = core.UseSign
	case "AUTHENTICATION":
		job.cond.EKUs = []string{oidClientAuth}
	}
	return job, nil
}

const (
	oidClientAuth      = "1.3.6.1.5.5.7.3.2"
	oidEmailProtection = "1.3.6.1.5.5.7.3.4"
)

// checkStorage refuses a storage this program cannot open.
func checkStorage(storage string) error {
	switch {
	case storage == StorageJKS:
		return errors.New("JKS key stores are not supported: use the PKCS#12 (.p12) key file NCA RK issued")
	case !slices.Contains(storages, storage):
		return fmt.Errorf("unknown storage %q", storage)
	}
	return nil
}

// keyInfo answers getKeyInfo: the certificate of the key the user
// chooses, opened when it cannot be read without the password.
func (b *Bridge) keyInfo(ctx context.Context, s *session, storage string) (any, error) {
	if err := checkStorage(storage); err != nil {
		return nil, err
	}
	var ref signer.KeyRef
	err := b.attend(ctx, func() error {
		if err := b.permit(ctx, s, ActionKeyInfo); err != nil {
			return err
		}
		var err error
		if ref, err = b.chooseKey(ctx, s, keyJob{action: ActionKeyInfo, storages: []string{storage}, use: core.UseAuthenticate}); err != nil {
			return err
		}
		if ref.Certificate == nil {
			key, err := b.core.Keys.Open(ctx, ref.URI, b.prompts)
			if err != nil {
				return err
			}
			ref.Certificate = key.Certificate
			key.Close()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := b.core.RecordWebDisclosure(context.WithoutCancel(ctx), s.origin, ref); err != nil {
		b.log.Warn("bridge: certificate given, not journaled", "origin", s.origin, "err", err)
	}
	return keyInfoOf(ref.Certificate), nil
}

// KeyInfo is getKeyInfo's answer, NCALayer 1.4's fields.
type KeyInfo struct {
	Alias                  string `json:"alias"`
	KeyID                  string `json:"keyId"`
	Algorithm              string `json:"algorithm"`
	SubjectCN              string `json:"subjectCn"`
	SubjectDN              string `json:"subjectDn"`
	IssuerCN               string `json:"issuerCn"`
	IssuerDN               string `json:"issuerDn"`
	SerialNumber           string `json:"serialNumber"`
	CertNotAfter           string `json:"certNotAfter"`
	CertNotBefore          string `json:"certNotBefore"`
	AuthorityKeyIdentifier string `json:"authorityKeyIdentifier"`
	PEM                    string `json:"pem"`
}

// almaty is Kazakhstan's time (UTC+5 since March 2024), in which NCALayer
// writes dates.
var almaty = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Almaty"); err == nil {
		return loc
	}
	return time.FixedZone("Asia/Almaty", 5*60*60)
}()

// ncaDate is NCALayer 1.4's date format.
const ncaDate = "02.01.2006 15:04:05"

func keyInfoOf(cert *x509.Certificate) KeyInfo {
	id := pki.IdentityOf(cert, time.Now())
	algorithm := "RSA"
	if strings.Contains(id.Algorithm, "GOST") {
		algorithm = "ECGOST3410-2015"
		if strings.Contains(id.Algorithm, "34.310") || strings.Contains(id.Algorithm, "2004") {
			algorithm = "ECGOST34310"
		}
	} else if id.Algorithm != "" && !strings.Contains(id.Algorithm, "RSA") {
		algorithm = id.Algorithm
	}
	return KeyInfo{
		Alias: id.SubjectKeyID, KeyID: id.SubjectKeyID, Algorithm: algorithm,
		SubjectCN: id.CommonName, SubjectDN: id.SubjectDN, IssuerCN: id.Issuer, IssuerDN: id.IssuerDN,
		SerialNumber:           cert.SerialNumber.Text(16), // as Java's BigInteger.toString(16): no leading zero
		CertNotAfter:           cert.NotAfter.In(almaty).Format(ncaDate),
		CertNotBefore:          cert.NotBefore.In(almaty).Format(ncaDate),
		AuthorityKeyIdentifier: hex.EncodeToString(cert.AuthorityKeyId),
		PEM:                    string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})),
	}
}

// chooseFile answers showFileChooser; the file becomes one the page may
// name in createCMSSignatureFromFile on this socket.
func (b *Bridge) chooseFile(ctx context.Context, s *session, ext, dir string) (any, error) {
	var path string
	err := b.attend(ctx, func() error {
		if err := b.permit(ctx, s, ActionFile); err != nil {
			return err
		}
		var err error
		path, err = b.prompts.ChooseFile(ctx, FileRequest{Origin: s.origin, Extension: ext, Directory: dir, Locale: s.locale})
		return err
	})
	if err != nil {
		return nil, err
	}
	s.files = append(s.files, path)
	return path, nil
}

// signXML answers signXml and signXmls: XMLDSig in NCALayer's style.
func (b *Bridge) signXML(ctx context.Context, s *session, r request) (any, error) {
	job, args, err := storageArgs(r, 5, ActionSign)
	if err != nil {
		return nil, err
	}
	var docs []string
	if r.Method == "signXmls" {
		docs, err = strs(args[0])
	} else {
		var one string
		one, err = str(args[0])
		docs = []string{one}
	}
	tbs, err1 := str(args[1])
	parent, err2 := str(args[2])
	if err := errors.Join(err, err1, err2); err != nil {
		return nil, errArgType
	}
	if len(docs) == 0 {
		return nil, errors.New("no XML to sign")
	}
	id, err := elementID(tbs)
	if err != nil {
		return nil, err
	}
	req := core.SignRequest{Format: signer.FormatXML, XMLID: id, XMLParent: parent}
	for i, d := range docs {
		req.Items = append(req.Items, core.Item{Name: itemName(i, len(docs), ".xml"), Data: []byte(d), MediaType: "application/xml"})
	}
	res, err := b.sign(ctx, s, job, req)
	if err != nil {
		return nil, err
	}
	out := outputs(res, func(sig []byte) string { return string(sig) })
	if r.Method == "signXml" {
		return out[0], nil
	}
	return out, nil
}

// elementID reads the element to sign from an XPath: empty for the whole
// document, or an element by its Id ("//*[@Id='x']", "#x").
func elementID(xpath string) (string, error) {
	switch {
	case xpath == "" || xpath == "/" || xpath == "/*":
		return "", nil
	case strings.HasPrefix(xpath, "#"):
		return xpath[1:], nil
	}
	for _, prefix := range []string{"//*[@Id='", "//*[@ID='", `//*[@Id="`, `//*[@ID="`} {
		if rest, ok := strings.CutPrefix(xpath, prefix); ok && len(rest) > 2 {
			return rest[:len(rest)-2], nil
		}
	}
	return "", fmt.Errorf("tbsElementXPath %q: only the whole document or an element by its Id (//*[@Id='…']) can be signed", xpath)
}

// itemName names the n-th of count items a website sends.
func itemName(i, count int, ext string) string {
	if count == 1 {
		return "document" + ext
	}
	return fmt.Sprintf("document %d of %d%s", i+1, count, ext)
}

// outputs renders each signature.
func outputs(res *core.SignResult, render func([]byte) string) []string {
	out := make([]string, len(res.Outputs))
	for i, o := range res.Outputs {
		out[i] = render(o.Bytes)
	}
	return out
}

// signBase64 answers createCMSSignatureFromBase64 (with a timestamp) and
// createCAdESFromBase64 (without): a CMS of the data, or a co-signature
// when the data is a CMS already.
func (b *Bridge) signBase64(ctx context.Context, s *session, r request) (any, error) {
	job, args, err := storageArgs(r, 4, ActionSign)
	if err != nil {
		return nil, err
	}
	data64, attached, err := stringAndFlag(args[0], args[1])
	if err != nil {
		return nil, err
	}
	data, err := decodeBase64(data64)
	if err != nil {
		return nil, err
	}
	tsa, err := b.timestampFor(r.Method == "createCMSSignatureFromBase64")
	if err != nil {
		return nil, err
	}
	req := core.SignRequest{Format: signer.FormatCMS, Detached: !attached, TSA: tsa, RequireTimestamp: tsa != "",
		Items: []core.Item{{Name: itemName(0, 1, ""), Data: data, MediaType: mediaType(data)}}}
	switch {
	case isCMS(data):
		req.CoSign = true
		req.Items[0].Name = "signature.cms"
	case looksLikeCMS(data):
		return nil, fmt.Errorf("%w: the data starts as a CMS signature but is damaged", core.ErrInput)
	}
	return b.signedBase64(ctx, s, job, req)
}

// signFile answers createCMSSignatureFromFile for a file the user chose
// with showFileChooser on this socket: a page cannot name other files.
func (b *Bridge) signFile(ctx context.Context, s *session, r request) (any, error) {
	job, args, err := storageArgs(r, 4, ActionSign)
	if err != nil {
		return nil, err
	}
	path, attached, err := stringAndFlag(args[0], args[1])
	if err != nil {
		return nil, err
	}
	if !slices.Contains(s.files, path) {
		return nil, errors.New("the file was not chosen by the user: call showFileChooser first")
	}
	tsa, err := b.timestampFor(true)
	if err != nil {
		return nil, err
	}
	return b.signedBase64(ctx, s, job, core.SignRequest{Format: signer.FormatCMS, Detached: !attached, TSA: tsa, RequireTimestamp: true,
		Items: []core.Item{{Path: path}}})
}

// signHash answers createCAdESFromBase64Hash: a detached CMS over a hash
// the user cannot see (the consent says so).
func (b *Bridge) signHash(ctx context.Context, s *session, r request) (any, error) {
	job, args, err := storageArgs(r, 3, ActionSignHash)
	if err != nil {
		return nil, err
	}
	hash64, err := str(args[0])
	if err != nil {
		return nil, err
	}
	hash, err := decodeBase64(hash64)
	if err != nil {
		return nil, err
	}
	return b.signedBase64(ctx, s, job, core.SignRequest{Format: signer.FormatCMS, Detached: true,
		Items: []core.Item{{Name: "hash", Digest: hash}}})
}

// storageArgs reads the n positional args of a signing method, the first
// two being storage and keyType; it returns the rest.
func storageArgs(r request, n int, action Action) (keyJob, []json.RawMessage, error) {
	args, err := positional(r.Args, n)
	if err != nil {
		return keyJob{}, nil, err
	}
	job, err := storageJob(args[0], args[1], action)
	return job, args[2:], err
}

// stringAndFlag reads a (String, boolean) pair of args.
func stringAndFlag(a, b json.RawMessage) (string, bool, error) {
	s, err1 := str(a)
	flag, err2 := boolean(b)
	if errors.Join(err1, err2) != nil {
		return "", false, errArgType
	}
	return s, flag, nil
}

// signedBase64 signs for a commonUtils method and answers the signature as
// base64 DER, as commonUtils does.
func (b *Bridge) signedBase64(ctx context.Context, s *session, job keyJob, req core.SignRequest) (any, error) {
	res, err := b.sign(ctx, s, job, req)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString(res.Outputs[0].Bytes), nil
}

// applyTimestamp answers applyCAdEST: the CMS (the last argument) with a
// timestamp from the user's service on each signature. No key is used.
func (b *Bridge) applyTimestamp(ctx context.Context, s *session, r request) (any, error) {
	var args []json.RawMessage
	if err := json.Unmarshal(r.Args, &args); err != nil || len(args) == 0 {
		return nil, errArgCount
	}
	cms64, err := str(args[len(args)-1])
	if err != nil {
		return nil, err
	}
	der, err := decodeBase64(cms64)
	if err != nil {
		return nil, err
	}
	if !isCMS(der) {
		return nil, errors.New("the data is not a CMS signature")
	}
	tsa, err := b.timestampFor(true)
	if err != nil {
		return nil, err
	}
	var out []byte
	err = b.attend(ctx, func() error {
		if err := b.permit(ctx, s, ActionTime); err != nil {
			return err
		}
		var err error
		out, err = core.Timestamp(ctx, der, tsa)
		return err
	})
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString(out), nil
}

// decodeBase64 reads a page's base64: standard, padded or not, with line
// breaks (which the decoder skips) or spaces as some portals send it.
func decodeBase64(s string) ([]byte, error) {
	if out, err := base64.StdEncoding.DecodeString(s); err == nil {
		return out, nil
	}
	clean := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	if out, err := base64.StdEncoding.DecodeString(clean); err == nil {
		return out, nil
	}
	out, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(clean, "="))
	if err != nil {
		return nil, fmt.Errorf("the data is not base64: %w", err)
	}
	return out, nil
}

// signedDataOID is 1.2.840.113549.1.7.2 as DER, the start of a CMS.
var signedDataOID = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}

// looksLikeCMS: data begins as a CMS ContentInfo of SignedData.
func looksLikeCMS(data []byte) bool {
	return len(data) > 2 && data[0] == 0x30 && bytes.Contains(data[:min(len(data), 16)], signedDataOID)
}

// isCMS: data parses as a CMS SignedData (attached or detached).
func isCMS(data []byte) bool {
	_, err := cms.Content(data)
	return err == nil || errors.Is(err, cms.ErrNoContent)
}
