//go:build !windows

package bridge

import "errors"

// The Windows Root store exists only on Windows; TrustTargets offers it
// only there.

var errNotWindows = errors.New("the Windows certificate store exists only on Windows")

func windowsCheck(_ *Certificates, t TrustTarget) TrustStatus {
	return TrustStatus{Target: t, Reason: ReasonUnsupported}
}

func windowsInstall(*Certificates) error { return errNotWindows }

func windowsUntrust() error { return errNotWindows }
