package sigma

import (
	"testing"
	"time"
)

// FuzzParse feeds arbitrary documents: parsing, linking, matching and
// correlating must never panic.
func FuzzParse(f *testing.F) {
	f.Add(ruleYAML("sel:\n    F|contains|all:\n        - a\n        - b\ncondition: sel"))
	f.Add(ruleYAML("sel:\n    F|base64offset|contains: x\nk:\n    - 'a\\*'\ncondition: 1 of them and not k"))
	f.Add(specChain)
	f.Add(aliasChain)
	f.Add(filterRules)
	f.Add(globalCollection)
	f.Add("title: x\ndetection: [a\n")
	f.Fuzz(func(t *testing.T, doc string) {
		set := NewSet(Parse("fuzz.yml", []byte(doc), Options{Placeholders: map[string][]string{"p": {"a*"}}}))
		_ = set.Check()
		e := ev("F", "abc", "G", "10", "User", "u")
		e.raw = "abc def"
		for _, r := range set.Rules {
			r.Match(e)
			if r.Expr != nil {
				String(r.Expr)
				RequiredTokens(r.Expr, func(string) bool { return true })
			}
		}
		eng := NewEngine(set)
		for i, r := range set.Rules {
			if r.CanRun() {
				eng.Feed(r, t0.Add(time.Duration(i)*time.Second), e, i)
			}
		}
		eng.Flush()
	})
}
