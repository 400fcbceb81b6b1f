package ingest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"loghunt/store"
	"loghunt/store/storetest"
)

// storedFields returns every stored event as its fields (null values,
// which stand for an absent field, left out), in scan order.
func storedFields(t *testing.T, db *store.DB) []map[string]store.Value {
	t.Helper()
	var out []map[string]store.Value
	_, err := db.Scan(context.Background(), store.AllTime, func(c *store.Chunk) (any, error) {
		evs := make([]map[string]store.Value, c.Rows)
		for i := range evs {
			evs[i] = map[string]store.Value{"source": store.Str(c.Source), "sourcetype": store.Str(c.Sourcetype)}
		}
		for _, col := range c.Cols {
			vs, err := c.Values(col.Name)
			if err != nil {
				return nil, err
			}
			for i, v := range vs {
				if v.K != store.KindNull {
					evs[i][col.Name] = v
				}
			}
		}
		return evs, nil
	}, func(c *store.Chunk, v any) error {
		out = append(out, v.([]map[string]store.Value)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeDoc(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestJSONDocuments(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, text string
		want       []string // the a field of each event
	}{
		{"one object", "{\n  \"ts\": \"2025-03-06T08:00:00Z\",\n  \"a\": \"x\",\n  \"n\": {\"b\": 1}\n}\n", []string{"x"}},
		{"array", "\xef\xbb\xbf[\n  {\"ts\": \"2025-03-06T08:00:00Z\", \"a\": \"x\"},\n  {\n    \"ts\": \"2025-03-06T08:00:01Z\",\n    \"a\": \"y\"\n  }\n]\n", []string{"x", "y"}},
		{"concatenated", "{\n \"ts\": \"2025-03-06T08:00:00Z\",\n \"a\": \"x\"\n}\n{\n \"ts\": \"2025-03-06T08:00:01Z\",\n \"a\": \"y\"\n}\n{\"ts\": \"2025-03-06T08:00:02Z\", \"a\": \"z\"}", []string{"x", "y", "z"}},
		{"strings with brackets", "[{\"ts\": \"2025-03-06T08:00:00Z\", \"a\": \"}]{[\\\"\"},\n{\"ts\": \"2025-03-06T08:00:01Z\", \"a\": \"y\"}]", []string{"}]{[\"", "y"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := storetest.Open(t)
			p := writeDoc(t, dir, strings.ReplaceAll(c.name, " ", "_")+".json", c.text)
			sum, err := Ingest(context.Background(), db, Config{}, []string{p}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Events != int64(len(c.want)) || sum.Flagged != 0 {
				t.Fatalf("%d events (%d flagged), want %d", sum.Events, sum.Flagged, len(c.want))
			}
			if n := int64(strings.Count(c.text[:strings.LastIndexByte(c.text, '}')], "\n") + 1); sum.Lines != n {
				t.Errorf("%d lines counted, the last object ends on line %d", sum.Lines, n)
			}
			evs := storedFields(t, db)
			var got []string
			for _, ev := range evs {
				got = append(got, ev["a"].S)
				if ev["sourcetype"].S != "json" {
					t.Errorf("sourcetype %v", ev["sourcetype"])
				}
				if !strings.HasPrefix(ev["_raw"].S, "{") || !strings.HasSuffix(ev["_raw"].S, "}") {
					t.Errorf("_raw %q is not the object", ev["_raw"].S)
				}
			}
			sort.Strings(got)
			sort.Strings(c.want)
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("a = %q, want %q", got, c.want)
			}
			if c.name == "one object" && evs[0]["n.b"] != store.Int(1) {
				t.Errorf("n.b = %v, want the int 1 (flattened as json lines are)", evs[0]["n.b"])
			}
			// Again: nothing added.
			if sum, err := Ingest(context.Background(), db, Config{}, []string{p}, nil); err != nil || sum.Events != 0 {
				t.Errorf("second ingest: %d events, %v", sum.Events, err)
			}
		})
	}
}

// TestJSONDocumentWrapped: an object whose one member is an array of
// objects (CloudTrail's {"Records": [...]}) is that array's events; an
// object with another member besides, or whose array holds no objects,
// is one event.
func TestJSONDocumentWrapped(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"records", "{\"Records\": [\n {\"eventTime\": \"2024-01-02T03:00:10Z\", \"a\": \"x\"},\n {\"eventTime\": \"2024-01-02T03:00:11Z\", \"a\": \"y\"}\n]}\n", []string{"x", "y"}},
		{"escaped key, two files in one", "{ \"re\\\"c\" :[\n{\"ts\":\"2025-03-06T08:00:00Z\",\"a\":\"x\"}] }\n{\"records\": [\n{\"ts\":\"2025-03-06T08:00:01Z\",\"a\":\"y\"}]}", []string{"x", "y"}},
		{"second member", "{\"Records\": [{\"a\": \"x\"}],\n \"a\": \"w\"}\n", []string{"w"}},
		{"array of numbers", "{\"a\": \"w\", \"n\":\n [1, 2]}\n", []string{"w"}},
		{"empty array", "{\"a\":\n []}\n", []string{"[]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := storetest.Open(t)
			p := writeDoc(t, dir, strings.ReplaceAll(c.name, " ", "_")+".json", c.text)
			sum, err := Ingest(context.Background(), db, Config{}, []string{p}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ev := range storedFields(t, db) {
				got = append(got, ev["a"].S)
				if c.want[0] == "x" && ev["_time"].K == store.KindNull {
					t.Errorf("no time: %v", ev)
				}
			}
			if sum.Flagged != 0 || strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("a = %q (%d flagged), want %q", got, sum.Flagged, c.want)
			}
		})
	}
}

// TestJSONDocumentGrows: objects added to the end of an array (before its
// closing bracket) or after the last object are the only ones a second
// ingest adds.
func TestJSONDocumentGrows(t *testing.T) {
	dir := t.TempDir()
	db := storetest.Open(t)
	// Longer than the 4 KiB whose hash tells a grown file from a changed one.
	pad := strings.Repeat("x", 5000)
	p := writeDoc(t, dir, "a.json", "[\n {\"ts\": \"2025-03-06T08:00:00Z\", \"a\": 1, \"pad\": \""+pad+"\"},\n {\"ts\": \"2025-03-06T08:00:01Z\", \"a\": 2}\n]\n")
	if sum, err := Ingest(context.Background(), db, Config{}, []string{p}, nil); err != nil || sum.Events != 2 {
		t.Fatalf("%d events, %v", sum.Events, err)
	}
	writeDoc(t, dir, "a.json", "[\n {\"ts\": \"2025-03-06T08:00:00Z\", \"a\": 1, \"pad\": \""+pad+"\"},\n {\"ts\": \"2025-03-06T08:00:01Z\", \"a\": 2},\n {\"ts\": \"2025-03-06T08:00:02Z\", \"a\": 3}\n]\n")
	if sum, err := Ingest(context.Background(), db, Config{}, []string{p}, nil); err != nil || sum.Events != 1 {
		t.Fatalf("after growing: %d events added, want 1; %v", sum.Events, err)
	}
	var got []int64
	for _, ev := range storedFields(t, db) {
		got = append(got, ev["a"].I)
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Errorf("stored a = %v, want 1 2 3", got)
	}
}

// TestJSONDocumentBroken: a document that stops being JSON keeps the
// objects before, and the warning names the file, line and column.
func TestJSONDocumentBroken(t *testing.T) {
	dir := t.TempDir()
	db := storetest.Open(t)
	p := writeDoc(t, dir, "b.json", "[\n {\"ts\": \"2025-03-06T08:00:00Z\", \"a\": 1},\n 42,\n {\"a\": 3}\n]\n")
	var warns []string
	sum, err := Ingest(context.Background(), db, Config{Warn: func(m string) { warns = append(warns, m) }}, []string{p}, nil)
	if err != nil || sum.Events != 1 {
		t.Fatalf("%d events, %v", sum.Events, err)
	}
	re := regexp.MustCompile(regexp.QuoteMeta(p) + `: stopped after line 2: json document: line 3, column 2: expected an object in the array`)
	if len(warns) != 1 || !re.MatchString(warns[0]) {
		t.Errorf("warnings %q", warns)
	}
	// A file that only starts like a document is read by lines.
	q := writeDoc(t, dir, "c.log", "{ not json\nsecond line\n")
	db2 := storetest.Open(t)
	sum, err = Ingest(context.Background(), db2, Config{}, []string{q}, nil)
	if err != nil || sum.Events != 2 {
		t.Fatalf("text starting with {: %d events, %v", sum.Events, err)
	}
}

// TestJSONRenderingsMatchEVTX ingests SigmaHQ's regression samples, each
// an .evtx file and its evtx_dump .json rendering (pretty-printed objects,
// one after the other), and checks that every event from a .json has the
// fields, with the same values, as the event of the same EventRecordID
// from the .evtx. Values differ only in rendering: evtx_dump writes GUIDs
// in upper case without braces, FILETIMEs to the microsecond, and trims
// strings; those are normalized.
func TestJSONRenderingsMatchEVTX(t *testing.T) {
	root := needDatasets(t, "sigma/regression_data")
	var paths []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") {
			if _, err := os.Stat(strings.TrimSuffix(p, ".json") + ".evtx"); err == nil {
				paths = append(paths, p, strings.TrimSuffix(p, ".json")+".evtx")
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 2*150 {
		t.Fatalf("found %d .json/.evtx pairs, want the 162 of the dataset", len(paths)/2)
	}
	db := storetest.Open(t)
	if _, err := Ingest(context.Background(), db, Config{Warn: func(m string) { t.Errorf("warning: %s", m) }}, paths, nil); err != nil {
		t.Fatal(err)
	}
	type key struct{ sample, id string }
	byKey := map[key][2]map[string]store.Value{}
	for _, ev := range storedFields(t, db) {
		src := ev["source"].S
		k := key{strings.TrimSuffix(strings.TrimSuffix(src, ".json"), ".evtx"), ev["EventRecordID"].String()}
		pair := byKey[k]
		switch ev["sourcetype"].S {
		case "json":
			pair[0] = ev
		case "evtx":
			pair[1] = ev
		default:
			t.Fatalf("%s: sourcetype %v", src, ev["sourcetype"])
		}
		byKey[k] = pair
	}
	skip := map[string]bool{"_time": true, "_raw": true, "source": true, "sourcetype": true}
	events, fields, diffs := 0, 0, 0
	for k, pair := range byKey {
		j, e := pair[0], pair[1]
		if j == nil || e == nil {
			t.Errorf("%s record %s: json %v, evtx %v", k.sample, k.id, j != nil, e != nil)
			continue
		}
		events++
		for _, name := range []string{"EventID", "Channel", "Computer"} {
			if _, ok := j[name]; !ok {
				t.Errorf("%s record %s: the json rendering has no %s", k.sample, k.id, name)
			}
		}
		for name, ev := range e {
			if skip[name] {
				continue
			}
			jv, ok := j[name]
			if !ok {
				diffs++
				t.Errorf("%s record %s: %s = %v from the evtx, missing from the json", k.sample, k.id, name, ev)
				continue
			}
			fields++
			if !sameRendering(jv, ev) {
				diffs++
				t.Errorf("%s record %s: %s: json %#v, evtx %#v", k.sample, k.id, name, jv, ev)
			}
		}
		for name := range j {
			if _, ok := e[name]; !ok && !skip[name] {
				diffs++
				t.Errorf("%s record %s: %s = %v from the json, missing from the evtx", k.sample, k.id, name, j[name])
			}
		}
	}
	t.Logf("%d samples, %d events, %d fields compared, %d differences", len(paths)/2, events, fields, diffs)
}

var guidText = regexp.MustCompile(`^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$`)
var filetimeText = regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})\dZ$`)

// sameRendering compares a json value with the evtx one, up to
// evtx_dump's rendering (see TestJSONRenderingsMatchEVTX).
func sameRendering(j, e store.Value) bool {
	if j.K != store.KindString || e.K != store.KindString {
		return j == e
	}
	js, es := j.S, e.S
	if js == es {
		return true
	}
	if guidText.MatchString(es) {
		es = strings.ToUpper(es[1 : len(es)-1])
	}
	if m := filetimeText.FindStringSubmatch(es); m != nil {
		es = m[1] + "Z"
	}
	return js == es || js == strings.TrimRight(es, " \t\r\n")
}

// FuzzJSONDocument: the document splitter finds objects in order, within
// the text, each starting with { and ending with }, and parsing each
// (with the evtx_dump renaming) never panics nor gives a reserved name.
func FuzzJSONDocument(f *testing.F) {
	for _, s := range []string{"[{\"a\":1},{\"b\":2}]", "{\n\"a\": {\"b\": [1,2]}\n}\n{\"c\":\"}\"}",
		"{\"Event\":{\"System\":{\"EventID\":1,\"Provider\":{\"#attributes\":{\"Name\":\"x\",\"xmlns\":\"y\"}}},\"EventData\":{\"A\":null,\"#attributes\":{\"Name\":\"n\"}}}}",
		"{\"Event\":{\"System\":{\"EventID\":1},\"UserData\":{\"W\":{\"#attributes\":{\"xmlns\":\"u\"},\"U\":\"v\",\"U.x\":\"w\"}},\"RenderingInfo\":{\"Message\":\"m\"}},\"source\":1}",
		"[", "[{", "{\"a\":\"\\\"}", "[1]", "[] []", "{},{}",
		"{\"Records\": [{\"a\":1},{\"b\":2}]}", "{\"r\":[{}]", "{\"r\\\"\":[{\"a\":[{}]}]} {\"x\":[{\"y\":1}],\"z\":2}"} {
		f.Add(s)
	}
	p := newTestParser(f, "json", nil)
	f.Fuzz(func(t *testing.T, s string) {
		spans, _ := jsonDocObjects(s, 0)
		prev := 0
		for _, sp := range spans {
			if sp[0] < prev || sp[1] <= sp[0] || sp[1] > len(s) || s[sp[0]] != '{' || s[sp[1]-1] != '}' {
				t.Fatalf("%q: span %v after %d", s, sp, prev)
			}
			prev = sp[1]
			raw := s[sp[0]:sp[1]]
			ev := store.Event{Raw: raw}
			p.Parse(raw, &ev)
			for _, fld := range ev.Fields {
				switch fld.Name {
				case "_time", "_raw", "source", "sourcetype", "":
					t.Fatalf("Parse(%q): reserved field name %q", raw, fld.Name)
				}
			}
		}
	})
}
