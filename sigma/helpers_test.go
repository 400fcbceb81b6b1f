package sigma

import (
	"strings"
	"testing"
)

// mapEvent is an Event over a map; raw is its raw text.
type mapEvent struct {
	f   map[string]string
	raw string
}

func (e mapEvent) Get(k string) (string, bool) { v, ok := e.f[k]; return v, ok }
func (e mapEvent) Raw() string                 { return e.raw }

func ev(kv ...string) mapEvent {
	e := mapEvent{f: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		e.f[kv[i]] = kv[i+1]
	}
	return e
}

func rawEv(raw string) mapEvent { return mapEvent{f: map[string]string{}, raw: raw} }

// ruleYAML wraps a detection (indented YAML lines) into a rule document.
func ruleYAML(detection string) string {
	var b strings.Builder
	b.WriteString("title: test\nid: 00000000-0000-0000-0000-000000000001\nlogsource:\n    product: test\ndetection:\n")
	for _, l := range strings.Split(strings.Trim(detection, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

func compileRule(t *testing.T, detection string, opts Options) *Rule {
	t.Helper()
	col := Parse("test.yml", []byte(ruleYAML(detection)), opts)
	if len(col.Problems) > 0 || len(col.Rules) != 1 {
		t.Fatalf("parse: %v (%d rules)", col.Problems, len(col.Rules))
	}
	return col.Rules[0]
}
