//go:build !windows

package main

func changeUserPath(string, bool) error { return errNoUserPath }
