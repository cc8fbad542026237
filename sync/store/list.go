package store

import (
	"bytes"
	"context"
	"fmt"
	"strings"
)

const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// textIndexValue is a document's idx.text value: state and kind codes, then
// the case-folded searchable text.
func textIndexValue(d *Document) []byte {
	text := strings.ToLower(d.Title + "\x00" + d.Counterparty + "\x00" + d.Name)
	return append([]byte{d.State.code(), d.Kind.code()}, text...)
}

// baseName is the last element of a path written with / or \ (a Windows
// path given on Linux, or the other way round).
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// List returns documents newest first. It walks, backwards from q.After,
// the narrowest bucket for the query (idx.state or idx.kind when given, else
// idx.text) and checks the other conditions against the compact idx.text
// value, decoding a document record only for rows it returns.
func (c *core) List(ctx context.Context, q Query) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	limit = min(limit, maxPageSize)
	var stateCode, kindCode byte
	if q.State != "" {
		if stateCode = q.State.code(); stateCode == stateCodeNone {
			return Page{}, fmt.Errorf("list: unknown state %q", q.State)
		}
	}
	if q.Kind != "" {
		if kindCode = q.Kind.code(); kindCode == kindCodeNone {
			return Page{}, fmt.Errorf("list: unknown kind %q", q.Kind)
		}
	}
	needle := []byte(strings.ToLower(strings.TrimSpace(q.Text)))

	var page Page
	err := c.view(ctx, func(tx kvTx) error {
		text := tx.bucket(bucketIdxText)
		var bucket kvBucket
		var prefix []byte
		switch {
		case stateCode != 0:
			bucket, prefix = tx.bucket(bucketIdxState), []byte{stateCode}
		case kindCode != 0:
			bucket, prefix = tx.bucket(bucketIdxKind), []byte{kindCode}
		default:
			bucket = text
		}
		cur := bucket.cursor()
		// Position on the first key below prefix‖After (or below the end of
		// the prefix's range).
		var k, v []byte
		if q.After.IsZero() {
			end := prefixEnd(prefix)
			if end == nil {
				k, v = cur.last()
			} else if k, _ = cur.seek(end); k == nil {
				k, v = cur.last()
			} else {
				k, v = cur.prev()
			}
		} else {
			if k, _ = cur.seek(append(bytes.Clone(prefix), q.After[:]...)); k == nil {
				k, v = cur.last()
			} else {
				k, v = cur.prev()
			}
		}
		drivingText := stateCode == 0 && kindCode == 0
		scanned := 0
		for ; k != nil && hasPrefix(k, prefix); k, v = cur.prev() {
			if scanned++; scanned%8192 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if len(k) != len(prefix)+len(ID{}) {
				continue
			}
			var id ID
			copy(id[:], k[len(prefix):])
			tv := v // driving idx.text: the value is at hand
			if !drivingText {
				tv = text.get(id[:])
			}
			if len(tv) < 2 {
				continue
			}
			if (stateCode != 0 && tv[0] != stateCode) || (kindCode != 0 && tv[1] != kindCode) ||
				(len(needle) > 0 && !bytes.Contains(tv[2:], needle)) {
				continue
			}
			if len(page.Documents) == limit {
				page.Next = page.Documents[limit-1].ID
				return nil
			}
			d, err := getDoc(tx, id)
			if err != nil {
				return err
			}
			page.Documents = append(page.Documents, d)
		}
		return nil
	})
	if err != nil {
		return Page{}, fmt.Errorf("list documents: %w", err)
	}
	return page, nil
}

// prefixEnd is the smallest key greater than every key with the prefix
// (nil if there is none, i.e. the prefix is empty or all 0xff).
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
