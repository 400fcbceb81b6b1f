package sigma

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// asciiLowered lowers the ASCII letters of s only (what LitScanner
// compares with).
func asciiLowered(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerByte(c)
	}
	return string(b)
}

// randWords returns a maker of random words of n bytes of alpha.
func randWords(rng *rand.Rand, alpha string) func(n int) string {
	return func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alpha[rng.IntN(len(alpha))])
		}
		return b.String()
	}
}

// TestLitScannerOracle compares the automaton with strings.Contains on
// random literal sets and texts over a small alphabet (so that literals
// overlap, nest and share suffixes), upper case and non-ASCII bytes
// included in the texts.
func TestLitScannerOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := randWords(rng, "abAB/.=%1 é")
	for round := range 400 {
		var lits []string
		for range 1 + rng.IntN(30) {
			l := asciiLowered(strings.Map(func(r rune) rune {
				if r >= 0x80 {
					return 'a'
				}
				return r
			}, word(1+rng.IntN(6))))
			lits = append(lits, l)
		}
		sc := NewLitScanner(lits)
		for range 30 {
			text := word(rng.IntN(60))
			got := map[int32]bool{}
			sc.Scan(text, func(l int32) { got[l] = true })
			low := asciiLowered(text)
			for i, l := range lits {
				if want := strings.Contains(low, l); got[int32(i)] != want {
					t.Fatalf("round %d: literal %q in %q: scanner %v, strings.Contains %v (literals %q)", round, l, text, got[int32(i)], want, lits)
				}
			}
		}
	}
}

// TestNeedOracle checks the promise of NeedOf: whenever a rule matches an
// event, the event's values hold the rule's literals. Every SigmaHQ rule
// on every regression sample and on variants of it (upper-cased, with
// non-ASCII around the values).
func TestNeedOracle(t *testing.T) {
	set := cachedRules(t)
	events := regressionEvents(t)
	checked, withNeed := 0, 0
	for _, r := range set.Rules {
		if r.CanRun() && NeedOf(r.Expr) != nil {
			withNeed++
		}
	}
	for _, e := range events {
		for _, r := range set.Rules {
			if !r.CanRun() || !Eval(r.Expr, e) {
				continue
			}
			checked++
			has := func(field, lit string) bool {
				var v string
				if field == "" {
					v = e.Raw()
				} else {
					var ok bool
					if v, ok = e.Get(field); !ok {
						return false
					}
				}
				return strings.Contains(asciiLowered(v), lit)
			}
			if !NeedOf(r.Expr).Holds(has) {
				t.Errorf("rule %s matches an event its literal need rejects", r.Ref())
			}
		}
	}
	t.Logf("%d rules with a literal need of %d; %d matches checked", withNeed, len(set.Rules), checked)
	if checked < 200 || withNeed < len(set.Rules)/2 {
		t.Errorf("only %d matches checked, %d rules with a need", checked, withNeed)
	}
}

func TestNeedOf(t *testing.T) {
	r := compileRule(t, "a:\n    F|contains: 'One'\n    G: 'x*y'\nb:\n    - 'kw'\n    - 'Other'\ncondition: a and b and not c\nc:\n    H: 'zz'", Options{})
	n := NeedOf(r.Expr)
	has := func(want ...string) func(string, string) bool {
		return func(f, l string) bool {
			for _, w := range want {
				if w == f+"="+l {
					return true
				}
			}
			return false
		}
	}
	if !n.Holds(has("F=one", "G=x", "=kw")) || !n.Holds(has("F=one", "G=x", "=other")) {
		t.Errorf("need %+v rejects a match", n)
	}
	if n.Holds(has("F=one", "G=x")) || n.Holds(has("G=x", "=kw")) {
		t.Errorf("need %+v accepts what cannot match", n)
	}
	r = compileRule(t, "a:\n    F|re: 'one'\ncondition: a", Options{})
	if NeedOf(r.Expr) != nil {
		t.Error("a regex promised a literal")
	}
	r = compileRule(t, "a:\n    EventID: 4688\ncondition: a", Options{})
	if NeedOf(r.Expr) != nil {
		t.Error("a number promised a literal")
	}
}

// regressionEvents reads every regression sample's JSON events, with
// variants of the first ones (upper-cased; with non-ASCII around the
// values).
func regressionEvents(t *testing.T) []Event {
	root := sigmaDir(t, "regression_data")
	var events []*jsonEvent
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") {
			events = append(events, readJSONEvents(t, p)...)
		}
		return nil
	})
	var out []Event
	for i, e := range events {
		out = append(out, e)
		if i >= 30 {
			continue
		}
		for _, f := range []func(string) string{strings.ToUpper, func(s string) string { return "É" + s + "ß" }} {
			v := &jsonEvent{fields: map[string]string{}, order: e.order}
			for k, x := range e.fields {
				v.fields[k] = f(x)
			}
			out = append(out, v)
		}
	}
	return out
}

// webKeywordLiterals are the keyword (_raw) literals of SigmaHQ's webserver rules.
func webKeywordLiterals(t testing.TB) []string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "datasets", "sigma", "rules", "web", "webserver_generic")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("webserver rules not available")
	}
	set, err := Load(Options{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var lits []string
	var walk func(n *Need)
	walk = func(n *Need) {
		if n == nil {
			return
		}
		if n.Kind == NeedLit && n.Field == "" && !seen[n.Lit] {
			seen[n.Lit] = true
			lits = append(lits, n.Lit)
		}
		for _, a := range n.Args {
			walk(a)
		}
	}
	for _, r := range set.Rules {
		if r.CanRun() {
			walk(NeedOf(r.Expr))
		}
	}
	return lits
}

// TestLitScannerRows: ScanRows finds in each row what Scan finds, on
// random rows of random lengths (empty ones too, so the four lanes run
// out at different times) and counts of rows around the lane split.
func TestLitScannerRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	word := randWords(rng, "abAB/.=%1 ")
	for round := range 300 {
		var lits []string
		for range 1 + rng.IntN(20) {
			lits = append(lits, asciiLowered(word(1+rng.IntN(5))))
		}
		sc := NewLitScanner(lits)
		rows := make([]string, rng.IntN(70))
		for i := range rows {
			if rng.IntN(5) > 0 {
				rows[i] = word(rng.IntN(40))
			}
		}
		type hit struct {
			row int
			lit int32
		}
		want := map[hit]bool{}
		for r, text := range rows {
			sc.Scan(text, func(l int32) { want[hit{r, l}] = true })
		}
		got := map[hit]bool{}
		sc.ScanRows(rows, func(r int, l int32) { got[hit{r, l}] = true })
		if len(got) != len(want) {
			t.Fatalf("round %d: %d hits, Scan %d (rows %q, literals %q)", round, len(got), len(want), rows, lits)
		}
		for h := range want {
			if !got[h] {
				t.Fatalf("round %d: row %d literal %q missed", round, h.row, lits[h.lit])
			}
		}
	}
}
