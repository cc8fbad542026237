package ui

import "context"

// TestFeatures are what cmd gives the window for trying Qoltanba without a
// real key (internal/testfeatures makes them); nil shows neither.
type TestFeatures struct {
	// CreateKey makes the welcome's TEST key in the data folder and
	// returns its path; Password is its password, shown with it.
	CreateKey func(dataDir string) (string, error)
	Password  string
	// SelfTest signs and verifies with a throw-away test key (About).
	SelfTest func(ctx context.Context) *SelfTestResult
}
