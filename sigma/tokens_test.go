package sigma

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func rawTokens(raw string) map[string]bool {
	set := map[string]bool{}
	for i := 0; i < len(raw); {
		if !isTokenByte(raw[i]) {
			i++
			continue
		}
		j := i
		for j < len(raw) && isTokenByte(raw[j]) {
			j++
		}
		set[strings.ToLower(raw[i:j])] = true // ASCII lowering as the store does for ASCII tokens
		i = j
	}
	return set
}

func TestRequiredTokens(t *testing.T) {
	all := func(string) bool { return true }
	tests := []struct {
		detection string
		want      []string
	}{
		{"sel:\n    Image|endswith: '\\whoami.exe'\ncondition: sel", []string{"exe", "whoami"}},
		{"sel:\n    Image|contains: 'whoami.exe'\ncondition: sel", nil}, // both runs touch an open edge
		{"sel:\n    CommandLine|contains: ' -nop -w hidden '\ncondition: sel", []string{"hidden", "nop", "w"}},
		{"sel:\n    F: 'Failed password'\ncondition: sel", []string{"failed", "password"}},
		{"sel:\n    F|startswith: 'Failed pass'\ncondition: sel", []string{"failed"}},
		{"sel:\n    EventID: 4688\ncondition: sel", nil}, // may match 0x1250
		{"sel:\n    F:\n        - 'a b c'\n        - 'x b y'\ncondition: sel", []string{"b"}},
		{"a:\n    F: 'one two'\nb:\n    G: 'three'\ncondition: a and not b", []string{"one", "two"}},
		{"a:\n    F: 'one'\nb:\n    G: 'three'\ncondition: a or b", nil},
		{"kw:\n    - 'event::clear'\ncondition: kw", nil},
		{"kw:\n    - ' mimikatz '\ncondition: kw", []string{"mimikatz"}},
		{"sel:\n    F|windash|contains: ' -enc '\ncondition: sel", nil}, // the en dash variants glue to enc
		{"sel:\n    F: 'café au lait'\ncondition: sel", []string{"au", "lait"}},
		{"sel:\n    F|re: 'foo bar'\ncondition: sel", nil},
	}
	for _, tc := range tests {
		r := compileRule(t, tc.detection, Options{})
		got := RequiredTokens(r.Expr, all)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.detection, got, tc.want)
		}
	}
	r := compileRule(t, "sel:\n    F: 'Failed password'\ncondition: sel", Options{})
	if got := RequiredTokens(r.Expr, func(string) bool { return false }); got != nil {
		t.Errorf("fields not in raw still gave tokens %q", got)
	}
	r = compileRule(t, "a:\n    F: 'one'\nb:\n    G: 'three'\ncondition: a or b", Options{})
	plan := TokenPlan(r.Expr, all)
	if plan == nil || !plan.Or || plan.Eval(func(s string) bool { return s == "two" }) || !plan.Eval(func(s string) bool { return s == "three" }) {
		t.Errorf("or plan %+v", plan)
	}
}

// TestTokenPlanOracle checks the promise behind TokenPlan: whenever a
// rule matches an event, the event's raw text (here the field values
// joined by newlines, so every field is in the raw text) satisfies the
// rule's token plan. It runs the regression samples against every
// SigmaHQ rule and the modifier table cases.
func TestTokenPlanOracle(t *testing.T) {
	all := func(string) bool { return true }
	checked := 0
	check := func(r *Rule, e Event, what string) {
		toks := rawTokens(e.Raw())
		if !TokenPlan(r.Expr, all).Eval(func(s string) bool { return toks[s] }) {
			t.Errorf("%s: rule %s matches but its token plan rejects the raw text (tokens %v)", what, r.Ref(), RequiredTokens(r.Expr, all))
		}
		checked++
	}
	root := sigmaDir(t, "regression_data")
	set := cachedRules(t)
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	for _, f := range files {
		for _, e := range readJSONEvents(t, f) {
			for _, r := range set.Rules {
				if r.CanRun() && r.Match(e) {
					check(r, e, f)
				}
			}
		}
	}
	t.Logf("%d matches checked", checked)
	if checked < 200 {
		t.Errorf("only %d matches checked", checked)
	}
}

// evalPlain is Eval without the shared-input fast path of Or.
func evalPlain(n Node, e Event) bool {
	switch n := n.(type) {
	case *And:
		for _, a := range n.Args {
			if !evalPlain(a, e) {
				return false
			}
		}
		return true
	case *Or:
		for _, a := range n.Args {
			if evalPlain(a, e) {
				return true
			}
		}
		return false
	case *Not:
		return !evalPlain(n.Arg, e)
	}
	return Eval(n, e)
}

// TestSharedOrOracle checks the Or fast path against the plain
// evaluation: every SigmaHQ rule on every regression sample, and on
// variants of each sample's values (upper-cased, with non-ASCII).
func TestSharedOrOracle(t *testing.T) {
	set := cachedRules(t)
	root := sigmaDir(t, "regression_data")
	var events []*jsonEvent
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") {
			events = append(events, readJSONEvents(t, p)...)
		}
		return nil
	})
	var variants []*jsonEvent
	for _, e := range events[:min(len(events), 15)] {
		for _, f := range []func(string) string{strings.ToUpper, func(s string) string { return "É" + s + "ß" }} {
			v := &jsonEvent{fields: map[string]string{}, order: e.order}
			for k, x := range e.fields {
				v.fields[k] = f(x)
			}
			variants = append(variants, v)
		}
	}
	events = append(events, variants...)
	matches := 0
	for _, e := range events {
		for _, r := range set.Rules {
			if !r.CanRun() {
				continue
			}
			got, want := Eval(r.Expr, e), evalPlain(r.Expr, e)
			if got != want {
				t.Fatalf("rule %s: fast path %v, plain %v", r.Ref(), got, want)
			}
			if got {
				matches++
			}
		}
	}
	t.Logf("%d events x %d rules, %d matches, fast path equal", len(events), len(set.Rules), matches)
}
