//go:build !windows

package diskerr

import (
	"errors"
	"syscall"
)

func full(err error) bool { return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) }

func readOnly(err error) bool { return errors.Is(err, syscall.EROFS) }
