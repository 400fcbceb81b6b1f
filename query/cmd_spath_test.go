package query

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"loghunt/store"
)

// zeekDNSExcerpt: Zeek dns.log lines in JSON (WRCCDC 2018), with the
// arrays answers and TTLs (see testdata/README.md).
var zeekDNSExcerpt = filepath.Join("testdata", "zeek_dns_wrccdc_excerpt.jsonl")

// windowsEmpireExcerpt: every 50th Windows event of OTRF's
// empire_shell_net_local_users recording (see testdata/README.md).
var windowsEmpireExcerpt = filepath.Join("testdata", "windows_otrf_empire_excerpt.jsonl")

// TestSpathOnRealZeekDNS: values checked by hand against the excerpt's
// lines (python's json module read them): arrays as multi-values, an
// index, a key with dots, the input field holding an array, and counts
// of the answers after mvexpand.
func TestSpathOnRealZeekDNS(t *testing.T) {
	s := excerptDB(t, zeekDNSExcerpt)
	rows := s.run("* | spath path=answers{} | spath TTLs{1} output=ttl2 | spath output=orig path=id.orig_h | table query, `answers{}`, ttl2, orig")
	want := [][]string{
		{"query", "answers{}", "ttl2", "orig"},
		{"ise.wrccdc.org", "ise.wrccdc.cpp.edu\n134.71.3.16", "41830", "10.47.1.100"},
		{"download.windowsupdate.com", "", "", "10.47.25.25"},
		{"tiles.services.mozilla.com", "tiles.r53-2.services.mozilla.com\n52.40.133.43\n35.161.241.69\n52.39.131.77\n52.25.175.166\n52.34.46.122\n52.41.78.152\n54.148.143.136\n52.34.107.172", "88", "10.47.1.10"},
		{"icons.duckduckgo.com", "23.21.193.210", "", "10.47.3.156"},
		{"ise.wrccdc.org", "ise.wrccdc.cpp.edu\n134.71.3.16", "41580", "10.47.2.100"},
		{"*", "", "", "10.47.1.208"},
		{"ise.wrccdc.org", "ise.wrccdc.cpp.edu\n2620:df:8000:1601:0:1:3:16", "37770", "10.47.1.100"},
		{"_ldap._tcp.dc._msdcs.factory.oompa.loompa", "", "", "10.47.3.152"},
		{"scripts.demandbase.com", "0.0.0.0", "", "10.47.2.10"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("spath on the dns excerpt:\n%q\nwant\n%q", rows, want)
	}
	// The ingested field answers holds the array's JSON text: {} on it.
	got := s.run(`* | spath input=answers path={} output=answer | mvexpand answer | stats count by answer | sort -count, answer | head 3`)
	want = [][]string{{"answer", "count"}, {"ise.wrccdc.cpp.edu", "3"}, {"134.71.3.16", "2"}, {"0.0.0.0", "1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("answers counted: %q, want %q", got, want)
	}
	// One value keeps its type: the TTL sums as a number.
	if got := s.run(`* | spath input=TTLs path={0} output=t | stats sum(t) as s, count(t) as n`); got[1][0] != "6091" || got[1][1] != "6" {
		t.Errorf("sum of the first TTLs = %q, want 2230+88+22+1980+1771+0 = 6091 over 6 rows", got)
	}
	// Auto-extract: every leaf path of the line, the arrays as {}.
	got = s.run("* | spath | where isnotnull(`answers{}`) | table id.orig_p, rtt, `answers{}`, `TTLs{}`, AA | head 1")
	want = [][]string{{"id.orig_p", "rtt", "answers{}", "TTLs{}", "AA"}, {"41772", "0.0008699893951416016", "ise.wrccdc.cpp.edu\n134.71.3.16", "2230.0\n41830.0", "false"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("auto-extract: %q, want %q", got, want)
	}
}

// TestSpathAutoExtractMatchesIngest: on real Windows events (flat JSON
// objects but for the tags array) every field ingest made from a scalar
// is what spath extracts from _raw, with the same value and type.
func TestSpathAutoExtractMatchesIngest(t *testing.T) {
	s := excerptDB(t, windowsExcerpt, windowsEmpireExcerpt)
	pq, err := Parse(`* | spath`)
	if err != nil {
		t.Fatal(err)
	}
	sp := pq.Stages[1].(*SpathCmd)
	plainQ, _ := Parse(`*`)
	checked := 0
	_, err = Run(t.Context(), s.DB, plainQ, Options{}, func(b *Batch) error {
		raw := b.Column(store.ColRaw)
		for r := 0; r < b.Len; r++ {
			one := &Batch{Fields: []string{store.ColRaw}, Cols: [][]store.Value{{raw[r]}}, Len: 1}
			out, _ := sp.apply(one)
			for i, f := range b.Fields {
				v := b.Cols[i][r]
				if f == store.ColRaw || f == store.ColTime || f == "source" || f == "sourcetype" || v.IsNull() || strings.HasPrefix(v.String(), "[") {
					continue
				}
				if got := out.Get(f, 0); got != v {
					return fmt.Errorf("row %d field %s: spath %#v, ingest %#v", r, f, got, v)
				}
				checked++
			}
			if got := out.Get("tags{}", 0).String(); got != "mordorDataset" {
				return fmt.Errorf("row %d tags{} = %q", r, got)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 1000 {
		t.Fatalf("only %d fields compared", checked)
	}
}

// TestSpathAgainstEncodingJSON: random documents (nested objects and
// arrays, keys with dots, escapes, duplicate keys, nulls) and random paths,
// spath against an evaluation over encoding/json's decoding of each.
func TestSpathAgainstEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 4))
	docs := realJSONLines(t)
	for range 1500 {
		docs = append(docs, randJSONDoc(r))
	}
	auto := mustSpath(t, `| spath input=j`)
	for i, doc := range docs {
		var tree any
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber()
		if err := dec.Decode(&tree); err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		// Auto-extract.
		want := map[string][]any{}
		bruteLeaves(tree, "", want)
		b := oneRow("j", doc)
		auto.apply(b)
		for f, vals := range want {
			ordered := !strings.Contains(doc, `.`) // no key can reach another's path
			if err := sameSpath(b.Get(f, 0), vals, ordered); err != nil {
				t.Fatalf("doc %s: auto-extract %s: %v", doc, f, err)
			}
		}
		for _, f := range b.Fields {
			if f != "j" && want[f] == nil {
				t.Fatalf("doc %s: auto-extract made %s = %q, which has no values", doc, f, b.Get(f, 0))
			}
		}
		// Paths.
		for _, p := range randPaths(r, tree) {
			sp := mustSpath(t, `| spath input=j output=out path="`+p+`"`)
			b := oneRow("j", doc)
			sp.apply(b)
			steps, _ := parseSpath(p)
			vals := bruteFind(tree, steps)
			if err := sameSpath(b.Get("out", 0), vals, true); err != nil {
				t.Fatalf("doc %s: path %s: %v", doc, p, err)
			}
		}
	}
	// Not JSON, a scalar, or a field that is no text: the row keeps its
	// fields.
	for _, text := range []string{`not json`, `42`, `"a"`, `{"a":`, `{"a":1}x`, ``} {
		b := oneRow("j", text)
		b.Column("out")[0] = store.Str("kept")
		mustSpath(t, `| spath input=j output=out path=a`).apply(b)
		if got := b.Get("out", 0); got != store.Str("kept") {
			t.Errorf("%q: out = %#v, want it kept", text, got)
		}
	}
}

func mustSpath(t testing.TB, q string) *SpathCmd {
	t.Helper()
	pq, err := Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	return pq.Stages[1].(*SpathCmd)
}

func oneRow(field, text string) *Batch {
	return &Batch{Fields: []string{field}, Cols: [][]store.Value{{store.Str(text)}}, Len: 1}
}

// realJSONLines are the lines of the JSON excerpts.
func realJSONLines(t *testing.T) []string {
	var out []string
	for _, p := range []string{zeekDNSExcerpt, windowsExcerpt, windowsEmpireExcerpt, zeekExcerpt} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			out = append(out, sc.Text())
		}
		f.Close()
	}
	return out
}

// bruteLeaves collects the values of each leaf path of v.
func bruteLeaves(v any, prefix string, out map[string][]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, kid := range x {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			bruteLeaves(kid, name, out)
		}
	case []any:
		for _, kid := range x {
			bruteLeaves(kid, prefix+"{}", out)
		}
	case nil:
	default:
		out[prefix] = append(out[prefix], x)
	}
}

// bruteFind evaluates a path on a decoded document: a key step takes the
// shortest run of keys joined by dots that the object has.
func bruteFind(v any, steps []spathStep) []any {
	if len(steps) == 0 {
		if v == nil {
			return nil
		}
		return []any{v}
	}
	cur, sel, next := []any{v}, steps[0].idx, 1
	if steps[0].key != "" {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		cur = nil
		for j := range steps {
			var keys []string
			for _, s := range steps[:j+1] {
				keys = append(keys, s.key)
			}
			if kid, ok := m[strings.Join(keys, ".")]; ok {
				cur, sel, next = []any{kid}, steps[j].idx, j+1
				break
			}
			if len(steps[j].idx) > 0 {
				break
			}
		}
	}
	for _, ix := range sel {
		var nxt []any
		for _, c := range cur {
			arr, ok := c.([]any)
			switch {
			case !ok:
			case ix < 0:
				nxt = append(nxt, arr...)
			case ix < len(arr):
				nxt = append(nxt, arr[ix])
			}
		}
		cur = nxt
	}
	var out []any
	for _, c := range cur {
		out = append(out, bruteFind(c, steps[next:])...)
	}
	return out
}

// sameSpath compares what spath set with the decoded values it should
// stand for; unordered compares a multi-value's parts as sets.
func sameSpath(got store.Value, want []any, ordered bool) error {
	if len(want) == 0 {
		if !got.IsNull() {
			return fmt.Errorf("got %#v, want nothing", got)
		}
		return nil
	}
	if len(want) == 1 {
		var w store.Value
		switch x := want[0].(type) {
		case string:
			w = store.Str(x)
		case bool:
			w = store.Bool(x)
		case json.Number:
			if i, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
				w = store.Int(i)
			} else if f, err := strconv.ParseFloat(x.String(), 64); err == nil {
				w = store.Float(f)
			} else {
				w = store.Str(x.String())
			}
		default:
			if got.K != store.KindString || !sameJSON(got.S, x) {
				return fmt.Errorf("got %#v, want the JSON of %v", got, x)
			}
			return nil
		}
		if got != w {
			return fmt.Errorf("got %#v, want %#v", got, w)
		}
		return nil
	}
	parts := strings.Split(got.String(), "\n")
	if got.K != store.KindString || len(parts) != len(want) {
		return fmt.Errorf("got %#v, want %d values %v", got, len(want), want)
	}
	texts := make([]string, len(want))
	for i, w := range want {
		switch x := w.(type) {
		case string:
			texts[i] = x
		case bool:
			texts[i] = strconv.FormatBool(x)
		case json.Number:
			texts[i] = x.String()
		default:
			if !sameJSON(parts[i], x) && ordered {
				return fmt.Errorf("value %d: %q, want the JSON of %v", i, parts[i], x)
			}
			texts[i] = parts[i]
		}
	}
	if !ordered {
		parts, texts = slices.Clone(parts), slices.Clone(texts)
		sort.Strings(parts)
		sort.Strings(texts)
	}
	if !slices.Equal(parts, texts) {
		return fmt.Errorf("got %q, want %q", parts, texts)
	}
	return nil
}

func sameJSON(text string, v any) bool {
	var got any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if dec.Decode(&got) != nil || dec.More() {
		return false
	}
	var compact bytes.Buffer
	if json.Compact(&compact, []byte(text)) != nil || compact.String() != text {
		return false // not compact JSON
	}
	return reflect.DeepEqual(got, v)
}

var randKeys = []string{"a", "b", "c", "id", "id.orig_h", "a.b", "x y", "é", "@t"}

// randJSONDoc makes a random object or array as text, with duplicate keys
// now and then and odd spacing.
func randJSONDoc(r *rand.Rand) string {
	var b strings.Builder
	randJSONValue(r, &b, 0, true)
	return b.String()
}

func randJSONValue(r *rand.Rand, b *strings.Builder, depth int, top bool) {
	sp := func() {
		if r.IntN(4) == 0 {
			b.WriteByte(" \n\t"[r.IntN(3)])
		}
	}
	k := r.IntN(10)
	if top {
		k = r.IntN(2)
	} else if depth > 3 {
		k = 2 + r.IntN(8)
	}
	switch k {
	case 0:
		b.WriteByte('{')
		n := r.IntN(4)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			sp()
			fmt.Fprintf(b, "%q", randKeys[r.IntN(len(randKeys))])
			sp()
			b.WriteByte(':')
			sp()
			randJSONValue(r, b, depth+1, false)
		}
		b.WriteByte('}')
	case 1:
		b.WriteByte('[')
		n := r.IntN(4)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			sp()
			randJSONValue(r, b, depth+1, false)
			sp()
		}
		b.WriteByte(']')
	case 2, 3:
		b.WriteString([]string{`"x"`, `"10.0.0.1"`, `"say \"hi\""`, `"caf\u00e9"`, `"tab\there"`, `""`, `"a\\b"`, `"{}"`}[r.IntN(8)])
	case 4, 5:
		b.WriteString([]string{`0`, `42`, `-7`, `1.5`, `2.0`, `-3e2`, `12345678901234567890`, `1E-3`}[r.IntN(8)])
	case 6:
		b.WriteString([]string{`true`, `false`}[r.IntN(2)])
	case 7:
		b.WriteString(`null`)
	default:
		randJSONValue(r, b, depth+1, false)
	}
}

// randPaths are paths into v (most reach something) and a few random ones.
func randPaths(r *rand.Rand, v any) []string {
	var out []string
	for range 4 {
		var parts []string
		cur := v
		for d := 0; d < 5; d++ {
			part := ""
			switch x := cur.(type) {
			case map[string]any:
				if len(x) == 0 {
					break
				}
				keys := make([]string, 0, len(x))
				for k := range x {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				k := keys[r.IntN(len(keys))]
				if strings.ContainsAny(k, " ") {
					break
				}
				part, cur = k, x[k]
			case []any:
			}
			for {
				arr, ok := cur.([]any)
				if !ok || (part == "" && len(parts) > 0) {
					break
				}
				if r.IntN(2) == 0 || len(arr) == 0 {
					part += "{}"
					if len(arr) > 0 {
						cur = arr[r.IntN(len(arr))]
					} else {
						cur = nil
					}
				} else {
					n := r.IntN(len(arr) + 1)
					part += "{" + strconv.Itoa(n) + "}"
					if n < len(arr) {
						cur = arr[n]
					} else {
						cur = nil
					}
				}
			}
			if part == "" {
				break
			}
			parts = append(parts, part)
			if r.IntN(3) == 0 {
				break
			}
		}
		if len(parts) > 0 {
			out = append(out, strings.Join(parts, "."))
		}
	}
	out = append(out, randKeys[r.IntN(6)]+"."+randKeys[r.IntN(6)], "a{}.b", "{}", "{1}.a")
	return out
}

// TestSpathSyntax: printing round trips, options and paths are checked
// with the column of the mistake.
func TestSpathSyntax(t *testing.T) {
	for _, q := range []string{
		`* | spath`, `* | spath input=answers`, `* | spath answers{}`, `* | spath path=a.b{0}.c output=x`,
		`* | spath output=out path="x y.z"`, `* | spath {}.name input=j`,
	} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		again, err := Parse(pq.String())
		if err != nil || again.String() != pq.String() {
			t.Errorf("%s: printed %q, reparsed %v", q, pq.String(), err)
		}
	}
	stageErrors(t, map[string]string{
		`* | spath output=x`:        "output= needs a path",
		`* | spath path=a{x}`:       "bad spath path",
		`* | spath "a..b"`:          "bad spath path",
		`* | spath "a{0"`:           "bad spath path",
		`* | spath "a.{}"`:          "bad spath path",
		`* | spath path=a b`:        "spath takes one path",
		`* | spath field=a`:         `unknown option "field" for spath`,
		`* | spath path=""`:         "the path is empty",
		`* | spath input=a input=b`: "given twice",
		`* | spath path="a{-1}"`:    "bad spath path",
	})
	_, err := Parse(`* | spath path="a.b{x}"`)
	if e, ok := err.(*Error); !ok || e.Col != len(`* | spath path=`)+1 || !strings.Contains(e.Msg, `at "{x}"`) {
		t.Errorf("error column: %v", err)
	}
}

// FuzzSpath: any text as the input of spath, auto-extract and a path,
// never panics, and on JSON agrees with encoding/json.
func FuzzSpath(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":2}],"a.b":3}`, `[[1,2],[3]]`, `{"x":"\u00e9\"","y":null,"x":true}`, `{`, `[{}]`, `{"a":{"b":{"c":[null,1e400]}}}`} {
		f.Add(s, "a.b{0}")
	}
	auto := mustSpath(f, `| spath input=j`)
	f.Fuzz(func(t *testing.T, doc, path string) {
		b := oneRow("j", doc)
		auto.apply(b)
		var tree any
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber()
		trimmed := strings.TrimSpace(doc)
		deep := strings.Count(doc, "[")+strings.Count(doc, "{") >= maxSpathDepth // not read: see maxSpathDepth
		isDoc := !deep && json.Valid([]byte(doc)) && trimmed != "" && (trimmed[0] == '{' || trimmed[0] == '[') && dec.Decode(&tree) == nil
		if isDoc && !strings.Contains(doc, ".") {
			want := map[string][]any{}
			bruteLeaves(tree, "", want)
			for f, vals := range want {
				if err := sameSpath(b.Get(f, 0), vals, true); err != nil {
					t.Fatalf("doc %q: %s: %v", doc, f, err)
				}
			}
		}
		if steps, bad := parseSpath(path); bad < 0 && !strings.ContainsAny(path, "\"\\") {
			pq, err := Parse(`| spath input=j output=out path="` + path + `"`)
			if err != nil {
				return
			}
			b := oneRow("j", doc)
			pq.Stages[1].(*SpathCmd).apply(b)
			if isDoc {
				if err := sameSpath(b.Get("out", 0), bruteFind(tree, steps), true); err != nil {
					t.Fatalf("doc %q path %q: %v", doc, path, err)
				}
			}
		}
	})
}

// TestSpathDeep: a document nested deeper than maxSpathDepth is not read
// (no panic, no stack growth without bound); one just under it is.
func TestSpathDeep(t *testing.T) {
	auto := mustSpath(t, `| spath input=j`)
	for depth, want := range map[int]string{maxSpathDepth - 1: "1", maxSpathDepth + 5: "", 100000: ""} {
		doc := strings.Repeat("[", depth) + "1" + strings.Repeat("]", depth)
		b := oneRow("j", doc)
		auto.apply(b)
		if got := b.Get(strings.Repeat("{}", depth), 0).String(); got != want {
			t.Errorf("depth %d: %q, want %q", depth, got, want)
		}
	}
}
