package ingest

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"loghunt/store"
)

// testOpt are the options the format tests parse with.
var testOpt = Options{Loc: time.UTC, Year: 2025}

func newTestParser(t testing.TB, name string, head []string) Parser {
	t.Helper()
	f, ok := Lookup(name)
	if !ok {
		t.Fatalf("no format %q", name)
	}
	p, err := f.NewParser(head, testOpt)
	if err != nil {
		t.Fatalf("%s.NewParser: %v", name, err)
	}
	return p
}

func parseLine(p Parser, line string) (store.Event, bool, error) {
	ev := store.Event{Raw: line}
	hasTime, err := p.Parse(line, &ev)
	return ev, hasTime, err
}

// val turns a Go value into the store.Value a test expects.
func val(v any) store.Value {
	switch v := v.(type) {
	case nil:
		return store.Null
	case string:
		return store.Str(v)
	case int:
		return store.Int(int64(v))
	case float64:
		return store.Float(v)
	case bool:
		return store.Bool(v)
	case store.Value:
		return v
	}
	panic(fmt.Sprintf("BUG: val(%T)", v))
}

// checkFields asserts that ev has each wanted field with its value, and
// that none of the absent names is a field.
func checkFields(t *testing.T, ev store.Event, want map[string]any, absent ...string) {
	t.Helper()
	have := map[string]store.Value{}
	for _, f := range ev.Fields {
		if _, dup := have[f.Name]; !dup {
			have[f.Name] = f.Value
		}
	}
	for name, w := range want {
		got, ok := have[name]
		if !ok {
			t.Errorf("%q: no field %s (have %v)", ev.Raw, name, ev.Fields)
			continue
		}
		if wv := val(w); got != wv {
			t.Errorf("%q: %s = %#v, want %#v", ev.Raw, name, got, wv)
		}
	}
	for _, name := range absent {
		if _, ok := have[name]; ok {
			t.Errorf("%q: unexpected field %s = %#v", ev.Raw, name, have[name])
		}
	}
}

func checkTime(t *testing.T, ev store.Event, hasTime bool, want string) {
	t.Helper()
	if want == "" {
		if hasTime {
			t.Errorf("%q: has time %v, want none", ev.Raw, store.FormatTime(ev.Time))
		}
		return
	}
	if !hasTime || store.FormatTime(ev.Time) != want {
		t.Errorf("%q: time %s (hasTime %v), want %s", ev.Raw, store.FormatTime(ev.Time), hasTime, want)
	}
}

// fixtureLines reads a file of ingest/testdata as lines.
func fixtureLines(t testing.TB, name string) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func classifyAll(p Parser, lines ...string) []LineKind {
	var kinds []LineKind
	for _, l := range lines {
		kinds = append(kinds, p.Classify([]byte(l)))
	}
	return kinds
}
