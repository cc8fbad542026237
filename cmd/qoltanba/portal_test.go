package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/signer/testpki"
)

// TestPortalCLI: add, login, sync, list, sign, reject, status against the
// reference portal on loopback, and the offline answer.
func TestPortalCLI(t *testing.T) {
	env := portaltest.Start(t, portaltest.Options{NoTSA: true})
	data := t.TempDir()
	key := func(name string) string { return env.PKI.Find(name).P12Path }
	cli := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, stdin, append(args, "--data-dir", data)...)
	}
	if code, out, stderr := cli("", "portal", "add", env.URL); code != 0 || !strings.Contains(out, "TEST portal") || !strings.Contains(out, "TEST portal: nothing") {
		t.Fatalf("add: %d %s %s", code, out, stderr)
	}
	if code, _, stderr := cli("", "portal", "sync"); code != 2 || !strings.Contains(stderr, "log in") {
		t.Fatalf("sync before login: %d %s", code, stderr)
	}
	pw := testpki.DefaultPassword + "\n"
	if code, out, stderr := cli(pw, "portal", "login", "--key", key("gost/individual"), "--password-stdin"); code != 1 || !strings.Contains(stderr, "AUTH") {
		t.Fatalf("login with the signing key: %d %s %s", code, out, stderr)
	}
	code, out, stderr := cli(pw, "portal", "login", "--key", key("gost/individual_auth"), "--password-stdin")
	if code != 0 || !strings.Contains(out, "АБАЕВ АЙДОС") {
		t.Fatalf("login: %d %s %s", code, out, stderr)
	}
	if !strings.Contains(stderr, "qoltanba-portal login") {
		t.Errorf("the consent did not show the challenge: %s", stderr)
	}
	person := env.PKI.Find("gost/individual")
	env.Publish(t, person.IIN, "", "One", "first\n")
	env.Publish(t, person.IIN, "", "Two", "second\n")
	code, out, stderr = cli("", "portal", "sync", "--json")
	var sum struct{ Received []string }
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || len(sum.Received) != 2 {
		t.Fatalf("sync: %d %s %s", code, out, stderr)
	}
	code, out, _ = cli("", "portal", "list", "--json")
	var rows []struct{ ID, Title, Status, Sync string }
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 2 {
		t.Fatalf("list: %d %s", code, out)
	}
	byTitle := map[string]string{}
	for _, r := range rows {
		byTitle[r.Title] = r.ID
	}
	if code, out, stderr := cli(pw, "portal", "sign", byTitle["One"], "--key", key("gost/individual"), "--password-stdin"); code != 0 || !strings.Contains(out, "receipt is stored") {
		t.Fatalf("sign: %d %s %s", code, out, stderr)
	}
	if code, _, stderr := cli(pw, "portal", "reject", byTitle["Two"], "--key", key("gost/individual"), "--password-stdin"); code != 1 || !strings.Contains(stderr, "--reason") {
		t.Fatalf("reject without a reason: %d %s", code, stderr)
	}
	if code, out, stderr := cli(pw, "portal", "reject", byTitle["Two"], "--reason", "wrong sum", "--key", key("gost/individual"), "--password-stdin"); code != 0 || !strings.Contains(out, "Rejected: sent") {
		t.Fatalf("reject: %d %s %s", code, out, stderr)
	}
	code, out, _ = cli("", "portal", "list")
	if code != 0 || !strings.Contains(out, "signed") || !strings.Contains(out, "rejected") {
		t.Fatalf("list after: %s", out)
	}
	code, out, _ = cli("", "portal", "status", "--json")
	var st []struct {
		LoggedIn          bool
		Incoming, Waiting int
		IIN               string
	}
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || len(st) != 1 || !st[0].LoggedIn || st[0].Incoming != 2 || st[0].Waiting != 0 || st[0].IIN != person.IIN {
		t.Fatalf("status: %d %s", code, out)
	}
	if strings.Contains(out, "session") && strings.Contains(out, "token") {
		t.Errorf("status prints the session token: %s", out)
	}
	// Agreements: list, read, accept.
	ag := env.PublishAgreement(t, "", "Terms", map[string]string{"kk": "Ережелер мәтіні.\n", "en": "The terms.\n"})
	code, out, stderr = cli("", "agreements", "list")
	if code != 0 || !strings.Contains(out, ag.Id) || !strings.Contains(out, "kk,en") || !strings.Contains(out, "no") {
		t.Fatalf("agreements list: %d %s %s", code, out, stderr)
	}
	if code, out, _ := cli("", "agreements", "show", ag.Id, "--lang", "kk"); code != 0 || out != "Ережелер мәтіні.\n" {
		t.Fatalf("agreements show: %d %q", code, out)
	}
	if code, _, stderr := cli(pw, "agreements", "accept", ag.Id, "--key", key("gost/individual"), "--password-stdin"); code != 1 || !strings.Contains(stderr, "--lang") {
		t.Fatalf("accept without a language: %d %s", code, stderr)
	}
	code, out, stderr = cli(pw, "agreements", "accept", ag.Id, "--lang", "kk", "--key", key("gost/individual"), "--password-stdin")
	if code != 0 || !strings.Contains(out, "receipt is stored") {
		t.Fatalf("agreements accept: %d %s %s", code, out, stderr)
	}
	if !strings.Contains(stderr, "urn:qoltanba:agreement-acceptance:1") {
		t.Errorf("the consent did not show the statement: %s", stderr)
	}
	if code, out, _ := cli("", "agreements", "list", "--json"); code != 0 || !strings.Contains(out, `"accepted"`) {
		t.Fatalf("agreements list after: %d %s", code, out)
	}
	// The proof of the acceptance: one package with the text, checked offline.
	proof := filepath.Join(t.TempDir(), "terms.evidence.zip")
	root := env.PKI.Root(testpki.FamilyGOST).CertPath
	if code, out, stderr := cli("", "agreements", "export", ag.Id); code != 1 || !strings.Contains(stderr, "-o") {
		t.Fatalf("export without -o: %d %s %s", code, out, stderr)
	}
	if code, out, stderr := cli("", "agreements", "export", "nosuch", "-o", proof); code != 1 || !strings.Contains(stderr, "not accepted") {
		t.Fatalf("export of an agreement not accepted: %d %s %s", code, out, stderr)
	}
	if code, out, stderr := cli("", "agreements", "export", ag.Id, "-o", proof, "--trust", root); code != 0 || !strings.Contains(out, "TOTAL_PASSED") {
		t.Fatalf("agreements export: %d %s %s", code, out, stderr)
	}
	code, out, stderr = cli("", "docs", "verify-package", proof, "--trust", root)
	if code != 0 || !strings.Contains(out, "The accepted text") || !strings.Contains(out, "Package intact") {
		t.Fatalf("verify-package of the proof: %d %s %s", code, out, stderr)
	}
	// A new version: the list says so, and --diff shows what changed.
	env.PublishAgreement(t, ag.Id, "Terms", map[string]string{"kk": "Ережелердің жаңа мәтіні.\n", "en": "The new terms.\n"})
	if code, out, _ := cli("", "agreements", "list"); code != 0 || !strings.Contains(out, "version 1 only") {
		t.Fatalf("list after a new version: %d %s", code, out)
	}
	code, out, stderr = cli("", "agreements", "show", ag.Id, "--diff")
	if code != 0 || !strings.Contains(out, "- Ережелер мәтіні.") || !strings.Contains(out, "+ Ережелердің жаңа мәтіні.") {
		t.Fatalf("--diff: %d %s %s", code, out, stderr)
	}

	// A key reported compromised: refused without --confirm, then marked and the portal told.
	if code, _, stderr := cli(pw, "keys", "compromised", key("gost/individual"), "--password-stdin"); code != 1 || !strings.Contains(stderr, "--confirm") {
		t.Fatalf("compromised without --confirm: %d %s", code, stderr)
	}
	code, out, stderr = cli(pw, "keys", "compromised", key("gost/individual"), "--password-stdin", "--confirm", "--reason", "lost")
	if code != 0 || !strings.Contains(out, "marked compromised") || !strings.Contains(out, ": told") || !strings.Contains(out, "NCA RK") {
		t.Fatalf("compromised: %d %s %s", code, out, stderr)
	}
	env.Publish(t, person.IIN, "", "Three", "third\n")
	cli("", "portal", "sync")
	code, out, _ = cli("", "portal", "list", "--json")
	var after []struct{ ID, Title string }
	if code != 0 || json.Unmarshal([]byte(out), &after) != nil {
		t.Fatalf("list: %d %s", code, out)
	}
	signedThree := false
	for _, r := range after {
		if r.Title == "Three" {
			signedThree = true
			if code, _, stderr := cli(pw, "portal", "sign", r.ID, "--key", key("gost/individual"), "--password-stdin"); code != 1 || !strings.Contains(stderr, "compromised") {
				t.Fatalf("signing with a compromised key: %d %s", code, stderr)
			}
		}
	}
	if !signedThree {
		t.Fatal("the third document did not arrive")
	}
	// The holder asks the portal to resume it, by the certificate's file.
	if code, _, stderr := cli("", "portal", "resumption", person.CertPath); code != 1 || !strings.Contains(stderr, "--reason") {
		t.Fatalf("resumption without a reason: %d %s", code, stderr)
	}
	code, out, stderr = cli("", "portal", "resumption", person.CertPath, "--reason", "found the token")
	if code != 0 || !strings.Contains(out, "operator decides") {
		t.Fatalf("resumption: %d %s %s", code, out, stderr)
	}
	if code, out, _ := cli("", "portal", "compromises"); code != 0 || !strings.Contains(out, "resumption requested") {
		t.Fatalf("compromises: %d %s", code, out)
	}

	// The portal goes away: sync says offline (exit 2) and loses nothing.
	env.HTTP.Close()
	if code, _, stderr := cli("", "portal", "sync"); code != 2 || !strings.Contains(stderr, "cannot be reached") {
		t.Fatalf("offline sync: %d %s", code, stderr)
	}
}
