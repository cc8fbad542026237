package store

import (
	"bytes"
	"fmt"
	"github.com/qoltanba/qoltanba/internal/units"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// DefaultMaxContentSize is the import limit: the portals' agreements accept
// scans up to 10 MB, so nothing bigger could ever be sent.
const DefaultMaxContentSize = 10 << 20

// byExtension maps file extensions to the media types we record when the
// bytes alone are ambiguous (ZIP-based office files, XML, CSV). Our own
// table, not the OS's mime database, so every machine records the same type.
var byExtension = map[string]string{
	".pdf":  "application/pdf",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".tif":  "image/tiff",
	".tiff": "image/tiff",
	".xml":  "application/xml",
	".txt":  "text/plain; charset=utf-8",
	".csv":  "text/csv; charset=utf-8",
	".json": "application/json",
	".html": "text/html; charset=utf-8",
	".htm":  "text/html; charset=utf-8",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".doc":  "application/msword",
	".xls":  "application/vnd.ms-excel",
	".rtf":  "application/rtf",
	".zip":  "application/zip",
	".p7s":  "application/pkcs7-signature",
	".cms":  "application/pkcs7-mime",
	".sig":  "application/octet-stream",
}

// forbiddenExtensions are programs and scripts: a signing client has no
// business keeping them, and a signed executable is a classic lure.
var forbiddenExtensions = map[string]bool{
	".exe": true, ".dll": true, ".com": true, ".scr": true, ".msi": true, ".msp": true,
	".bat": true, ".cmd": true, ".ps1": true, ".vbs": true, ".vbe": true, ".js": true,
	".jse": true, ".wsf": true, ".wsh": true, ".hta": true, ".cpl": true, ".lnk": true,
	".reg": true, ".jar": true, ".apk": true, ".app": true, ".sh": true, ".elf": true,
	".so": true, ".dylib": true, ".pif": true, ".gadget": true, ".msc": true,
}

// executableMagic are the first bytes of executables on the three desktop
// systems: PE ("MZ"), ELF, Mach-O (both byte orders, 32/64 bit, fat), and
// scripts with a #! line.
var executableMagic = [][]byte{
	[]byte("MZ"), []byte("\x7fELF"),
	{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf}, {0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe},
	{0xca, 0xfe, 0xba, 0xbe}, []byte("#!"),
}

// specific are the types whose bytes we recognise with certainty: a name
// promising one of them must match the content.
var specific = map[string]bool{"application/pdf": true, "image/png": true, "image/jpeg": true, "image/tiff": true}

// checkContent applies the import policy to one file: size limit, no
// executables, a media type from the bytes refined by the extension, and no
// disagreement between a specific extension and the bytes.
func checkContent(name string, content []byte, limit int64) (mediaType string, err error) {
	if len(content) == 0 {
		return "", fmt.Errorf("%s: %w: the file has no bytes", displayName(name), ErrEmpty)
	}
	if limit > 0 && int64(len(content)) > limit {
		return "", fmt.Errorf("%s: %w: %s, the limit is %s", displayName(name), ErrTooLarge, humanSize(int64(len(content))), humanSize(limit))
	}
	ext := strings.ToLower(filepath.Ext(name))
	if forbiddenExtensions[ext] {
		return "", fmt.Errorf("%s: %w: %s files are programs or scripts", displayName(name), ErrForbiddenType, ext)
	}
	for _, m := range executableMagic {
		if bytes.HasPrefix(content, m) && (m[0] != 'M' || isBinary(content)) {
			return "", fmt.Errorf("%s: %w: the content is a program or script", displayName(name), ErrForbiddenType)
		}
	}
	sniffed := Sniff(content)
	named, known := byExtension[ext]
	switch {
	case specific[sniffed]:
		if known && specific[named] && named != sniffed {
			return "", fmt.Errorf("%s: %w: the name says %s but the content is %s", displayName(name), ErrTypeMismatch, named, sniffed)
		}
		return sniffed, nil
	case known && specific[named]:
		return "", fmt.Errorf("%s: %w: the name says %s but the content is %s", displayName(name), ErrTypeMismatch, named, sniffed)
	case known && refinable(sniffed, named):
		return named, nil
	}
	return sniffed, nil
}

// isBinary: a NUL in the first 512 bytes, as in every DOS/PE header; keeps
// a letter that happens to start with "MZ" importable.
func isBinary(content []byte) bool {
	return bytes.IndexByte(content[:min(len(content), 512)], 0) >= 0
}

// Sniff names the media type of content that comes without a file name
// (a CMS's attached content): http.DetectContentType plus TIFF and XML
// without a declaration of UTF-8, which it does not recognise.
func Sniff(content []byte) string {
	if bytes.HasPrefix(content, []byte("II*\x00")) || bytes.HasPrefix(content, []byte("MM\x00*")) {
		return "image/tiff"
	}
	t := http.DetectContentType(content)
	if t == "text/xml; charset=utf-8" {
		return "application/xml"
	}
	if t == "application/octet-stream" && utf8.Valid(content) && !bytes.ContainsRune(content, 0) {
		return "text/plain; charset=utf-8"
	}
	return t
}

// refinable: the extension may make a generic sniffed type precise (a ZIP
// that is a .docx, text that is CSV or XML, OLE files, signatures).
func refinable(sniffed, named string) bool {
	switch {
	case sniffed == "application/octet-stream":
		return true
	case sniffed == "application/zip":
		return strings.Contains(named, "openxmlformats") || strings.Contains(named, "opendocument") || named == "application/zip"
	case strings.HasPrefix(sniffed, "text/plain"):
		return strings.HasPrefix(named, "text/") || named == "application/xml" || named == "application/json" || named == "application/rtf"
	case sniffed == "application/xml" || sniffed == "text/html; charset=utf-8":
		return named == "application/xml" || strings.HasPrefix(named, "text/html")
	}
	return false
}

func defaultKind(mediaType string) Kind {
	if strings.HasPrefix(mediaType, "image/") {
		return KindScan
	}
	return KindOther
}

func displayName(name string) string {
	if name == "" {
		return "content"
	}
	return filepath.Base(name)
}

func humanSize(n int64) string { return units.Size(n) }
