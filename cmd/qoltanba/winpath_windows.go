package main

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// changeUserPath edits HKCU\Environment\Path and tells running programs
// (Explorer, new consoles) that the environment changed.
func changeUserPath(dir string, add bool) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, `Environment`, registry.QUERY_VALUE|registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open the user's environment: %w", err)
	}
	defer k.Close()
	cur, _, err := k.GetStringValue("Path")
	if err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("read the user's PATH: %w", err)
	}
	next := withPathEntry(cur, dir, add)
	if next == cur {
		return nil
	}
	if err := k.SetExpandStringValue("Path", next); err != nil {
		return fmt.Errorf("write the user's PATH: %w", err)
	}
	env, _ := windows.UTF16PtrFromString("Environment")
	const hwndBroadcast, wmSettingChange, smtoAbortIfHung = 0xffff, 0x1a, 0x2
	var result uintptr
	windows.NewLazySystemDLL("user32.dll").NewProc("SendMessageTimeoutW").Call(
		hwndBroadcast, wmSettingChange, 0, uintptr(unsafe.Pointer(env)), smtoAbortIfHung, 2000, uintptr(unsafe.Pointer(&result)))
	return nil
}
