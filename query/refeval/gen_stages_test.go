package refeval

import "loghunt/store"

// Generators of the stages added with multi-values and the Splunk
// staples (fillnull, mvexpand): the rest are in gen_test.go.

// mvexpand splits a field into a multi-value and expands it, or expands
// a field as it is.
func (g *gen) mvexpand(s schema) (string, schema) {
	lim := ""
	if g.chance(0.3) {
		lim = " limit=" + pickOf(g, []string{"1", "2", "5"})
	}
	f := g.field(s)
	if f == store.ColTime || g.chance(0.3) {
		return "mvexpand " + argField(f) + lim, s
	}
	name := g.name("mv")
	sep := quote(pickOf(g, []string{" ", ".", "/", ":", "=", ""}))
	out := s.with(name)
	out.ordered = s.ordered
	return "eval " + name + " = split(" + exprField(f) + ", " + sep + ") | mvexpand " + name + lim, out
}

// fillnull fills some fields, or every one.
func (g *gen) fillnull(s schema) (string, schema) {
	st := "fillnull"
	if g.chance(0.5) {
		st += " value=" + pickOf(g, []string{"0", "NA", `"n a"`, "1.5", "-3", "x"})
	}
	if g.chance(0.4) {
		return st, s
	}
	var fs []string
	for n := 1 + g.pick(3); n > 0; n-- {
		fs = append(fs, g.field(s))
	}
	return st + " " + argList(fs), s.with(fs...)
}
