package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Collection is what one file holds: its rules, filters and
// correlations, and problems that belong to no single rule (YAML syntax,
// documents that are not Sigma).
type Collection struct {
	Rules        []*Rule
	Filters      []*Filter
	Correlations []*Correlation
	Problems     []Problem
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// Parse reads every YAML document of data (file names it in problems).
// Legacy Sigma collections are supported: a document with `action:
// global` is merged under the documents that follow it, `action: reset`
// drops it, and `action: repeat` repeats the previous document with
// changes.
func Parse(file string, data []byte, opts Options) *Collection {
	col := &Collection{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var global, prev *yaml.Node
	for i := 1; ; i++ {
		var d yaml.Node
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p := Problem{File: file, Kind: KindYAML, Msg: "yaml: " + strings.TrimPrefix(err.Error(), "yaml: ")}
			if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
				p.Line, _ = strconv.Atoi(m[1])
			}
			col.Problems = append(col.Problems, p)
			break
		}
		doc := deref(&d)
		if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
			doc = deref(doc.Content[0])
		}
		if doc.Kind == yaml.ScalarNode && isNull(doc) {
			continue // empty document
		}
		if doc.Kind != yaml.MappingNode {
			col.Problems = append(col.Problems, Problem{File: file, Line: doc.Line, Col: doc.Column,
				Kind: KindYAML, Msg: fmt.Sprintf("document %d is not a map of Sigma attributes", i)})
			continue
		}
		switch action, _ := scalarString(mapGet(doc, "action")); action {
		case "global":
			global = withoutKey(doc, "action")
			continue
		case "reset":
			global = nil
			continue
		case "repeat":
			if prev == nil {
				col.Problems = append(col.Problems, Problem{File: file, Line: doc.Line, Col: doc.Column,
					Kind: KindYAML, Msg: "action: repeat with no document before it"})
				continue
			}
			doc = mergeNodes(prev, withoutKey(doc, "action"))
		case "":
			if global != nil {
				doc = mergeNodes(global, doc)
			}
		default:
			col.Problems = append(col.Problems, Problem{File: file, Line: doc.Line, Col: doc.Column,
				Kind: KindYAML, Msg: fmt.Sprintf("unknown action %q (want global, reset or repeat)", action)})
			continue
		}
		prev = doc
		switch {
		case mapGet(doc, "correlation") != nil:
			col.Correlations = append(col.Correlations, parseCorrelation(file, doc))
		case mapGet(doc, "filter") != nil:
			col.Filters = append(col.Filters, parseFilter(file, doc, opts))
		case mapGet(doc, "detection") != nil || mapGet(doc, "logsource") != nil:
			col.Rules = append(col.Rules, parseRule(file, doc, opts))
		default:
			col.Problems = append(col.Problems, Problem{File: file, Line: doc.Line, Col: doc.Column,
				Kind: KindYAML, Msg: fmt.Sprintf("document %d is not a Sigma rule, filter or correlation (no detection, filter or correlation section)", i)})
		}
	}
	return col
}

// ParseFile reads and parses one file.
func ParseFile(path string, opts Options) (*Collection, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sigma rules: %w", err)
	}
	return Parse(path, data, opts), nil
}

// RuleFiles lists the .yml and .yaml files under paths (files are
// taken as given, directories walked), sorted within each directory.
func RuleFiles(paths ...string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("sigma rules: %w", err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("sigma rules: %w", err)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// Load parses every rule file under paths and links them into a Set.
func Load(opts Options, paths ...string) (*Set, error) {
	files, err := RuleFiles(paths...)
	if err != nil {
		return nil, err
	}
	var cols []*Collection
	for _, f := range files {
		c, err := ParseFile(f, opts)
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return NewSet(cols...), nil
}
