package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestSigmaCheckBadRules runs sigma check on the small rules of
// testdata/sigma: each bad one is named with the kind of its problem and
// the file, line and column; a condition error shows the condition with a
// caret under the mistake; the summary counts the kinds; the exit code is 1.
func TestSigmaCheckBadRules(t *testing.T) {
	bin := buildLoghunt(t)
	dir := filepath.Join("testdata", "sigma")
	out, errs, code := loghuntRun(t, bin, "sigma", "check", dir)
	if code != 1 || errs != "" {
		t.Fatalf("exit %d, want 1; stderr: %s\n%s", code, errs, out)
	}
	p := func(name string) string { return regexp.QuoteMeta(filepath.Join(dir, name)) }
	for _, want := range []string{
		`(?m)^ok   ` + p("good.yml") + `:1 rule 0a1b2c3d-0000-4000-8000-000000000001 "Whoami run"$`,
		`(?m)^FAIL ` + p("bad_condition.yml") + `:1 rule 0a1b2c3d-0000-4000-8000-000000000002 `,
		`(?m)^     bad-condition ` + p("bad_condition.yml") + `:11:16: condition "selection and not filtr": unknown search identifier "filtr" .*\(condition column 19\)$`,
		`(?m)^     bad-condition ` + p("bad_parens.yml") + `:11:16: condition "\(a and b": missing .*\(condition column 9\)$`,
		`(?m)^     unsupported-modifier ` + p("bad_modifier.yml") + `:8:9: unknown modifier "containz"$`,
		`(?m)^     bad-regex ` + p("bad_regex.yml") + `:8:25: regular expression `,
		`(?m)^FAIL ` + p("bad_yaml.yml") + ` \(the file itself\)\n     yaml ` + p("bad_yaml.yml") + `:\d+: yaml: `,
		`(?m)^ok   ` + p("correlation.yml") + `:1 correlation 0a1b2c3d-0000-4000-8000-000000000007 `,
		`(?m)^     unknown-rule ` + p("correlation.yml") + `:13: rule "no-such-rule" is not loaded$`,
		`(?m)^5 rules, 1 runnable; 2 correlations, 1 runnable; 1 file-level problem; problems: bad-condition 2, bad-regex 1, unknown-rule 1, unsupported-modifier 1, yaml 1$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	// The carets: under "filtr" (column 19) and past the end of "(a and b".
	lines := strings.Split(out, "\n")
	carets := 0
	for i, l := range lines {
		if strings.TrimSpace(l) != "^" || i == 0 {
			continue
		}
		carets++
		cond := lines[i-1]
		col := strings.IndexByte(l, '^')
		switch strings.TrimSpace(cond) {
		case "selection and not filtr":
			if !strings.HasPrefix(cond[col:], "filtr") {
				t.Errorf("caret at %q, want under filtr:\n%s\n%s", cond[min(col, len(cond)):], cond, l)
			}
		case "(a and b":
			if col != len(cond) {
				t.Errorf("caret at column %d, want just past the condition's end (%d)", col, len(cond))
			}
		default:
			t.Errorf("caret under %q", cond)
		}
	}
	if carets != 2 {
		t.Errorf("%d carets, want 2:\n%s", carets, out)
	}

	// -q leaves out what can run.
	out, _, code = loghuntRun(t, bin, "sigma", "check", "-q", dir)
	if code != 1 || strings.Contains(out, "ok   ") || !strings.Contains(out, "FAIL "+filepath.Join(dir, "bad_regex.yml")) {
		t.Errorf("-q: exit %d:\n%s", code, out)
	}
	// Only the good rule: ok, exit 0.
	out, errs, code = loghuntRun(t, bin, "sigma", "check", filepath.Join(dir, "good.yml"))
	if code != 0 || !strings.HasSuffix(out, "\n1 rule, 1 runnable; no problems\n") {
		t.Errorf("good.yml: exit %d\n%s%s", code, out, errs)
	}
}

func TestSigmaCheckUsage(t *testing.T) {
	bin := buildLoghunt(t)
	for _, args := range [][]string{{"sigma"}, {"sigma", "check"}, {"sigma", "frob"}, {"sigma", "check", "--bogus", "x.yml"}} {
		_, errs, code := loghuntRun(t, bin, args...)
		if code != 2 || !strings.Contains(errs, "usage: loghunt sigma check") && !strings.Contains(errs, "sigma") {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errs)
		}
	}
	_, errs, code := loghuntRun(t, bin, "sigma", "check", filepath.Join(t.TempDir(), "none.yml"))
	if code != 1 || !strings.Contains(errs, "none.yml") {
		t.Errorf("a missing file: exit %d, want 1: %s", code, errs)
	}
	_, errs, code = loghuntRun(t, bin, "sigma", "check", "--help")
	if code != 0 || !strings.Contains(errs, "usage: loghunt sigma check") {
		t.Errorf("--help: exit %d: %s", code, errs)
	}
}

// TestSigmaCheckSigmaHQ checks SigmaHQ's rule folders: as many rules as
// files with a detection section (counted here from the text), the
// runnable ones those not listed as FAIL, and the exit code 1 exactly when
// some cannot run.
func TestSigmaCheckSigmaHQ(t *testing.T) {
	root := filepath.Join(shared, "datasets", "sigma")
	var dirs []string
	for _, d := range []string{"rules", "rules-dfir", "rules-emerging-threats", "rules-threat-hunting"} {
		if _, err := os.Stat(filepath.Join(root, d)); err == nil {
			dirs = append(dirs, filepath.Join(root, d))
		}
	}
	if len(dirs) == 0 {
		t.Skip("SigmaHQ rules not available")
	}
	bin := buildLoghunt(t)
	detection := regexp.MustCompile(`(?m)^detection:`)
	files, withDetection := 0, 0
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, de os.DirEntry, err error) error {
			if err == nil && !de.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
				files++
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				withDetection += len(detection.FindAll(b, -1))
			}
			return nil
		})
	}
	out, errs, code := loghuntRun(t, bin, append([]string{"sigma", "check", "-q"}, dirs...)...)
	if errs != "" {
		t.Errorf("stderr: %s", errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	summary := lines[len(lines)-1]
	m := regexp.MustCompile(`^(\d+) rules, (\d+) runnable`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("summary %q", summary)
	}
	n, _ := strconv.Atoi(m[1])
	ok, _ := strconv.Atoi(m[2])
	fails := strings.Count(out, "\nFAIL ")
	if strings.HasPrefix(out, "FAIL ") {
		fails++
	}
	if n != withDetection {
		t.Errorf("%d rules, the %d files have %d detection sections", n, files, withDetection)
	}
	if ok != n-fails {
		t.Errorf("%d runnable of %d, but %d listed as FAIL", ok, n, fails)
	}
	if want := map[bool]int{true: 1, false: 0}[fails > 0]; code != want {
		t.Errorf("exit %d with %d FAIL entries", code, fails)
	}
	// Log sources: the Windows ones of thor.yml, Linux syslog and web
	// access logs, Zeek logs and the proxy and dns categories (on Zeek's
	// http and dns logs) are mapped, and AWS CloudTrail; the other cloud products are not.
	for _, mapped := range []string{"product: windows, category: process_creation", "product: windows, service: security",
		"product: windows, category: ps_script", "product: linux, service: auth", "category: webserver", "product: linux, service: sshd",
		"product: zeek, service: dce_rpc", "product: zeek, service: dns", "category: proxy", "category: dns",
		"product: aws, service: cloudtrail"} {
		if strings.Contains(out, "no log-source mapping for "+mapped+"\n") {
			t.Errorf("%s reported unmapped", mapped)
		}
	}
	um := regexp.MustCompile(`unmapped-logsource (\d+)`).FindStringSubmatch(summary)
	if um == nil || strings.Count(out, "no log-source mapping for product: azure, service: auditlogs\n") == 0 {
		t.Errorf("no unmapped-logsource count, or azure mapped: %s", summary)
	} else if n, _ := strconv.Atoi(um[1]); n != strings.Count(out, "\n     unmapped-logsource ") {
		t.Errorf("summary counts %d unmapped, %d listed", n, strings.Count(out, "\n     unmapped-logsource "))
	}
	t.Logf("%d files: %s", files, summary)
}

// TestSigmaCheckMapping: a rule whose log source no mapping describes is
// reported (unmapped-logsource, counted, exit 1); --mapping adds the log
// source; a bad mapping file is an error naming its line and column.
func TestSigmaCheckMapping(t *testing.T) {
	bin := buildLoghunt(t)
	dir := filepath.Join("testdata", "sigma_map")
	rules := filepath.Join(dir, "app_rule.yml")
	out, errs, code := loghuntRun(t, bin, "sigma", "check", rules)
	if code != 1 || errs != "" || !strings.Contains(out, "     unmapped-logsource "+rules+":1: no log-source mapping for product: payroll, service: audit\n") ||
		!strings.HasSuffix(out, "\n2 rules, 1 runnable; problems: unmapped-logsource 1\n") {
		t.Errorf("exit %d, stderr %q:\n%s", code, errs, out)
	}
	out, errs, code = loghuntRun(t, bin, "sigma", "check", "--mapping", filepath.Join(dir, "payroll.yml"), rules)
	if code != 0 || errs != "" || !strings.HasSuffix(out, "\n2 rules, 2 runnable; no problems\n") {
		t.Errorf("--mapping: exit %d, stderr %q:\n%s", code, errs, out)
	}
	_, errs, code = loghuntRun(t, bin, "sigma", "check", "--mapping", filepath.Join(dir, "bad_mapping.yml"), rules)
	if code != 1 || !strings.Contains(errs, "bad_mapping.yml:7:13: source \"Syslog:payroll\"") {
		t.Errorf("bad mapping: exit %d, stderr %q", code, errs)
	}
}
