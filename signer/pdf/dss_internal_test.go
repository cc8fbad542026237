package pdf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestValidationDataOnlyRefusesChanges: an update that adds a DSS and
// also changes a page, or changes the catalog beyond /DSS, is a change
// after signing, not validation data.
func TestValidationDataOnlyRefusesChanges(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "table.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	open := func(b []byte) *File {
		f, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := open(data)
	cat, catRef, _ := f.Catalog()
	page, pageRef, _ := f.Page(1)
	next := f.NextObject()
	withDSS := func(extra func(objs map[int][]byte, cat Dict)) []byte {
		objs := map[int][]byte{next: encode(Dict{"Type": Name("DSS")})}
		c := clone(cat)
		c["DSS"] = Ref{Num: next}
		if extra != nil {
			extra(objs, c)
		}
		objs[catRef.Num] = encode(c)
		up, _ := writeUpdate(f, objs, next+1, catRef)
		return append(bytes.Clone(data), up...)
	}
	last := int64(len(data))
	if !open(withDSS(nil)).validationDataOnly(last) {
		t.Error("a DSS alone is not taken as validation data")
	}
	changedPage := withDSS(func(objs map[int][]byte, _ Dict) {
		p := clone(page)
		p["Rotate"] = Int(90)
		objs[pageRef.Num] = encode(p)
	})
	if open(changedPage).validationDataOnly(last) {
		t.Error("a DSS with a turned page was taken as validation data")
	}
	changedCatalog := withDSS(func(_ map[int][]byte, c Dict) { c["OpenAction"] = Array{pageRef, Name("Fit")} })
	if open(changedCatalog).validationDataOnly(last) {
		t.Error("a DSS with a new open action was taken as validation data")
	}
	stray := append(withDSS(nil), []byte("\n1 0 obj\n<</Type/Catalog>>\nendobj\n")...)
	if open(stray).validationDataOnly(last) {
		t.Error("an object written outside the cross-reference was taken as validation data")
	}
}
