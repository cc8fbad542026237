package core_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/qoltanba/qoltanba/"

// TestLayering checks the arrows of the design: no production package but
// cmd's test features depends on signer/testpki, and the core depends on no
// GUI toolkit (so the bridge and the sync can use it headless).
func TestLayering(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH to list dependencies")
	}
	// Packages that exist for tests, or that are test material themselves.
	testOnly := map[string]bool{
		"signer/testpki": true, "internal/testfeatures": true, "internal/softhsmtest": true,
		"internal/sharedtest": true, "signer/gost/enginetest": true,
		"cmd/qoltanba-portal/portaltest": true, "internal/pgtest": true, "internal/verifytest": true,
	}
	out, err := exec.Command(goTool, "list", "-f", `{{.ImportPath}}:{{join .Deps " "}}`, module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, ":")
		rel := strings.TrimPrefix(pkg, module)
		if testOnly[rel] || strings.HasPrefix(rel, "cmd/") {
			continue
		}
		checked++
		for _, d := range strings.Fields(deps) {
			if d == module+"signer/testpki" {
				t.Errorf("%s depends on signer/testpki: inject TEST features from cmd", rel)
			} else if testOnly[strings.TrimPrefix(d, module)] {
				t.Errorf("%s depends on the test support package %s", rel, strings.TrimPrefix(d, module))
			}
			if rel == "internal/core" && strings.HasPrefix(d, "fyne.io/") {
				t.Errorf("the core depends on %s: it must stay free of the GUI toolkit", d)
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d packages listed", checked)
	}
}
