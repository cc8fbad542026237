//go:build !linux

package bridge

// portHolder is not known on this system (Windows' owner lookup lands
// with the Windows build): the error says "another program".
func portHolder(string) string { return "" }
