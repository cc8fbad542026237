package evidence

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Limits bound what Read accepts from an untrusted zip.
type Limits struct {
	MaxFiles    int   // default 10,000
	MaxFileSize int64 // default 80 MB (a 10 MB document, CRLs up to 64 MB)
	MaxTotal    int64 // default 256 MB, uncompressed
}

func (l Limits) withDefaults() Limits {
	if l.MaxFiles <= 0 {
		l.MaxFiles = 10000
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = 80 << 20
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = 256 << 20
	}
	return l
}

// ErrUnsafe: the zip breaks a limit or names a path that could escape or
// confuse (absolute, "..", backslashes, duplicates, links, folders).
var ErrUnsafe = errors.New("unsafe or oversized package")

// ErrNotPackage: the file is not a zip, or not an evidence package.
var ErrNotPackage = errors.New("not an evidence package")

// Read loads every file of a package into memory, refusing anything
// unsafe. Nothing is written to disk, so no name can land outside a
// folder; names are still checked because a checker must not be
// confused by "a/../b" aliases or duplicates.
func Read(r io.ReaderAt, size int64, limits Limits) (map[string][]byte, error) {
	l := limits.withDefaults()
	// archive/zip builds a record for every entry of the central directory
	// before the count below could refuse it: read the count first.
	if n, ok := declaredEntries(r, size); ok && n > uint64(l.MaxFiles) {
		return nil, fmt.Errorf("%w: %d files, at most %d", ErrUnsafe, n, l.MaxFiles)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotPackage, err)
	}
	if len(zr.File) > l.MaxFiles {
		return nil, fmt.Errorf("%w: %d files, at most %d", ErrUnsafe, len(zr.File), l.MaxFiles)
	}
	files := make(map[string][]byte, len(zr.File))
	var total int64
	for _, f := range zr.File {
		if err := checkName(f.Name); err != nil {
			return nil, err
		}
		if _, dup := files[f.Name]; dup {
			return nil, fmt.Errorf("%w: %q appears twice", ErrUnsafe, f.Name)
		}
		if !f.Mode().IsRegular() {
			return nil, fmt.Errorf("%w: %q is not a regular file (%s)", ErrUnsafe, f.Name, f.Mode().Type())
		}
		if f.UncompressedSize64 > uint64(l.MaxFileSize) {
			return nil, fmt.Errorf("%w: %q is %d bytes, at most %d", ErrUnsafe, f.Name, f.UncompressedSize64, l.MaxFileSize)
		}
		if total += int64(f.UncompressedSize64); total > l.MaxTotal {
			return nil, fmt.Errorf("%w: more than %d bytes uncompressed", ErrUnsafe, l.MaxTotal)
		}
		data, err := readEntry(f)
		if err != nil {
			return nil, err
		}
		files[f.Name] = data
	}
	return files, nil
}

// readEntry reads at most the declared size (+1 to notice a lie).
func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrNotPackage, f.Name, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrNotPackage, f.Name, err)
	}
	if uint64(n) != f.UncompressedSize64 {
		return nil, fmt.Errorf("%w: %q holds more or less than its declared %d bytes", ErrUnsafe, f.Name, f.UncompressedSize64)
	}
	return buf.Bytes(), nil
}

func checkName(name string) error {
	switch {
	case len(name) == 0 || len(name) > 512:
		return fmt.Errorf("%w: a file name of %d bytes", ErrUnsafe, len(name))
	case strings.ContainsAny(name, "\\:\x00"):
		return fmt.Errorf("%w: file name %q has a backslash, colon or NUL", ErrUnsafe, name)
	case !fs.ValidPath(name) || name == ".":
		return fmt.Errorf("%w: file name %q is absolute, has \"..\" or empty parts", ErrUnsafe, name)
	}
	return nil
}

// declaredEntries reads the number of entries the zip's end of central
// directory declares (the zip64 one when the classic field is saturated),
// without reading the directory; ok is false when no record is found (the
// zip reader then says what is wrong).
func declaredEntries(r io.ReaderAt, size int64) (uint64, bool) {
	const (
		eocdLen      = 22
		maxComment   = 1<<16 - 1
		locatorLen   = 20
		zip64EOCDLen = 56
	)
	tail := min(size, eocdLen+maxComment)
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return 0, false
	}
	i := bytes.LastIndex(buf, []byte{'P', 'K', 5, 6})
	if i < 0 || len(buf)-i < eocdLen {
		return 0, false
	}
	n := uint64(binary.LittleEndian.Uint16(buf[i+10:]))
	if n != 0xFFFF {
		return n, true
	}
	// Zip64: the locator just before the record gives the zip64 record's offset.
	loc := size - tail + int64(i) - locatorLen
	lb := make([]byte, locatorLen)
	if loc < 0 {
		return n, true
	}
	if _, err := r.ReadAt(lb, loc); err != nil || !bytes.Equal(lb[:4], []byte{'P', 'K', 6, 7}) {
		return n, true
	}
	off := int64(binary.LittleEndian.Uint64(lb[8:]))
	rb := make([]byte, zip64EOCDLen)
	if off < 0 || off > size-zip64EOCDLen {
		return n, true
	}
	if _, err := r.ReadAt(rb, off); err != nil || !bytes.Equal(rb[:4], []byte{'P', 'K', 6, 6}) {
		return n, true
	}
	return binary.LittleEndian.Uint64(rb[32:]), true
}
