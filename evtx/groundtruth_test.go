package evtx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// datasetsDir is the shared datasets folder, next to the repository.
var datasetsDir = filepath.Join("..", "..", "shared", "datasets")

// needDatasets returns the path of a folder under datasetsDir, skipping the
// test when the datasets are absent.
func needDatasets(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(datasetsDir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("datasets not available: %v", err)
	}
	return p
}

// findFiles lists the files under root whose name ends in ext, sorted.
func findFiles(t testing.TB, root, ext string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ext) {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// decodeFile decodes every record of an EVTX file; damage fails the test.
func decodeFile(t testing.TB, path string) []*Record {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []*Record
	for r, err := range f.Records() {
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		out = append(out, r)
	}
	return out
}

// TestRegressionDataMatchesJSON decodes every .evtx of SigmaHQ's regression
// data and compares every field of every record with the .json rendering
// beside it (evtx_dump's JSON, one object per record), flattened by the
// naming rules of the package documentation. The normalizations are in
// sameValue.
func TestRegressionDataMatchesJSON(t *testing.T) {
	root := needDatasets(t, "sigma/regression_data")
	files := findFiles(t, root, ".evtx")
	if len(files) < 150 {
		t.Fatalf("found %d .evtx files under %s, want the 162 of the dataset", len(files), root)
	}
	var matched, records int
	for _, path := range files {
		want, err := readJSONRenderings(strings.TrimSuffix(path, ".evtx") + ".json")
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		got := decodeFile(t, path)
		rel, _ := filepath.Rel(root, path)
		if diffs := compareRecords(got, want); len(diffs) > 0 {
			t.Errorf("%s: %d differences:\n  %s", rel, len(diffs), strings.Join(diffs, "\n  "))
			continue
		}
		matched++
		records += len(got)
	}
	t.Logf("%d of %d regression files match their JSON rendering exactly (%d records)", matched, len(files), records)
}

// jsonField is one flattened field of a JSON rendering.
type jsonField struct {
	name string
	val  any // string, json.Number, bool
}

// readJSONRenderings reads the concatenated JSON objects of a rendering.
func readJSONRenderings(path string) ([][]jsonField, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	d.UseNumber()
	var out [][]jsonField
	for {
		var doc struct {
			Event map[string]any
		}
		if err := d.Decode(&doc); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		if doc.Event == nil {
			return nil, fmt.Errorf("object %d has no Event", len(out)+1)
		}
		out = append(out, flattenJSON(doc.Event))
	}
}

// flattenJSON applies the package's naming rules to an evtx_dump object, as
// an implementation independent of the decoder's: System's children by
// name, EventData's by key (evtx_dump keys Data by its Name), UserData's
// below its wrapper element, attributes as Element_Attr, nested elements as
// Parent_Child, JSON arrays as repeated fields.
func flattenJSON(ev map[string]any) []jsonField {
	var f jsonFields
	for _, key := range jsonKeys(ev) {
		v := ev[key]
		switch key {
		case "#attributes":
		case "System", "EventData":
			f.container(key, v, key == "EventData")
		case "UserData":
			m, _ := v.(map[string]any)
			for _, w := range jsonKeys(m) {
				if w == "#attributes" {
					f.attrs(key, m[w])
					continue
				}
				f.container(w, m[w], true)
			}
		default:
			f.element(key, v, true)
		}
	}
	return f.list
}

type jsonFields struct {
	list []jsonField
	seen map[string]bool
}

func (f *jsonFields) add(name string, v any) {
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	base := name
	for i := 1; f.seen[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	f.seen[name] = true
	f.list = append(f.list, jsonField{name, v})
}

func (f *jsonFields) container(name string, v any, keepEmpty bool) {
	m, ok := v.(map[string]any)
	if !ok {
		if v != nil {
			f.add(name, v)
		}
		return
	}
	for _, k := range jsonKeys(m) {
		if k == "#attributes" {
			f.attrs(name, m[k])
			continue
		}
		f.element(k, m[k], keepEmpty)
	}
}

func (f *jsonFields) attrs(prefix string, v any) {
	m, _ := v.(map[string]any)
	for _, a := range jsonKeys(m) {
		if a != "xmlns" && !strings.HasPrefix(a, "xmlns:") {
			f.add(prefix+"_"+a, m[a])
		}
	}
}

func (f *jsonFields) element(name string, v any, keepEmpty bool) {
	switch v := v.(type) {
	case nil:
		if keepEmpty {
			f.add(name, nil)
		}
	case map[string]any:
		if t, ok := v["#text"]; ok {
			f.element(name, t, keepEmpty)
		}
		for _, k := range jsonKeys(v) {
			switch k {
			case "#text":
			case "#attributes":
				f.attrs(name, v[k])
			default:
				f.element(name+"_"+k, v[k], keepEmpty)
			}
		}
	case []any:
		for _, e := range v {
			f.element(name, e, keepEmpty)
		}
	default:
		f.add(name, v)
	}
}

// jsonKeys returns a map's keys sorted, so that repeated names get their
// suffixes in a fixed order. evtx_dump already suffixes repeated siblings,
// so the order only matters for arrays.
func jsonKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// compareRecords matches decoded records and renderings by EventRecordID and
// lists every difference.
func compareRecords(got []*Record, want [][]jsonField) []string {
	var diffs []string
	if len(got) != len(want) {
		diffs = append(diffs, fmt.Sprintf("%d records decoded, %d rendered", len(got), len(want)))
	}
	byID := map[string][]jsonField{}
	for _, w := range want {
		for _, f := range w {
			if f.name == "EventRecordID" {
				byID[fmt.Sprint(f.val)] = w
			}
		}
	}
	for _, r := range got {
		id, _ := r.Get("EventRecordID")
		w, ok := byID[id.Text]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("record %s: no rendering", id.Text))
			continue
		}
		diffs = append(diffs, compareFields(id.Text, r.Fields, w)...)
	}
	return diffs
}

func compareFields(id string, got []Field, want []jsonField) []string {
	var diffs []string
	g := map[string]Value{}
	for _, f := range got {
		g[f.Name] = f.Value
	}
	seen := map[string]bool{}
	for _, w := range want {
		seen[w.name] = true
		v, ok := g[w.name]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("record %s: field %s missing (rendered %v)", id, w.name, w.val))
			continue
		}
		if !sameValue(v, w.val) {
			diffs = append(diffs, fmt.Sprintf("record %s: field %s = %q (%s), rendered %#v", id, w.name, v.Text, v.Type, w.val))
		}
	}
	for _, f := range got {
		if !seen[f.Name] {
			diffs = append(diffs, fmt.Sprintf("record %s: extra field %s = %q (%s)", id, f.Name, f.Value.Text, f.Value.Type))
		}
	}
	return diffs
}

// sameValue compares a decoded value with evtx_dump's. The normalizations,
// each a difference of rendering only:
//   - numbers: evtx_dump writes integer and float types as JSON numbers;
//     they must be such a type here with the same decimal text (floats:
//     the same value);
//   - GUIDs: evtx_dump writes upper case without braces, Windows (and this
//     package) {lower case};
//   - FILETIME: evtx_dump cuts to microseconds, this package keeps all seven
//     digits of the 100 ns ticks;
//   - an empty element: evtx_dump writes null, this package an empty
//     string (EventData and UserData only; see the naming rules);
//   - trailing white space: evtx_dump (since 0.8.5, omerbenamram/evtx#249)
//     trims it from strings; Windows and this package keep it (Sysmon and
//     4688 command lines end in a space when the process had no
//     arguments).
func sameValue(v Value, want any) bool {
	switch w := want.(type) {
	case nil:
		return v.Type == TypeString && v.Text == ""
	case bool:
		b, ok := v.Bool()
		return ok && b == w
	case json.Number:
		if f, ok := v.Float(); ok {
			wf, err := w.Float64()
			return err == nil && wf == f
		}
		if _, ok := v.Int(); !ok {
			if _, ok := v.Uint(); !ok || v.Type == TypeHexInt32 || v.Type == TypeHexInt64 || v.Type == TypeSizeT || v.Type == TypeBool {
				return false
			}
		}
		return v.Text == w.String()
	case string:
		switch v.Type {
		case TypeGUID:
			return strings.EqualFold(strings.Trim(v.Text, "{}"), w)
		case TypeFileTime:
			// 2006-01-02T15:04:05.0000000Z -> .000000Z
			return len(v.Text) == 28 && v.Text[:26]+"Z" == w
		case TypeString, TypeAnsi:
			return strings.TrimRightFunc(v.Text, unicode.IsSpace) == w
		case TypeHexInt32, TypeHexInt64, TypeSizeT, TypeSID, TypeBinary, TypeSysTime:
			return v.Text == w
		}
		return false
	}
	return false
}
