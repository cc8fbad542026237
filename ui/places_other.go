//go:build !windows

package ui

import "github.com/qoltanba/qoltanba/signer/keyfile"

// drivePlaces are the file system's root and the removable media mounted.
func drivePlaces() []string { return append([]string{"/"}, keyfile.RemovableMedia()...) }
