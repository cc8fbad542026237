package pdf

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pki"
)

// Limits of what is looked at: form fields walked, a signature's
// /Contents, the unsigned tail scanned for its updates.
const (
	maxFields   = 10000
	maxContents = 2 << 20
	maxTailScan = 16 << 20
)

// Change is what a file gained after the revision a signature covers.
type Change string

const (
	// Unchanged: the signature covers the whole file.
	Unchanged Change = ""
	// LaterSignatures: what came after is covered by later signatures
	// (co-signing: each signer signed the file as they found it).
	LaterSignatures Change = "later-signatures"
	// UnsignedChanges: bytes after the last signed revision that no
	// signature covers — the file was changed after it was signed.
	UnsignedChanges Change = "unsigned-changes"
	// ValidationData: what came after adds validation data only (a
	// document security store, AddDSS), and any later signatures: nothing
	// signed was changed.
	ValidationData Change = "validation-data"
)

// Signature is one signature field's signature, as the file has it.
type Signature struct {
	Field       string    `json:"field"`
	SubFilter   string    `json:"subFilter"`
	ByteRange   [4]int64  `json:"byteRange"`
	Name        string    `json:"name,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Location    string    `json:"location,omitempty"`
	ClaimedTime time.Time `json:"claimedTime,omitzero"` // /M
	// Revision is the signature's place among the file's signed
	// revisions (1 is the oldest); Covers the bytes of that revision.
	Revision int   `json:"revision"`
	Covers   int64 `json:"covers"`
	// WholeFile: the signature covers every byte of the file. Otherwise
	// After says what came after, and Appended how many bytes no
	// signature covers (Updates: in how many incremental updates).
	WholeFile bool   `json:"wholeFile"`
	After     Change `json:"after,omitempty"`
	Appended  int64  `json:"appended,omitempty"`
	Updates   int    `json:"updates,omitempty"`
	// Problem says why the byte range cannot be trusted (then nothing
	// else about the signature is).
	Problem string `json:"problem,omitempty"`
	// CMS is the signature (DER, its padding cut off).
	CMS []byte `json:"-"`
	// lastSigned is the end of the newest signed revision.
	lastSigned int64
}

// Signatures finds every signature field with a value in the document's
// form, oldest revision first, and checks each byte range against the
// file: from its start, around exactly its own /Contents, to the end of a
// revision.
func Signatures(f *File) ([]Signature, error) {
	cat, _, err := f.Catalog()
	if err != nil {
		return nil, err
	}
	acro, err := f.Dict(cat["AcroForm"])
	if err != nil || acro == nil {
		return nil, err
	}
	fields, err := f.Array(acro["Fields"])
	if err != nil {
		return nil, err
	}
	var out []Signature
	seen := map[int]bool{}
	var walk func(o Object, name string, ft Object, depth int) error
	walk = func(o Object, name string, ft Object, depth int) error {
		if r, ok := o.(Ref); ok {
			if seen[r.Num] {
				return nil
			}
			seen[r.Num] = true
		}
		if depth > maxDepth || len(seen) > maxFields {
			return fmt.Errorf("%w: the form's fields are too many or too deep", ErrDamaged)
		}
		d, err := f.Dict(o)
		if err != nil || d == nil {
			return err
		}
		if t, ok := d["T"].(String); ok {
			if name != "" {
				name += "."
			}
			name += decodeText(t)
		}
		if v, ok := d["FT"]; ok {
			ft = v
		}
		if kids, _ := f.Array(d["Kids"]); len(kids) > 0 {
			for _, k := range kids {
				if err := walk(k, name, ft, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if ft != Name("Sig") || d["V"] == nil {
			return nil
		}
		v, err := f.Dict(d["V"])
		if err != nil || v == nil {
			return err
		}
		out = append(out, f.signature(name, v))
		return nil
	}
	for _, fr := range fields {
		if err := walk(fr, "", nil, 0); err != nil {
			return nil, err
		}
	}
	judge(f, out)
	return out, nil
}

// signature reads one signature dictionary and checks its byte range.
func (f *File) signature(field string, v Dict) Signature {
	s := Signature{Field: field}
	if n, ok := v["SubFilter"].(Name); ok {
		s.SubFilter = string(n)
	}
	for key, dst := range map[Name]*string{"Name": &s.Name, "Reason": &s.Reason, "Location": &s.Location} {
		if t, ok := v[key].(String); ok {
			*dst = decodeText(t)
		}
	}
	if m, ok := v["M"].(String); ok {
		s.ClaimedTime, _ = parseDate(string(m))
	}
	contents, _ := v["Contents"].(String)
	br, _ := v["ByteRange"].(Array)
	if len(br) != 4 {
		s.Problem = "the /ByteRange is not four numbers"
		return s
	}
	for i, e := range br {
		n, ok := e.(Int)
		if !ok || n < 0 {
			s.Problem = "the /ByteRange is not four numbers"
			return s
		}
		s.ByteRange[i] = int64(n)
	}
	b := s.ByteRange
	s.Covers = b[2] + b[3]
	switch {
	case b[0] != 0:
		s.Problem = "the signed bytes do not start at the beginning of the file"
	case b[1] <= 0 || b[2] <= b[1] || s.Covers > f.size:
		s.Problem = "the /ByteRange runs outside the file"
	case b[2]-b[1] > 2*maxContents+2:
		s.Problem = "the gap in the /ByteRange is larger than a signature"
	}
	if s.Problem != "" {
		return s
	}
	// The gap must be exactly this signature's /Contents: "<hex…>".
	gap := make([]byte, b[2]-b[1])
	if _, err := f.r.ReadAt(gap, b[1]); err != nil && err != io.EOF {
		s.Problem = "the gap cannot be read"
		return s
	}
	p := &parser{buf: gap}
	hexed, err := p.object(0)
	if str, ok := hexed.(String); err != nil || !ok || gap[0] != '<' || p.pos != len(gap) || !bytes.Equal(str, contents) {
		s.Problem = "the bytes left out of the signature are not exactly its /Contents: other bytes escape the signature"
		return s
	}
	// The revision ends with %%EOF (and its end of line).
	end := make([]byte, min(16, s.Covers))
	f.r.ReadAt(end, s.Covers-int64(len(end)))
	if !bytes.Contains(end, []byte("%%EOF")) {
		s.Problem = "the signed bytes do not end with a revision (%%EOF)"
		return s
	}
	s.CMS = trimDER(contents)
	return s
}

// trimDER cuts the zero padding after a DER value.
func trimDER(b []byte) []byte {
	if len(b) < 2 || b[0] != 0x30 {
		return b
	}
	l, hdr := int(b[1]), 2
	if b[1]&0x80 != 0 {
		n := int(b[1] & 0x7f)
		if n == 0 || n > 4 || len(b) < 2+n {
			return b
		}
		l = 0
		for _, c := range b[2 : 2+n] {
			l = l<<8 | int(c)
		}
		hdr = 2 + n
	}
	if hdr+l <= len(b) {
		return b[:hdr+l]
	}
	return b
}

// judge orders signatures by revision and says, for each, what the file
// gained after it.
func judge(f *File, sigs []Signature) {
	slices.SortStableFunc(sigs, func(a, b Signature) int { return cmp.Compare(a.Covers, b.Covers) })
	var last int64
	for _, s := range sigs {
		if s.Problem == "" {
			last = max(last, s.Covers)
		}
	}
	appended, updates, validation := f.size-last, 0, false
	if appended > 0 && last > 0 {
		updates, validation = f.countUpdates(last), f.validationDataOnly(last)
	}
	for i := range sigs {
		s := &sigs[i]
		s.Revision, s.lastSigned = i+1, last
		if s.Problem != "" {
			continue
		}
		switch {
		case s.Covers == f.size:
			s.WholeFile = true
		case last == f.size:
			s.After = LaterSignatures
		case validation:
			s.After = ValidationData
		default:
			s.After, s.Appended, s.Updates = UnsignedChanges, appended, updates
			if s.Covers < last {
				s.After = UnsignedChanges // later signatures, and then unsigned changes
			}
		}
	}
}

// countUpdates counts the %%EOF markers after off (the incremental
// updates), scanning at most maxTailScan bytes (-1 when more).
func (f *File) countUpdates(off int64) int {
	if f.size-off > maxTailScan {
		return -1
	}
	tail := make([]byte, f.size-off)
	f.r.ReadAt(tail, off)
	return bytes.Count(tail, []byte("%%EOF"))
}

// SignedBytes reads the bytes a signature covers (both ranges).
func (f *File) SignedBytes(s Signature) io.Reader {
	b := s.ByteRange
	return io.MultiReader(io.NewSectionReader(f.r, b[0], b[1]), io.NewSectionReader(f.r, b[2], b[3]))
}

// Verify finds the signatures and verifies each CMS over its byte ranges
// (the cryptography; chains and revocation are signer/pki's): one
// evidence per signature, in revision order. Its scope says which
// revision it covers and what came after; bytes no signature covers are
// named in Unverified; a byte range that cannot be trusted fails the
// signature.
func Verify(f *File) ([]pki.Evidence, []Signature, error) {
	sigs, err := Signatures(f)
	if err != nil {
		return nil, nil, err
	}
	if len(sigs) == 0 {
		return nil, nil, ErrNoSignature
	}
	out := make([]pki.Evidence, len(sigs))
	for i, s := range sigs {
		ev := pki.Evidence{CryptoError: "the CMS cannot be read"}
		var evs []pki.Evidence
		if s.Problem != "" {
			// Who signed is still worth saying; the range is not.
			evs, _ = cms.Verify(s.CMS, bytes.NewReader(nil))
		} else if evs, err = cms.Verify(s.CMS, f.SignedBytes(s)); err != nil {
			ev.CryptoError = fmt.Sprintf("the CMS cannot be checked: %v", err)
		}
		if len(evs) > 0 {
			ev = evs[0]
			if len(evs) > 1 {
				ev.Unverified = append(ev.Unverified, fmt.Sprintf("%d more signer(s) inside the CMS", len(evs)-1))
			}
		}
		if s.Problem != "" {
			ev.DigestValid, ev.CryptoError = false, fmt.Sprintf("%v: %s", ErrByteRange, s.Problem)
		}
		ev.Format, ev.Index, ev.Scope = "pdf", i, s.Scope()
		if s.After == UnsignedChanges {
			ev.Unverified = append(ev.Unverified, fmt.Sprintf("bytes %d–%d of the file (%s) are covered by no signature: it was changed after it was signed",
				f.size-s.Appended, f.size, updatesText(s.Updates)))
		}
		out[i] = ev
	}
	return out, sigs, nil
}

func updatesText(n int) string {
	if n < 0 {
		return "incremental updates"
	}
	return fmt.Sprintf("%d incremental update(s)", n)
}

// Errors of verification.
var (
	ErrNoSignature = errors.New("pdf: the document carries no signature")
	ErrByteRange   = errors.New("pdf: the signature's byte range")
)

// ScopeParts are what Scope says, for saying it in other words
// (internal/reportwords).
type ScopeParts struct {
	Revision int
	Covers   int64
	After    Change
	// LaterSignatures: with UnsignedChanges or ValidationData, later
	// signatures came too.
	LaterSignatures bool
	Appended        int64
	Updates         int // -1: more than were counted
}

var scopeRE = regexp.MustCompile(`^PDF revision (\d+) \(bytes 0–(\d+)\)(?:(, the whole file)|(; later revisions add signatures only)|(; later revisions add signatures)?; CHANGED after signing: (\d+) bytes in (?:(\d+) incremental update\(s\)|incremental updates) no signature covers|; later revisions add (signatures and )?(validation data only))?$`)

// ParseScope reads what Scope wrote; ok is false for any other text.
func ParseScope(text string) (p ScopeParts, ok bool) {
	m := scopeRE.FindStringSubmatch(text)
	if m == nil {
		return p, false
	}
	p.Revision, _ = strconv.Atoi(m[1])
	p.Covers, _ = strconv.ParseInt(m[2], 10, 64)
	switch {
	case m[3] != "":
		p.After = Unchanged
	case m[4] != "":
		p.After = LaterSignatures
	case m[9] != "":
		p.After, p.LaterSignatures = ValidationData, m[8] != ""
	case m[6] != "":
		p.After, p.LaterSignatures = UnsignedChanges, m[5] != ""
		p.Appended, _ = strconv.ParseInt(m[6], 10, 64)
		p.Updates = -1
		if m[7] != "" {
			p.Updates, _ = strconv.Atoi(m[7])
		}
	default:
		return p, false
	}
	return p, true
}

// Scope says in words what the signature covers (ParseScope reads it).
func (s Signature) Scope() string {
	var b strings.Builder
	fmt.Fprintf(&b, "PDF revision %d (bytes 0–%d)", s.Revision, s.Covers)
	switch s.After {
	case Unchanged:
		b.WriteString(", the whole file")
	case LaterSignatures:
		b.WriteString("; later revisions add signatures only")
	case ValidationData:
		if s.Covers < s.lastSigned {
			b.WriteString("; later revisions add signatures and validation data only")
		} else {
			b.WriteString("; later revisions add validation data only")
		}
	case UnsignedChanges:
		if s.Covers < s.lastSigned {
			b.WriteString("; later revisions add signatures")
		}
		fmt.Fprintf(&b, "; CHANGED after signing: %d bytes in %s no signature covers", s.Appended, updatesText(s.Updates))
	}
	return b.String()
}

// parseDate reads D:YYYYMMDDHHmmSS+HH'mm' (later parts optional).
func parseDate(s string) (time.Time, error) {
	s = strings.TrimPrefix(s, "D:")
	layouts := []string{"20060102150405-07'00'", "20060102150405-07'00", "20060102150405Z", "20060102150405", "200601021504", "20060102"}
	s = strings.TrimSuffix(s, "'")
	if strings.HasSuffix(s, "Z00'00") {
		s = strings.TrimSuffix(s, "00'00")
	}
	for _, l := range layouts {
		if t, err := time.Parse(strings.TrimSuffix(l, "'"), s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a PDF date: %q", s)
}

// validationDataOnly says the bytes after the revision that ends at last
// only add validation data: of the objects that revision had, none is
// written again but the catalog (and a document security store it had),
// and the catalog only gains or changes its /DSS; the trailer keeps its
// root and information dictionary. New objects can then be reached only
// through /DSS: nothing shown or signed can have changed.
func (f *File) validationDataOnly(last int64) bool {
	// Whole updates only: the newest cross-reference is after last, and
	// every object written there is one it lists, where it says.
	if f.StartXRef < last || f.size-last > maxTailScan {
		return false
	}
	tail := make([]byte, f.size-last)
	if _, err := f.r.ReadAt(tail, last); err != nil && err != io.EOF {
		return false
	}
	for _, m := range objHeader.FindAllSubmatchIndex(tail, -1) {
		n, err := strconv.Atoi(string(tail[m[2]:m[3]]))
		if e, ok := f.xref[n]; err != nil || !ok || e.kind != 1 || e.offset != last+int64(m[2]) {
			return false
		}
	}
	old, err := Open(io.NewSectionReader(f.r, 0, last), last)
	if err != nil || !sameObject(f.Trailer["Root"], old.Trailer["Root"]) || !sameObject(f.Trailer["Info"], old.Trailer["Info"]) {
		return false
	}
	cat, catRef, err := f.Catalog()
	if err != nil {
		return false
	}
	oldCat, _, err := old.Catalog()
	if err != nil {
		return false
	}
	a, b := clone(cat), clone(oldCat)
	delete(a, "DSS")
	delete(b, "DSS")
	if !bytes.Equal(encode(a), encode(b)) {
		return false
	}
	oldDSS, _ := oldCat["DSS"].(Ref)
	known := old.NextObject()
	for n, e := range f.xref {
		off := e.offset
		switch e.kind {
		case 1:
		case 2:
			off = f.xref[e.stream].offset
		default:
			continue
		}
		if off < last || n >= known {
			continue // as signed, or new
		}
		if n != catRef.Num && (oldDSS.Num == 0 || n != oldDSS.Num) {
			return false
		}
	}
	return true
}

// objHeader finds "N G obj" at the start of a line.
var objHeader = regexp.MustCompile(`(?:^|[\r\n])(\d+)[ \t]+\d+[ \t]+obj\b`)

// sameObject compares two trailer entries by their PDF syntax.
func sameObject(a, b Object) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return bytes.Equal(encode(a), encode(b))
}
