package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"loghunt/sigma"
	"loghunt/sigmamap"
	"loghunt/store"
)

// A hunt's literal prefilter: before any rule runs on a chunk's rows,
// every column a rule's literals are in (_raw for keywords) is scanned
// once, all rules' literals at a time (sigma.LitScanner), and a rule runs
// only on the rows that hold its literal need (sigma.NeedOf). Most rows
// of a log hold no rule's literals, so most rows are never decoded into
// an event. TestSigmaHuntPushdownOracle compares the result with every
// rule run on every event.

// huntPrefilter holds each rule's need and the scanners built so far
// (chunks of one kind share them).
type huntPrefilter struct {
	needs []*sigma.Need // by index in the matcher's Rules

	mu       sync.Mutex
	scanners map[string]*sigma.LitScanner // by the NUL-joined literals
}

func newHuntPrefilter(m *sigmamap.Matcher) *huntPrefilter {
	p := &huntPrefilter{scanners: map[string]*sigma.LitScanner{}}
	for _, c := range m.Rules {
		p.needs = append(p.needs, sigma.NeedOf(c.Rule.Expr))
	}
	return p
}

func (p *huntPrefilter) scanner(lits []string) *sigma.LitScanner {
	key := strings.Join(lits, "\x00")
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.scanners[key]
	if !ok {
		s = sigma.NewLitScanner(lits)
		p.scanners[key] = s
	}
	return s
}

// chunkNeed is a rule's need with its literals resolved to the chunk's
// columns: a NeedLit holds when any of atoms is set (none: never).
type chunkNeed struct {
	kind  sigma.NeedKind
	atoms []int32
	args  []chunkNeed
}

func (n *chunkNeed) holds(bits []uint64) bool {
	switch n.kind {
	case sigma.NeedLit:
		for _, a := range n.atoms {
			if bits[a>>6]&(1<<(a&63)) != 0 {
				return true
			}
		}
		return false
	case sigma.NeedAll:
		for i := range n.args {
			if !n.args[i].holds(bits) {
				return false
			}
		}
		return true
	}
	for i := range n.args {
		if n.args[i].holds(bits) {
			return true
		}
	}
	return false
}

// chunkPrefilter is the prefilter of one chunk.
type chunkPrefilter struct {
	rules []int        // the matcher's rules whose log source the chunk may hold
	needs []*chunkNeed // per rule in rules; nil: no need (the rule runs on every row)
	cols  []string     // the columns to scan
	lits  [][]string   // per column, its literals
	atom  [][]int32    // per column, the atom of each literal
	atoms int
	// keys[k] is a set of atoms of which a row must hold one for rule k's
	// need to hold (one clause of it, see keyAtoms); keyAny is the union,
	// nil when some rule has no need.
	keys   [][]uint64
	keyAny []uint64
}

// keyAtoms returns the atoms of one clause every row the need holds on
// has one of: the need itself for a literal or an Any, else the clause
// of an All whose shortest literal is the longest (short literals such
// as a method's "get" are in most rows).
func keyAtoms(n *chunkNeed, lits []string) (atoms []int32, minLen int) {
	switch n.kind {
	case sigma.NeedLit:
		m := 1 << 30
		for _, a := range n.atoms {
			m = min(m, len(lits[a]))
		}
		return n.atoms, m
	case sigma.NeedAny:
		m := 1 << 30
		for i := range n.args {
			as, l := keyAtoms(&n.args[i], lits)
			atoms = append(atoms, as...)
			m = min(m, l)
		}
		return atoms, m
	}
	best := -1
	for i := range n.args {
		as, l := keyAtoms(&n.args[i], lits)
		if l > best {
			atoms, best = as, l
		}
	}
	return atoms, best
}

// intersects reports whether a row's bits hold an atom of mask.
func intersects(row, mask []uint64) bool {
	for i, m := range mask {
		if row[i]&m != 0 {
			return true
		}
	}
	return false
}

// chunkSourceHolds says whether a branch of a log source holds for a
// chunk when its conditions are only on source and sourcetype (known:
// true), else that it cannot tell.
func chunkBranchHolds(b *sigmamap.Branch, c *store.Chunk) (holds, known bool) {
	get := func(f string) (string, bool) {
		switch f {
		case "source":
			return c.Source, true
		case "sourcetype":
			return c.Sourcetype, true
		}
		return "", false
	}
	for _, cond := range b.Conds {
		if cond.Field != "source" && cond.Field != "sourcetype" {
			return false, false
		}
	}
	return b.Holds(get), true
}

// plan resolves the rules' needs for a chunk whose fields are idx (as
// rowEvent names them: columns, source, sourcetype, spaceless aliases).
func (p *huntPrefilter) plan(m *sigmamap.Matcher, c *store.Chunk, idx map[string]int, names []string) *chunkPrefilter {
	cp := &chunkPrefilter{}
	colOf := map[string]int{}
	atomOf := map[[2]string]int32{}
	atomFor := func(col, lit string) int32 {
		key := [2]string{col, lit}
		if a, ok := atomOf[key]; ok {
			return a
		}
		ci, ok := colOf[col]
		if !ok {
			ci = len(cp.cols)
			colOf[col] = ci
			cp.cols = append(cp.cols, col)
			cp.lits = append(cp.lits, nil)
			cp.atom = append(cp.atom, nil)
		}
		a := int32(cp.atoms)
		cp.atoms++
		atomOf[key] = a
		cp.lits[ci] = append(cp.lits[ci], lit)
		cp.atom[ci] = append(cp.atom[ci], a)
		return a
	}
	for i, rc := range m.Rules {
		var renames []map[string]string
		for k := range rc.Source.Branches {
			b := &rc.Source.Branches[k]
			if holds, known := chunkBranchHolds(b, c); known && !holds {
				continue
			}
			renames = append(renames, b.Rename)
		}
		if len(renames) == 0 {
			continue
		}
		cp.rules = append(cp.rules, i)
		need := p.needs[i]
		if need == nil {
			cp.needs = append(cp.needs, nil)
			continue
		}
		var resolve func(n *sigma.Need) chunkNeed
		resolve = func(n *sigma.Need) chunkNeed {
			out := chunkNeed{kind: n.Kind}
			if n.Kind != sigma.NeedLit {
				for _, a := range n.Args {
					out.args = append(out.args, resolve(a))
				}
				return out
			}
			var cols []string
			if n.Field == "" {
				cols = append(cols, store.ColRaw)
			} else {
				for _, rn := range renames {
					name := n.Field
					if to, ok := rn[name]; ok {
						name = to
					}
					if name == store.ColRaw {
						cols = append(cols, store.ColRaw)
					} else if ci, ok := idx[name]; ok {
						cols = append(cols, names[ci])
					}
				}
			}
			slices.Sort(cols)
			for _, col := range slices.Compact(cols) {
				out.atoms = append(out.atoms, atomFor(col, n.Lit))
			}
			return out
		}
		cn := resolve(need)
		cp.needs = append(cp.needs, &cn)
	}
	// The literal of each atom, for keyAtoms.
	atomLit := make([]string, cp.atoms)
	for ci := range cp.cols {
		for j, a := range cp.atom[ci] {
			atomLit[a] = cp.lits[ci][j]
		}
	}
	words := (cp.atoms + 63) / 64
	cp.keyAny = make([]uint64, words)
	for _, n := range cp.needs {
		if n == nil {
			cp.keys = append(cp.keys, nil)
			cp.keyAny = nil
			continue
		}
		mask := make([]uint64, words)
		atoms, _ := keyAtoms(n, atomLit)
		for _, a := range atoms {
			mask[a>>6] |= 1 << (a & 63)
		}
		cp.keys = append(cp.keys, mask)
		if cp.keyAny != nil {
			for i, m := range mask {
				cp.keyAny[i] |= m
			}
		}
	}
	return cp
}

// scan sets, for every row, the bits of the atoms its values hold: bits
// has words words per row.
func (p *huntPrefilter) scan(cp *chunkPrefilter, rows *store.Rows, n int) (bits []uint64, words int, err error) {
	words = (cp.atoms + 63) / 64
	bits = make([]uint64, n*words)
	for ci, col := range cp.cols {
		sc := p.scanner(cp.lits[ci])
		atoms := cp.atom[ci]
		if col != store.ColRaw {
			d, err := rows.Dict(col)
			if err != nil {
				return nil, 0, fmt.Errorf("column %s: %w", col, err)
			}
			if d != nil && d.Rows() == n {
				// each distinct value scanned once
				code := make([][]int32, d.Len()+1)
				for k := 1; k <= d.Len(); k++ {
					sc.Scan(d.Value(uint16(k)).String(), func(l int32) { code[k] = append(code[k], atoms[l]) })
				}
				for r := range n {
					for _, a := range code[d.Code(r)] {
						bits[r*words+int(a>>6)] |= 1 << (a & 63)
					}
				}
				continue
			}
		}
		vals, err := rows.Values(col)
		if err != nil {
			return nil, 0, fmt.Errorf("column %s: %w", col, err)
		}
		texts := make([]string, n)
		for r := range n {
			if v := vals[r]; !v.IsNull() {
				texts[r] = v.String()
			}
		}
		sc.ScanRows(texts, func(r int, l int32) {
			a := atoms[l]
			bits[r*words+int(a>>6)] |= 1 << (a & 63)
		})
	}
	return bits, words, nil
}
