package query

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"loghunt/store"
)

// SpathCmd extracts fields from JSON text, as Splunk's spath:
// `spath [input=F] [output=F] [path=P | P]`. With a path, the value at the
// path goes into output (default: the path itself as the field name);
// without one every leaf of the document becomes a field named by its
// path (auto-extract). Paths are keys joined by dots, `{}` for every
// element of an array and `{N}` for the N-th (0-based, as for JSON in
// Splunk): `answers{}`, `userIdentity.sessionContext.attributes.mfaAuthenticated`,
// `Records{0}.eventName`.
type SpathCmd struct {
	Pos      lexer.Position
	Options  []*Option `parser:"'spath':Stage @@*"`
	Path     *FileName `parser:"@@?"`
	Trailing []*Option `parser:"@@*"`
	EndPos   lexer.Position

	Input  string      // the field read: input= or _raw
	Output string      // the field set with a path: output= or the path
	Steps  []spathStep // the path's steps; nil for auto-extract
}

func (*SpathCmd) command()                   {}
func (c *SpathCmd) Position() lexer.Position { return c.Pos }

func (c *SpathCmd) String() string {
	s := "spath"
	if len(c.Options) > 0 {
		s += " " + optionList(c.Options)
	}
	if c.Path != nil {
		s += " " + c.Path.String()
	}
	if len(c.Trailing) > 0 {
		s += " " + optionList(c.Trailing)
	}
	return s
}

func (c *SpathCmd) check() *posError {
	opts, perr := checkOptions("spath", c.Options, c.Trailing)
	if perr != nil {
		return perr
	}
	c.Input = opts.text("input", store.ColRaw)
	path, off := "", 0
	switch {
	case opts["path"] != nil && c.Path != nil:
		return errorfAt(c.Path.Pos.Offset, "spath takes one path: path=%s or %s, not both", opts["path"].Value, c.Path.Path)
	case opts["path"] != nil:
		path, off = string(opts["path"].Value), opts["path"].valueOffset()
	case c.Path != nil:
		path, off = string(c.Path.Path), c.Path.Pos.Offset
	}
	if o := opts["output"]; o != nil && path == "" {
		return errorfAt(o.Pos.Offset, "output= needs a path (path=P): without one spath extracts every field under its own path")
	}
	if path == "" {
		if opts["path"] != nil {
			return errorfAt(off, "the path is empty")
		}
		c.Steps, c.Output = nil, ""
		return nil
	}
	steps, bad := parseSpath(path)
	if bad >= 0 {
		return errorfAt(off, "bad spath path %q at %q: write keys with dots, {} for every element of an array and {N} for the N-th (0-based), such as \"answers{}\" or \"a.b{0}.c\"", path, path[bad:])
	}
	c.Steps = steps
	c.Output = opts.text("output", path)
	return nil
}

// outputs are the fields spath sets, when known (with a path).
func (c *SpathCmd) outputs() []string {
	if c.Steps == nil {
		return nil
	}
	return []string{c.Output}
}

// inputFields: the fields spath sets are still read, since a row whose
// input holds no such path keeps the value it had.
func (c *SpathCmd) inputFields(after fieldSet) fieldSet { return after.with(c.Input) }

func (c *SpathCmd) rowStage(*plan) (rowStage, error) { return c, nil }

// spathStep is one step of a path: a key, then zero or more array
// selections (-1 for every element, else an index).
type spathStep struct {
	key string
	idx []int
}

// parseSpath reads a path; bad is the byte offset of a mistake, or -1.
// A key may be empty only before its first brace ("{}.a" on an array).
func parseSpath(p string) (steps []spathStep, bad int) {
	off := 0
	for _, part := range strings.Split(p, ".") {
		st := spathStep{key: part}
		if i := strings.IndexAny(part, "{}"); i >= 0 {
			st.key = part[:i]
			rest := part[i:]
			at := off + i
			for rest != "" {
				j := strings.IndexByte(rest, '}')
				if rest[0] != '{' || j < 0 {
					return nil, at
				}
				n := -1
				if j > 1 {
					v, err := strconv.Atoi(rest[1:j])
					if err != nil || v < 0 || rest[1] == '+' {
						return nil, at
					}
					n = v
				}
				st.idx = append(st.idx, n)
				at += j + 1
				rest = rest[j+1:]
			}
		}
		if st.key == "" && (len(st.idx) == 0 || len(steps) > 0) {
			return nil, off
		}
		steps = append(steps, st)
		off += len(part) + 1
	}
	return steps, -1
}

// apply sets the row's fields from the JSON in its input; a row whose
// input is not JSON, or holds nothing at the path, keeps its fields.
func (c *SpathCmd) apply(b *Batch) (*Batch, error) {
	src := b.Column(c.Input)
	var out []store.Value
	if c.Steps != nil {
		out = b.Column(c.Output)
	}
	cols := map[string][]store.Value{}
	for r := 0; r < b.Len; r++ {
		v := src[r]
		if v.K != store.KindString {
			continue
		}
		doc, ok := parseJSONTree(v.S)
		if !ok {
			continue
		}
		if c.Steps != nil {
			if got, ok := doc.at(c.Steps); ok {
				out[r] = got
			}
			continue
		}
		doc.leaves(func(path string, val store.Value) {
			col, ok := cols[path]
			if !ok {
				col = b.Column(path)
				cols[path] = col
			}
			col[r] = val
		})
	}
	return b, nil
}

// PathText is the path as written, or "" for auto-extract.
func (c *SpathCmd) PathText() string {
	for _, o := range append(append([]*Option{}, c.Options...), c.Trailing...) {
		if o.Name == "path" {
			return string(o.Value)
		}
	}
	if c.Path != nil {
		return string(c.Path.Path)
	}
	return ""
}
