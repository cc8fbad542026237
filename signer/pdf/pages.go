package pdf

import (
	"errors"
	"fmt"
)

// maxPages bounds the page tree walk.
const maxPages = 1 << 20

// Catalog is the document catalog (the trailer's /Root) and its number.
func (f *File) Catalog() (Dict, Ref, error) {
	ref, _ := f.Trailer["Root"].(Ref)
	d, err := f.Dict(ref)
	if err != nil {
		return nil, ref, err
	}
	if d == nil {
		return nil, ref, fmt.Errorf("%w: the catalog (object %d) is missing", ErrDamaged, ref.Num)
	}
	return d, ref, nil
}

// Page finds page n (1-based; negative counts from the end, -1 the last):
// its dictionary and reference.
func (f *File) Page(n int) (Dict, Ref, error) {
	if n < 0 {
		count, err := f.PageCount()
		if err != nil {
			return nil, Ref{}, err
		}
		if n+count+1 < 1 {
			return nil, Ref{}, fmt.Errorf("%w: %d from the end of %d", ErrNoPage, -n, count)
		}
		n += count + 1
	}
	cat, _, err := f.Catalog()
	if err != nil {
		return nil, Ref{}, err
	}
	root, ok := cat["Pages"].(Ref)
	if !ok {
		return nil, Ref{}, fmt.Errorf("%w: the catalog has no page tree", ErrDamaged)
	}
	count := 0
	visited := map[int]bool{}
	var walk func(ref Ref, depth int) (Dict, Ref, error)
	walk = func(ref Ref, depth int) (Dict, Ref, error) {
		if depth > maxDepth || visited[ref.Num] || len(visited) > maxPages {
			return nil, Ref{}, fmt.Errorf("%w: the page tree loops or is too deep", ErrDamaged)
		}
		visited[ref.Num] = true
		node, err := f.Dict(ref)
		if err != nil || node == nil {
			return nil, Ref{}, fmt.Errorf("%w: page tree node %d: %v", ErrDamaged, ref.Num, err)
		}
		if node["Type"] == Name("Page") || node["Kids"] == nil {
			count++
			if count == n {
				return node, ref, nil
			}
			return nil, Ref{}, nil
		}
		// Skip whole subtrees by their /Count.
		if c, ok := node["Count"].(Int); ok && depth > 0 && count+int(c) < n {
			count += int(c)
			return nil, Ref{}, nil
		}
		kids, err := f.Array(node["Kids"])
		if err != nil {
			return nil, Ref{}, err
		}
		for _, k := range kids {
			kr, ok := k.(Ref)
			if !ok {
				continue
			}
			d, r, err := walk(kr, depth+1)
			if err != nil || d != nil {
				return d, r, err
			}
		}
		return nil, Ref{}, nil
	}
	d, r, err := walk(root, 0)
	if err != nil {
		return nil, Ref{}, err
	}
	if d == nil {
		return nil, Ref{}, fmt.Errorf("%w: the document has %d pages, not %d", ErrNoPage, count, n)
	}
	return d, r, nil
}

// ErrNoPage: the page asked for is not in the document.
var ErrNoPage = errors.New("pdf: no such page")

// PageCount counts the pages (the root's /Count, checked for sense).
func (f *File) PageCount() (int, error) {
	cat, _, err := f.Catalog()
	if err != nil {
		return 0, err
	}
	root, err := f.Dict(cat["Pages"])
	if err != nil || root == nil {
		return 0, fmt.Errorf("%w: no page tree", ErrDamaged)
	}
	c, ok := root["Count"].(Int)
	if !ok || c < 0 || c > maxPages {
		return 0, fmt.Errorf("%w: the page tree's /Count", ErrDamaged)
	}
	return int(c), nil
}
