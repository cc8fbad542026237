//go:build !windows

package diskerr

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
)

func TestRecognised(t *testing.T) {
	wrap := func(e error) error {
		return fmt.Errorf("add document: %w", &fs.PathError{Op: "write", Path: "/data/qoltanba.db", Err: e})
	}
	for _, tc := range []struct {
		name           string
		err            error
		full, readOnly bool
	}{
		{"no space", wrap(syscall.ENOSPC), true, false},
		{"quota", wrap(syscall.EDQUOT), true, false},
		{"read-only", wrap(syscall.EROFS), false, true},
		{"permission", wrap(syscall.EACCES), false, false},
		{"other", errors.New("broken"), false, false},
		{"nil", nil, false, false},
	} {
		if Full(tc.err) != tc.full || ReadOnly(tc.err) != tc.readOnly {
			t.Errorf("%s: Full %v ReadOnly %v, want %v %v", tc.name, Full(tc.err), ReadOnly(tc.err), tc.full, tc.readOnly)
		}
	}
}
