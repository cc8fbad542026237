//go:build !windows

package keyfile

// removableDrives exists on Windows only (drive letters).
func removableDrives() []string { return nil }
