//go:build !windows

package keyfile

// removableDrives exists on Windows only (drive letters).
func removableDrives() []string { return nil }

// Drives are the roots a file dialog offers: the file system's root and
// the removable media mounted.
func Drives() []string { return append([]string{"/"}, RemovableMedia()...) }
