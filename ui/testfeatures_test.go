package ui

import (
	"context"

	"github.com/qoltanba/qoltanba/internal/testfeatures"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// The TEST features, as cmd injects them into the real window.

// TestKeyPassword is the welcome TEST key's password.
const TestKeyPassword = testfeatures.Password

func createTestKey(dataDir string) (string, error) { return testfeatures.CreateKey(dataDir) }

func keepTestPKI(dataDir string, p *testpki.PKI) error { return testfeatures.Install(dataDir, p) }

func selfTest(ctx context.Context) *SelfTestResult {
	return (*SelfTestResult)(testfeatures.SelfTest(ctx))
}

// testFeatures is what newTestAppWith gives every test window.
func testFeatures() *TestFeatures {
	return &TestFeatures{CreateKey: createTestKey, Password: TestKeyPassword, SelfTest: selfTest}
}
