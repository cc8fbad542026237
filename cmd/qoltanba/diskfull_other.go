//go:build !windows

package main

import (
	"errors"
	"syscall"
)

func isDiskFull(err error) bool { return errors.Is(err, syscall.ENOSPC) }

func isReadOnlyDisk(err error) bool { return errors.Is(err, syscall.EROFS) }
