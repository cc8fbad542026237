package pdf

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/qoltanba/qoltanba/signer/pki"
)

// DSS is a PDF's document security store (ISO 32000-2, 12.8.4.3; ETSI EN
// 319 142-1, PAdES-B-LT): the certificates, OCSP responses and CRLs a
// verifier needs to check the signatures later without a network. Each item
// is DER.
type DSS struct {
	Certs, OCSPs, CRLs [][]byte
}

// Limits of what ReadDSS takes from a file.
const (
	maxDSSItems    = 1000
	maxDSSItemSize = 4 << 20
)

// dssKeys are the DSS arrays, in the order of DSS's fields.
var dssKeys = []Name{"Certs", "OCSPs", "CRLs"}

func (d *DSS) lists() []*[][]byte { return []*[][]byte{&d.Certs, &d.OCSPs, &d.CRLs} }

// Len is how many items d holds.
func (d DSS) Len() int { return len(d.Certs) + len(d.OCSPs) + len(d.CRLs) }

// ReadDSS reads the file's document security store (empty when it has
// none). Items that cannot be read are left out; at most maxDSSItems are
// read.
func ReadDSS(f *File) (DSS, error) {
	var out DSS
	cat, _, err := f.Catalog()
	if err != nil {
		return out, err
	}
	d, err := f.Dict(cat["DSS"])
	if err != nil || d == nil {
		return out, err
	}
	n := 0
	for i, key := range dssKeys {
		arr, err := f.Array(d[key])
		if err != nil {
			continue
		}
		list := out.lists()[i]
		for _, o := range arr {
			if n >= maxDSSItems {
				return out, nil
			}
			o, err := f.Resolve(o)
			s, ok := o.(*Stream)
			if err != nil || !ok || s.Length > maxDSSItemSize {
				continue
			}
			data, err := f.decode(s)
			if err != nil {
				continue
			}
			*list = append(*list, data)
			n++
		}
	}
	return out, nil
}

// AddDSS adds to the PDF at path, in place, the items of add that its
// document security store does not hold yet, in an incremental update
// (every signature stays valid; Verify reads such an update as validation
// data, not a change). It returns how many items were added; with none new
// the file is left as it is.
func AddDSS(path string, add DSS) (int, error) {
	src, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return 0, err
	}
	f, err := Open(src, info.Size())
	if err != nil {
		return 0, err
	}
	data, added, err := dssUpdate(f, add)
	if err != nil || added == 0 {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // gone once renamed
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		return 0, err
	}
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	src.Close()
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	return added, nil
}

// dssUpdate lays out the update adding add's new items: a stream for each,
// a new DSS dictionary with the old arrays and the new streams, and the
// catalog pointing to it.
func dssUpdate(f *File, add DSS) ([]byte, int, error) {
	cat, catRef, err := f.Catalog()
	if err != nil {
		return nil, 0, err
	}
	old, err := f.Dict(cat["DSS"])
	if err != nil {
		return nil, 0, err
	}
	have, err := ReadDSS(f)
	if err != nil {
		return nil, 0, err
	}
	seen := map[[32]byte]bool{}
	for _, list := range have.lists() {
		for _, item := range *list {
			seen[sha256.Sum256(item)] = true
		}
	}
	next := f.NextObject()
	objs := map[int][]byte{}
	dss := Dict{"Type": Name("DSS")}
	added := 0
	for i, key := range dssKeys {
		arr, _ := f.Array(old[key])
		arr = append(Array{}, arr...)
		for _, item := range *add.lists()[i] {
			h := sha256.Sum256(item)
			if len(item) == 0 || seen[h] {
				continue
			}
			seen[h] = true
			var b bytes.Buffer
			writeStream(&b, Dict{}, item)
			objs[next] = b.Bytes()
			arr = append(arr, Ref{Num: next})
			next++
			added++
		}
		if len(arr) > 0 {
			dss[key] = arr
		}
	}
	if added == 0 {
		return nil, 0, nil
	}
	if added > maxDSSItems {
		return nil, 0, errors.New("pdf: too many validation items for one update")
	}
	dssRef := Ref{Num: next}
	next++
	objs[dssRef.Num] = encode(dss)
	newCat := clone(cat)
	newCat["DSS"] = dssRef
	objs[catRef.Num] = encode(newCat)
	data, _ := writeUpdate(f, objs, next, catRef)
	return data, added, nil
}

// UseValidationData gives v what a document security store holds: its
// certificates join each signature's own in evs for building chains (the
// CA certificates, offline), its OCSP responses and CRLs go to v's cache,
// matched with all those certificates (pki.Verifier.Preload).
func UseValidationData(v *pki.Verifier, evs []pki.Evidence, d DSS) {
	if d.Len() == 0 {
		return
	}
	var stored []*x509.Certificate
	for _, der := range d.Certs {
		if c, err := x509.ParseCertificate(der); err == nil {
			stored = append(stored, c)
		}
	}
	certs := slices.Clone(stored)
	for i := range evs {
		e := &evs[i]
		e.Certificates = append(e.Certificates, stored...)
		certs = append(certs, e.Certificates...)
		if e.Certificate != nil {
			certs = append(certs, e.Certificate)
		}
		for _, ts := range e.Timestamps {
			certs = append(certs, ts.Certificates...)
		}
	}
	v.Preload(certs, d.OCSPs, d.CRLs)
}
