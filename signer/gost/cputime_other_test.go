//go:build !unix

package gost

import "time"

func processCPU() time.Duration { return 0 }
