//go:build unix

package gost

import (
	"syscall"
	"time"
)

// processCPU returns the process's user+system CPU time. Benchmarks report
// it per operation because wall time is unreliable on a shared CI machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
