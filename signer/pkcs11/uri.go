package pkcs11

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// URI is an RFC 7512 PKCS#11 URI, the name of a key on a token:
//
//	pkcs11:token=QOLTANBA;id=%01%02;object=sign;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so
//
// Empty fields match anything. ID is nil when the URI has no id attribute and
// empty (non-nil) for "id=".
type URI struct {
	// Token attributes (CK_TOKEN_INFO).
	Token, Manufacturer, Serial, Model string
	// Library attributes (CK_INFO).
	LibraryManufacturer, LibraryDescription, LibraryVersion string
	// Slot attributes (CK_SLOT_INFO); SlotID is -1 when absent.
	SlotDescription, SlotManufacturer string
	SlotID                            int64
	// Object attributes.
	Object string // CKA_LABEL
	ID     []byte // CKA_ID
	Type   string // "private", "cert", "public", "secret-key", "data"
	// Query attributes. PINValue is parsed so that it can be refused: a PIN
	// inside a URI lands in shell history and logs.
	ModulePath, ModuleName, PINSource, PINValue string
}

const uriScheme = "pkcs11:"

// Bounds on what ParseURI reads; real URIs are a few hundred bytes. The
// decoded values are bounded separately so that String's percent-encoding
// (up to three bytes per byte, plus the attribute names) of any URI that
// parses stays under maxURILen and parses again.
const (
	maxURILen     = 4096
	maxURIDecoded = 1024
)

// IsURI reports whether s names a key by a pkcs11: URI (case-insensitive scheme).
func IsURI(s string) bool {
	return len(s) >= len(uriScheme) && strings.EqualFold(s[:len(uriScheme)], uriScheme)
}

// ParseURI parses an RFC 7512 URI. It rejects repeated attributes and unknown
// non-vendor ("x-") path attributes, as the RFC asks, so that a URI meant for
// another key never silently matches this one.
func ParseURI(s string) (*URI, error) {
	if !IsURI(s) {
		return nil, fmt.Errorf("%w: %q does not start with %q", ErrBadURI, clip(s), uriScheme)
	}
	if len(s) > maxURILen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadURI, maxURILen)
	}
	rest := s[len(uriScheme):]
	path, query, _ := strings.Cut(rest, "?")
	u := &URI{SlotID: -1}
	seen := map[string]bool{}
	decoded := 0
	if path != "" {
		for _, attr := range strings.Split(path, ";") {
			name, raw, ok := strings.Cut(attr, "=")
			if !ok || name == "" {
				return nil, fmt.Errorf("%w: path attribute %q is not name=value", ErrBadURI, clip(attr))
			}
			if seen[name] {
				return nil, fmt.Errorf("%w: attribute %q repeated", ErrBadURI, name)
			}
			seen[name] = true
			v, err := unescape(raw)
			if err != nil {
				return nil, fmt.Errorf("%w: attribute %s: %v", ErrBadURI, name, err)
			}
			if decoded += len(v); decoded > maxURIDecoded {
				return nil, fmt.Errorf("%w: attribute values longer than %d bytes", ErrBadURI, maxURIDecoded)
			}
			if err := u.setPath(name, v); err != nil {
				return nil, err
			}
		}
	}
	if query != "" {
		for _, attr := range strings.Split(query, "&") {
			name, raw, ok := strings.Cut(attr, "=")
			if !ok || name == "" {
				return nil, fmt.Errorf("%w: query attribute %q is not name=value", ErrBadURI, clip(attr))
			}
			if seen["?"+name] {
				return nil, fmt.Errorf("%w: query attribute %q repeated", ErrBadURI, name)
			}
			seen["?"+name] = true
			v, err := unescape(raw)
			if err != nil {
				return nil, fmt.Errorf("%w: query attribute %s: %v", ErrBadURI, name, err)
			}
			if decoded += len(v); decoded > maxURIDecoded {
				return nil, fmt.Errorf("%w: attribute values longer than %d bytes", ErrBadURI, maxURIDecoded)
			}
			switch name {
			case "module-path":
				u.ModulePath = string(v)
			case "module-name":
				u.ModuleName = string(v)
			case "pin-source":
				u.PINSource = string(v)
			case "pin-value":
				u.PINValue = string(v)
			default: // unknown query attributes are ignored (RFC 7512 section 2.3)
			}
		}
	}
	return u, nil
}

func (u *URI) setPath(name string, v []byte) error {
	switch name {
	case "token":
		u.Token = string(v)
	case "manufacturer":
		u.Manufacturer = string(v)
	case "serial":
		u.Serial = string(v)
	case "model":
		u.Model = string(v)
	case "library-manufacturer":
		u.LibraryManufacturer = string(v)
	case "library-description":
		u.LibraryDescription = string(v)
	case "library-version":
		u.LibraryVersion = string(v)
	case "slot-description":
		u.SlotDescription = string(v)
	case "slot-manufacturer":
		u.SlotManufacturer = string(v)
	case "slot-id":
		n, err := strconv.ParseUint(string(v), 10, 32)
		if err != nil {
			return fmt.Errorf("%w: slot-id %q is not a decimal number", ErrBadURI, clip(string(v)))
		}
		u.SlotID = int64(n)
	case "object":
		u.Object = string(v)
	case "id":
		u.ID = append([]byte{}, v...)
	case "type":
		switch string(v) {
		case "private", "cert", "public", "secret-key", "data":
			u.Type = string(v)
		default:
			return fmt.Errorf("%w: unknown object type %q", ErrBadURI, clip(string(v)))
		}
	default:
		if !strings.HasPrefix(name, "x-") {
			return fmt.Errorf("%w: unknown attribute %q", ErrBadURI, clip(name))
		}
	}
	return nil
}

// String formats the URI in a fixed attribute order. The id is always fully
// percent-encoded, as RFC 7512 recommends; PINValue is never written.
func (u *URI) String() string {
	var b strings.Builder
	b.WriteString(uriScheme)
	n := 0
	add := func(name, v string) {
		if v == "" {
			return
		}
		if n > 0 {
			b.WriteByte(';')
		}
		n++
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(escape(v, false))
	}
	add("library-manufacturer", u.LibraryManufacturer)
	add("library-description", u.LibraryDescription)
	add("library-version", u.LibraryVersion)
	add("slot-manufacturer", u.SlotManufacturer)
	add("slot-description", u.SlotDescription)
	if u.SlotID >= 0 {
		add("slot-id", strconv.FormatInt(u.SlotID, 10))
	}
	add("manufacturer", u.Manufacturer)
	add("model", u.Model)
	add("serial", u.Serial)
	add("token", u.Token)
	if u.ID != nil {
		if n > 0 {
			b.WriteByte(';')
		}
		n++
		b.WriteString("id=")
		for _, c := range u.ID {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	add("object", u.Object)
	add("type", u.Type)
	q := 0
	addQ := func(name, v string) {
		if v == "" {
			return
		}
		if q == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		q++
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(escape(v, true))
	}
	addQ("module-name", u.ModuleName)
	addQ("module-path", u.ModulePath)
	addQ("pin-source", u.PINSource)
	return b.String()
}

// matchesToken reports whether the token attributes of u select t.
func (u *URI) matchesToken(t tokenInfo) bool {
	return (u.Token == "" || u.Token == t.Label) &&
		(u.Manufacturer == "" || u.Manufacturer == t.Manufacturer) &&
		(u.Model == "" || u.Model == t.Model) &&
		(u.Serial == "" || u.Serial == t.Serial)
}

// matchesLibrary reports whether the library attributes of u select a module.
func (u *URI) matchesLibrary(path string, info libraryInfo) bool {
	return (u.ModulePath == "" || u.ModulePath == path) &&
		(u.LibraryManufacturer == "" || u.LibraryManufacturer == info.Manufacturer) &&
		(u.LibraryDescription == "" || u.LibraryDescription == info.Description) &&
		(u.LibraryVersion == "" || u.LibraryVersion == info.Version)
}

// matchesObject reports whether the object attributes of u select an object
// with this label and ID.
func (u *URI) matchesObject(label string, id []byte) bool {
	return (u.Object == "" || u.Object == label) && (u.ID == nil || bytes.Equal(u.ID, id))
}

// unescape decodes RFC 3986 percent-encoding; a '%' must be followed by two
// hex digits.
func unescape(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			out = append(out, c)
			continue
		}
		if i+2 >= len(s) {
			return nil, fmt.Errorf("truncated percent-encoding")
		}
		h, okh := unhex(s[i+1])
		l, okl := unhex(s[i+2])
		if !okh || !okl {
			return nil, fmt.Errorf("bad percent-encoding %q", s[i:i+3])
		}
		out = append(out, h<<4|l)
		i += 2
	}
	return out, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// escape percent-encodes everything but RFC 3986 unreserved characters and
// the few sub-delimiters RFC 7512 allows in that part ('/' too in the query,
// so module paths stay readable).
func escape(s string, query bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == ':', c == '@', c == '!', c == '$',
			c == '\'', c == '(', c == ')', c == '*', c == '+', c == ',':
			b.WriteByte(c)
		case query && (c == '/' || c == ';' || c == '='):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// clip shortens untrusted text quoted in error messages.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// Selects reports whether u names the listed key k: every attribute u sets
// (token, object, id, module path) must match. It lets a caller describe a
// key from its certificate without logging in.
func (u *URI) Selects(k TokenKey) bool {
	ku, err := ParseURI(k.URI)
	if err != nil {
		return false
	}
	return (u.Token == "" || u.Token == k.Token.Label) &&
		(u.Manufacturer == "" || u.Manufacturer == k.Token.Manufacturer) &&
		(u.Model == "" || u.Model == k.Token.Model) &&
		(u.Serial == "" || u.Serial == k.Token.Serial) &&
		(u.ModulePath == "" || k.Token.Module == nil || u.ModulePath == k.Token.Module.Path) &&
		(u.Object == "" || u.Object == ku.Object || u.Object == k.Label) &&
		(u.ID == nil || bytes.Equal(u.ID, ku.ID))
}
