package sigma

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

// jsonEvent is an event of SigmaHQ's regression samples as rendered to
// JSON (evtx_dump layout), flattened the way Sigma names Windows fields:
// Event.System.X -> X, attributes of System elements -> Element_Attr
// (Provider_Name, Execution_ProcessID), Event.EventData.Name -> Name,
// Event.UserData.<Element>.Name -> Name, with spaces taken out of names
// ("Source Name" -> SourceName, as the specification's field usage
// says). A null System element is
// absent; a null EventData value is present and empty (<Data Name="X"/>).
// Raw is the field values joined by newlines (a stand-in for the XML the
// EVTX reader will give, without XML escaping).
type jsonEvent struct {
	fields map[string]string
	order  []string
	rename map[string]string // Sigma field -> event field (thor.yml fieldmappings)
}

func (e *jsonEvent) Get(f string) (string, bool) {
	if r, ok := e.rename[f]; ok {
		f = r
	}
	v, ok := e.fields[f]
	return v, ok
}

func (e *jsonEvent) Raw() string {
	var b strings.Builder
	for _, k := range e.order {
		b.WriteString(e.fields[k])
		b.WriteByte('\n')
	}
	return b.String()
}

func (e *jsonEvent) set(k, v string) {
	if _, dup := e.fields[k]; !dup {
		e.order = append(e.order, k)
	}
	e.fields[k] = v
}

func jsonScalar(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return fmt.Sprint(x), true
	case []any:
		parts := make([]string, 0, len(x))
		for _, p := range x {
			if s, ok := jsonScalar(p); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ","), true
	}
	return "", false
}

func flattenEvent(obj map[string]any) *jsonEvent {
	e := &jsonEvent{fields: map[string]string{}}
	ev, _ := obj["Event"].(map[string]any)
	if sys, ok := ev["System"].(map[string]any); ok {
		for _, k := range sortedKeys(sys) {
			switch v := sys[k].(type) {
			case map[string]any:
				if attrs, ok := v["#attributes"].(map[string]any); ok {
					for _, a := range sortedKeys(attrs) {
						if s, ok := jsonScalar(attrs[a]); ok {
							e.set(k+"_"+a, s)
						}
					}
				}
				if s, ok := jsonScalar(v["#text"]); ok {
					e.set(k, s)
				}
			default:
				if s, ok := jsonScalar(v); ok {
					e.set(k, s)
				}
			}
		}
	}
	data := func(m map[string]any) {
		for _, k := range sortedKeys(m) {
			if k == "#attributes" {
				continue
			}
			name := strings.ReplaceAll(k, " ", "") // "Source Name" -> SourceName, as the specification says
			if s, ok := jsonScalar(m[k]); ok {
				e.set(name, s)
			} else if m[k] == nil {
				e.set(name, "")
			}
		}
	}
	if ed, ok := ev["EventData"].(map[string]any); ok {
		data(ed)
	}
	if ud, ok := ev["UserData"].(map[string]any); ok {
		for _, k := range sortedKeys(ud) {
			if inner, ok := ud[k].(map[string]any); ok {
				data(inner)
			}
		}
	}
	return e
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func readJSONEvents(t *testing.T, path string) []*jsonEvent {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []*jsonEvent
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch x := v.(type) {
		case map[string]any:
			out = append(out, flattenEvent(x))
		case []any:
			for _, o := range x {
				if m, ok := o.(map[string]any); ok {
					out = append(out, flattenEvent(m))
				}
			}
		}
	}
	return out
}

// thorSource is one logsource entry of SigmaHQ's tests/thor.yml.
type thorSource struct {
	Category      string            `yaml:"category"`
	Product       string            `yaml:"product"`
	Service       string            `yaml:"service"`
	Conditions    map[string]any    `yaml:"conditions"`
	Fieldmappings map[string]string `yaml:"fieldmappings"`
	Sources       []string          `yaml:"sources"`
}

func loadThor(t *testing.T) []thorSource {
	data, err := os.ReadFile(filepath.Join(sigmaDir(t, "tests"), "thor.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Logsources map[string]thorSource `yaml:"logsources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(doc.Logsources))
	for k := range doc.Logsources {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]thorSource, 0, len(keys))
	for _, k := range keys {
		out = append(out, doc.Logsources[k])
	}
	return out
}

// thorRename returns the field renames thor.yml gives for the rule's
// logsource on this event (Security 4688: Image -> NewProcessName).
func thorRename(srcs []thorSource, r *Rule, e *jsonEvent) map[string]string {
	for _, s := range srcs {
		if s.Category == "" || s.Category != r.Logsource.Category || len(s.Fieldmappings) == 0 {
			continue
		}
		if id, ok := s.Conditions["EventID"]; ok && fmt.Sprint(id) != e.fields["EventID"] {
			continue
		}
		return s.Fieldmappings
	}
	return nil
}

type regressionCase struct {
	dir, ruleID, title string
}

func regressionCases(t *testing.T) []regressionCase {
	root := sigmaDir(t, "regression_data")
	var out []regressionCase
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.Name() != "info.yml" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var info struct {
			RuleMetadata []struct {
				ID    string `yaml:"id"`
				Title string `yaml:"title"`
			} `yaml:"rule_metadata"`
		}
		if err := yaml.Unmarshal(data, &info); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, m := range info.RuleMetadata {
			out = append(out, regressionCase{dir: filepath.Dir(path), ruleID: m.ID, title: m.Title})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].dir < out[j].dir })
	return out
}

var (
	rulesOnce sync.Once
	rulesSet  *Set
	rulesErr  error
)

// cachedRules loads the SigmaHQ rules once for all tests.
func cachedRules(t *testing.T) *Set {
	t.Helper()
	sigmaDir(t, "rules")
	rulesOnce.Do(func() { rulesSet, rulesErr = loadAllRulesErr() })
	if rulesErr != nil {
		t.Fatal(rulesErr)
	}
	return rulesSet
}

func loadAllRules(t *testing.T) *Set { return cachedRules(t) }

func loadAllRulesErr() (*Set, error) {
	base := ""
	for _, b := range []string{"../../shared/datasets/sigma", "../../../shared/datasets/sigma", "/work/shared/datasets/sigma"} {
		if _, err := os.Stat(filepath.Join(b, "rules")); err == nil {
			base = b
			break
		}
	}
	var dirs []string
	for _, d := range []string{"rules", "rules-emerging-threats", "rules-threat-hunting", "rules-dfir"} {
		p := filepath.Join(base, d)
		if _, err := os.Stat(p); err == nil {
			dirs = append(dirs, p)
		}
	}
	return Load(Options{}, dirs...)
}

// TestRegressionJSON matches each of SigmaHQ's regression samples (the
// JSON rendering; the .raw sample for the one raw test) against the rule
// its info.yml names. Every case must pass.
func TestRegressionJSON(t *testing.T) {
	cases := regressionCases(t)
	set := loadAllRules(t)
	thor := loadThor(t)
	pass := 0
	var failures []string
	for _, c := range cases {
		r, _ := set.Lookup(c.ruleID).(*Rule)
		if r == nil {
			failures = append(failures, fmt.Sprintf("%s: rule %s not found", c.dir, c.ruleID))
			continue
		}
		if !r.CanRun() {
			failures = append(failures, fmt.Sprintf("%s: rule %s cannot run: %v", c.dir, c.ruleID, r.Problems))
			continue
		}
		var events []*jsonEvent
		jsons, _ := filepath.Glob(filepath.Join(c.dir, "*.json"))
		for _, j := range jsons {
			events = append(events, readJSONEvents(t, j)...)
		}
		raws, _ := filepath.Glob(filepath.Join(c.dir, "*.raw"))
		for _, rf := range raws {
			data, err := os.ReadFile(rf)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				events = append(events, &jsonEvent{fields: map[string]string{"_raw": line}, order: []string{"_raw"}})
			}
		}
		if len(events) == 0 {
			failures = append(failures, fmt.Sprintf("%s: no sample", c.dir))
			continue
		}
		matched := 0
		for _, e := range events {
			e.rename = thorRename(thor, r, e)
			if r.Match(e) {
				matched++
			}
		}
		if matched == 0 {
			failures = append(failures, fmt.Sprintf("%s: rule %s (%s) matches none of %d events", c.dir, c.ruleID, c.title, len(events)))
			continue
		}
		pass++
	}
	t.Logf("regression samples from JSON: %d of %d pass", pass, len(cases))
	for _, f := range failures {
		t.Error(f)
	}
}

// thorApplies is a minimal log-source check after thor.yml: the rule's
// category must be one whose conditions hold on the event, and its
// service one whose channels hold the event's Channel.
func thorApplies(srcs []thorSource, r *Rule, e *jsonEvent) bool {
	ls := r.Logsource
	if ls.Product != "windows" {
		return false
	}
	channelOf := func(service string) bool {
		for _, s := range srcs {
			if s.Service == service && s.Category == "" && len(s.Sources) > 0 {
				for _, src := range s.Sources {
					if strings.TrimPrefix(src, "WinEventLog:") == e.fields["Channel"] {
						return true
					}
				}
			}
		}
		return false
	}
	if ls.Category != "" {
		ok := false
		for _, s := range srcs {
			if s.Category != ls.Category {
				continue
			}
			holds := true
			for k, v := range s.Conditions {
				if k == "service" {
					holds = holds && channelOf(fmt.Sprint(v))
					continue
				}
				holds = holds && fmt.Sprint(v) == e.fields[k]
			}
			ok = ok || holds
		}
		if !ok {
			return false
		}
	}
	if ls.Service != "" && !channelOf(ls.Service) {
		return false
	}
	return true
}

// TestRegressionOtherRules reports, for each sample, which other rules
// fire on it once a minimal thor.yml log-source check is applied, and
// checks that the sample's own rule passes that check too (rules whose
// log source thor.yml does not describe are counted apart).
func TestRegressionOtherRules(t *testing.T) {
	cases := regressionCases(t)
	set := loadAllRules(t)
	thor := loadThor(t)
	var lines []string
	totalOthers, noSource := 0, 0
	for _, c := range cases {
		jsons, _ := filepath.Glob(filepath.Join(c.dir, "*.json"))
		if len(jsons) == 0 {
			continue
		}
		var events []*jsonEvent
		for _, j := range jsons {
			events = append(events, readJSONEvents(t, j)...)
		}
		own, _ := set.Lookup(c.ruleID).(*Rule)
		ownOK := false
		others := map[string]bool{}
		for _, e := range events {
			for _, r := range set.Rules {
				if !r.CanRun() {
					continue
				}
				e.rename = thorRename(thor, r, e)
				if !thorApplies(thor, r, e) || !r.Match(e) {
					continue
				}
				if r == own {
					ownOK = true
				} else {
					others[r.ID] = true
				}
			}
		}
		if !ownOK {
			noSource++
			lines = append(lines, fmt.Sprintf("%s: own rule %s fails the minimal thor.yml log-source check (%+v)", filepath.Base(c.dir), c.ruleID, own.Logsource))
		}
		totalOthers += len(others)
		ids := make([]string, 0, len(others))
		for id := range others {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		lines = append(lines, fmt.Sprintf("%s: %d other rules: %s", filepath.Base(c.dir), len(ids), strings.Join(ids, " ")))
	}
	t.Logf("own rule outside the minimal log-source check: %d; other rules firing: %d in all\n%s", noSource, totalOthers, strings.Join(lines, "\n"))
}
