package sigma

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Options configure compilation.
type Options struct {
	// Placeholders gives the values of %name% placeholders used under
	// the expand modifier; a rule using one that is not here cannot run.
	Placeholders map[string][]string
}

// compiler collects the problems of one document.
type compiler struct {
	file, rule string
	opts       Options
	problems   []Problem
}

func (c *compiler) problem(n *yaml.Node, kind Kind, msg string) {
	p := Problem{File: c.file, Rule: c.rule, Kind: kind, Msg: msg}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	c.problems = append(c.problems, p)
}

// compileDetection compiles a detection section (or a filter section):
// each search identifier, then the condition over them. skip names keys
// of the section that are not search identifiers.
func (c *compiler) compileDetection(det *yaml.Node, skip map[string]bool) (Node, map[string]Node) {
	det = deref(det)
	if det == nil || det.Kind != yaml.MappingNode {
		c.problem(det, KindBadValue, "detection must be a map of search identifiers and a condition")
		return nil, nil
	}
	idents := map[string]Node{}
	var condNode *yaml.Node
	failed := false
	mapPairs(det, func(k, v *yaml.Node) {
		switch {
		case k.Value == "condition":
			condNode = v
			return
		case k.Value == "timeframe" || skip[k.Value]:
			return // timeframe belonged to Sigma 1 aggregations, which are reported with the condition
		}
		n0 := len(c.problems)
		n := c.compileSearch(k, v)
		if n == nil || len(c.problems) > n0 {
			failed = true
			return
		}
		idents[k.Value] = n
	})
	if condNode == nil {
		c.problem(det, KindMissing, "detection has no condition")
		return nil, idents
	}
	conds, ok := stringList(condNode)
	if !ok || len(conds) == 0 {
		c.problem(condNode, KindCondition, "condition must be a string or a list of strings")
		return nil, idents
	}
	var alts []Node
	for _, cs := range conds {
		parsed, err := parseCondition(cs)
		if err == nil && !failed {
			var n Node
			n, err = resolveCondition(parsed, idents)
			alts = append(alts, n)
		} else if err == nil {
			// identifiers failed to compile: check the names only
			_, err = resolveCondition(parsed, stubIdents(det, skip))
		}
		if err != nil {
			c.problems = append(c.problems, Problem{File: c.file, Rule: c.rule, Line: condNode.Line,
				Col: condNode.Column, CondCol: err.col, Kind: KindCondition,
				Msg: fmt.Sprintf("condition %q: %s", cs, err.msg)})
			return nil, idents
		}
	}
	if failed {
		return nil, idents
	}
	if len(alts) == 1 {
		return alts[0], idents
	}
	return &Or{Args: alts}, idents
}

func stubIdents(det *yaml.Node, skip map[string]bool) map[string]Node {
	m := map[string]Node{}
	mapPairs(det, func(k, v *yaml.Node) {
		if k.Value != "condition" && k.Value != "timeframe" && !skip[k.Value] {
			m[k.Value] = &Bool{V: true}
		}
	})
	return m
}

// compileSearch compiles one search identifier: a map (items AND'ed), a
// list (elements OR'ed: plain values are keywords on the raw text, maps
// are AND'ed items) or a single keyword.
func (c *compiler) compileSearch(k, v *yaml.Node) Node {
	switch v.Kind {
	case yaml.MappingNode:
		return c.compileMap(v)
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			c.problem(v, KindBadValue, fmt.Sprintf("search identifier %q is an empty list", k.Value))
			return nil
		}
		var args []Node
		var keywords []*yaml.Node
		for _, e := range v.Content {
			e = deref(e)
			switch e.Kind {
			case yaml.MappingNode:
				n := c.compileMap(e)
				if n == nil {
					return nil
				}
				args = append(args, n)
			case yaml.ScalarNode:
				if isNull(e) {
					c.problem(e, KindBadValue, fmt.Sprintf("search identifier %q: null is not a keyword", k.Value))
					return nil
				}
				keywords = append(keywords, e)
			default:
				c.problem(e, KindBadValue, fmt.Sprintf("search identifier %q: a list may hold keywords or maps, not lists", k.Value))
				return nil
			}
		}
		if len(keywords) > 0 {
			seq := &yaml.Node{Kind: yaml.SequenceNode, Content: keywords, Line: keywords[0].Line, Column: keywords[0].Column}
			n := c.compileItem(k, "", nil, seq)
			if n == nil {
				return nil
			}
			args = append(args, n)
		}
		if len(args) == 1 {
			return args[0]
		}
		return &Or{Args: args}
	case yaml.ScalarNode:
		if isNull(v) {
			c.problem(v, KindBadValue, fmt.Sprintf("search identifier %q is empty", k.Value))
			return nil
		}
		return c.compileItem(k, "", nil, v)
	}
	c.problem(v, KindBadValue, fmt.Sprintf("search identifier %q must be a map or a list", k.Value))
	return nil
}

// compileMap compiles `field|mods: values` items, AND'ed. A key that is
// empty before its first `|` (`'|all':`) is a keyword search.
func (c *compiler) compileMap(m *yaml.Node) Node {
	var args []Node
	ok := true
	mapPairs(m, func(k, v *yaml.Node) {
		parts := strings.Split(k.Value, "|")
		n := c.compileItem(k, parts[0], parts[1:], v)
		if n == nil {
			ok = false
			return
		}
		args = append(args, n)
	})
	if !ok {
		return nil
	}
	if len(args) == 0 {
		c.problem(m, KindBadValue, "empty map in detection")
		return nil
	}
	if len(args) == 1 {
		return args[0]
	}
	return &And{Args: args}
}
