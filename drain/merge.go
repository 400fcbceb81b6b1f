package drain

import (
	"hash/maphash"
	"strings"
)

// The merge steps run over the groups' templates once lines are in, as
// Brain (Yu et al., "Brain: Log Parsing with Bidirectional Parallel Tree",
// IEEE TSC 2023) finds the variables of a log's messages from how their
// words vary across the whole log rather than line by line. Drain keeps
// apart two kinds of line that are one message:
//
//   - Lines whose first tokens differ: they take different branches of
//     the tree and never meet, however many values the token takes
//     (com.apple.A.daily: ..., com.apple.B.daily: ..., one cluster each).
//     Sibling merge: templates of the same length that differ only at
//     one position, where more than SplitMax distinct tokens occur (the
//     bound under which a position splits a cluster as a constant) and
//     every one of them is a name (nameLike: a dotted name, a path, an id
//     with `_`), are one template with <*> there. Plain words stay apart
//     however many: HPC's "boot (command N)", "halt (command N)" and four
//     more are six messages in the loghub ground truth, and merging them
//     cost 0.07 of its GA.
//   - Lines with a different number of tokens: a variable that is
//     sometimes absent or spans several tokens ("0 bytes sent" beside
//     "89652 bytes (87.5 KB) sent", "lifetime 00:01" beside "lifetime <1
//     sec", a list of channels). Skeleton merge: templates whose
//     constant tokens, in order, are the same are one template. A token
//     counts as variable when it is only <*> and punctuation, <*> with a
//     unit of size or time glued after it (<*>ms), or such a unit after
//     a variable token (the KB of "(<*> KB)"), or a repeat of the token
//     or the two or three tokens before it when they have a <*> (a list:
//     blk_<*> blk_<*> blk_<*>). So the groups a cluster split into by B
//     against KB join again.
//
// A merged template keeps the tokens its templates share; where they
// differ, one <*> (keeping the brackets or punctuation both had around
// it) stands for the differing tokens.

// unitWords are the units of size and time that may follow a number.
var unitWords = map[string]bool{
	"B": true, "kB": true, "KB": true, "MB": true, "GB": true, "TB": true, "PB": true,
	"KiB": true, "MiB": true, "GiB": true, "TiB": true, "Kb": true, "Mb": true, "Gb": true,
	"ns": true, "us": true, "ms": true, "s": true, "sec": true, "secs": true, "min": true, "mins": true,
}

// isVarToken reports whether a template token is only variable: it has a
// <*>, and besides its <*>s and the units right after them it has only
// punctuation (no letter, digit or non-ASCII byte).
func isVarToken(t string) bool {
	if !strings.Contains(t, Wild) {
		return false
	}
	for i := 0; i < len(t); {
		if strings.HasPrefix(t[i:], Wild) {
			i += len(Wild)
			n := 0
			for i+n < len(t) && maskIsLetter(t[i+n]) {
				n++
			}
			if n > 0 && unitWords[t[i:i+n]] && maskEnds(t, i+n) {
				i += n
			}
			continue
		}
		if maskIsWord(t[i]) {
			return false
		}
		i++
	}
	return true
}

// isUnitToken reports whether t is a unit, with punctuation around it.
func isUnitToken(t string) bool {
	i, j := 0, len(t)
	for i < j && !maskIsWord(t[i]) {
		i++
	}
	for j > i && !maskIsWord(t[j-1]) {
		j--
	}
	return unitWords[t[i:j]]
}

// variableTokens marks the tokens of a template that are variable (see
// isVarToken), with the units that follow a variable token ending in <*>,
// and the repeats of a run of one to three tokens with a <*> right after
// it: the list of "delete blk_<*> blk_<*> blk_<*>" or "node-<*> <*> <ok>
// node-<*> <*> <ok>" is variable after its first item.
func variableTokens(toks []string, dst []bool) []bool {
	dst = dst[:0]
	for i, t := range toks {
		v := isVarToken(t)
		if !v && i > 0 && dst[i-1] && strings.HasSuffix(toks[i-1], Wild) && isUnitToken(t) {
			v = true
		}
		dst = append(dst, v)
	}
	for i := 1; i < len(toks); {
		p := repeatLen(toks, i)
		if p == 0 {
			i++
			continue
		}
		for j := i; j < i+p; j++ {
			dst[j] = true
		}
		i += p
	}
	return dst
}

// repeatLen returns p when toks[i:i+p] repeats toks[i-p:i], for the
// shortest p of 1 to 3 whose run has a <*>, or 0.
func repeatLen(toks []string, i int) int {
	for p := 1; p <= 3 && p <= i && i+p <= len(toks); p++ {
		if toks[i] != toks[i-p] {
			continue
		}
		wild := false
		same := true
		for j := range p {
			same = same && toks[i+j] == toks[i-p+j]
			wild = wild || strings.Contains(toks[i+j], Wild)
		}
		if same && wild {
			return p
		}
	}
	return 0
}

// mergeTemplates returns the final text of each template (as tokens):
// the templates after the sibling merge (with a position of more than
// many distinct tokens; 0 turns it off) and the skeleton merge.
func mergeTemplates(tmpls [][]string, many int) []string {
	// distinct templates
	byText := make(map[string]int, len(tmpls))
	of := make([]int, len(tmpls)) // tmpls[i] is uniq[of[i]]
	var uniq [][]string
	for i, t := range tmpls {
		text := strings.Join(t, " ")
		k, ok := byText[text]
		if !ok {
			k = len(uniq)
			byText[text] = k
			uniq = append(uniq, t)
		}
		of[i] = k
	}
	u := newUnionFind(len(uniq))
	if many > 0 {
		siblingMerge(uniq, many, u)
	}
	// each set of the sibling merge, as one template
	sets := u.sets()
	merged := make([][]string, len(uniq)) // by set root
	for root, members := range sets {
		merged[root] = mergeSameLength(uniq, members)
	}
	// skeleton merge over the sets
	u2 := newUnionFind(len(uniq))
	byKey := map[string]int{}
	var isVar []bool
	var key strings.Builder
	for root := range sets {
		toks := merged[root]
		if len(toks) == 1 && toks[0] == Overflow {
			continue
		}
		isVar = variableTokens(toks, isVar)
		key.Reset()
		for i, t := range toks {
			if !isVar[i] {
				key.WriteString(t)
				key.WriteByte(0)
			}
		}
		if k, ok := byKey[key.String()]; ok {
			u2.union(k, root)
		} else {
			byKey[key.String()] = root
		}
	}
	text := make([]string, len(uniq))
	for _, roots := range u2.sets() {
		var t string
		if len(roots) == 1 {
			t = strings.Join(merged[roots[0]], " ")
		} else {
			t = strings.Join(mergeSkeletons(merged, roots), " ")
		}
		for _, r := range roots {
			for _, k := range sets[r] {
				text[k] = t
			}
		}
	}
	out := make([]string, len(tmpls))
	for i, k := range of {
		out[i] = text[k]
	}
	return out
}

// siblingMerge joins the templates of the same length that differ at one
// position only, where more than many distinct tokens occur, all names.
// Candidates meet by a hash of the tokens before and after the position
// and are compared token by token before they join.
func siblingMerge(uniq [][]string, many int, u *unionFind) {
	type key struct {
		n, i   int
		before uint64
		after  uint64
	}
	seed := maphash.MakeSeed()
	// Only a position where every template has a name can merge: the
	// first pass files the templates by their names, the second marks
	// the buckets a template without a name there would have joined.
	buckets := map[key][]int{}
	blocked := map[key]bool{}
	var h, pre, suf []uint64
	for pass := range 2 {
		for k, toks := range uniq {
			n := len(toks)
			if n < 2 {
				continue
			}
			h, pre, suf = h[:0], pre[:0], suf[:0]
			constant := 0 // tokens without <*>
			for _, t := range toks {
				h = append(h, maphash.String(seed, t))
				if !strings.Contains(t, Wild) {
					constant++
				}
			}
			pre = append(pre, 0)
			for j := range n {
				pre = append(pre, pre[j]*0x100000001b3+h[j]+1)
			}
			suf = append(suf, make([]uint64, n+1)...)
			for j := n - 1; j >= 0; j-- {
				suf[j] = suf[j+1]*0x9e3779b97f4a7c15 + h[j] + 1
			}
			for i, t := range toks {
				rest := constant
				if !strings.Contains(t, Wild) {
					rest--
				}
				if rest == 0 { // nothing constant left to say what the message is
					continue
				}
				kk := key{n, i, pre[i], suf[i+1]}
				switch name := nameLike(t); {
				case pass == 0 && name:
					buckets[kk] = append(buckets[kk], k)
				case pass == 1 && !name:
					if _, ok := buckets[kk]; ok {
						blocked[kk] = true
					}
				}
			}
		}
	}
	for kk, members := range buckets {
		if len(members) <= many || blocked[kk] {
			continue
		}
		first := uniq[members[0]]
		same := members[:0:0]
		for _, m := range members {
			if sameExcept(first, uniq[m], kk.i) {
				same = append(same, m)
			}
		}
		distinct := map[string]bool{}
		for _, m := range same {
			distinct[uniq[m][kk.i]] = true
		}
		if len(distinct) > many {
			for _, m := range same[1:] {
				u.union(same[0], m)
			}
		}
	}
}

// sameExcept reports whether a and b, of one length, agree but at i.
func sameExcept(a, b []string, i int) bool {
	for j := range a {
		if j != i && a[j] != b[j] {
			return false
		}
	}
	return true
}

// mergeSameLength merges templates of one length position by position.
func mergeSameLength(uniq [][]string, members []int) []string {
	out := append([]string(nil), uniq[members[0]]...)
	for _, m := range members[1:] {
		for j, t := range uniq[m] {
			out[j] = mergeToken(out[j], t)
		}
	}
	return out
}

// mergeSkeletons merges templates that share their constant tokens: the
// constants stay, and each run of variable tokens between two constants
// stays when every template has the same run there, else is merged
// position by position when the runs have one length, else is one <*>.
func mergeSkeletons(merged [][]string, roots []int) []string {
	type split struct {
		consts []string
		gaps   [][]string // len(consts)+1 runs of variable tokens
	}
	var isVar []bool
	parts := make([]split, len(roots))
	for r, root := range roots {
		toks := merged[root]
		isVar = variableTokens(toks, isVar)
		s := split{gaps: [][]string{nil}}
		for i, t := range toks {
			if isVar[i] {
				s.gaps[len(s.gaps)-1] = append(s.gaps[len(s.gaps)-1], t)
				continue
			}
			s.consts = append(s.consts, t)
			s.gaps = append(s.gaps, nil)
		}
		parts[r] = s
	}
	var out []string
	for g := range parts[0].gaps {
		if g > 0 {
			out = append(out, parts[0].consts[g-1])
		}
		gap := parts[0].gaps[g]
		sameLen, same := true, true
		for _, p := range parts[1:] {
			o := p.gaps[g]
			if len(o) != len(gap) {
				sameLen, same = false, false
				break
			}
			for j := range o {
				same = same && o[j] == gap[j]
			}
		}
		switch {
		case same:
			out = append(out, gap...)
		case sameLen:
			run := append([]string(nil), gap...)
			for _, p := range parts[1:] {
				for j, t := range p.gaps[g] {
					run[j] = mergeToken(run[j], t)
				}
			}
			out = append(out, run...)
		default:
			out = append(out, Wild)
		}
	}
	return out
}

// mergeToken is the token of a merged template where two templates have a
// and b: a when they agree, else <*> with the opening brackets or quotes
// both start with and the closing brackets, quotes or punctuation both end
// with ("(x," and "(y," give "(<*>,").
func mergeToken(a, b string) string {
	if a == b {
		return a
	}
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] && strings.IndexByte("([{'\"", a[p]) >= 0 {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] && strings.IndexByte(")]}'\",;:.", a[len(a)-1-s]) >= 0 {
		s++
	}
	return a[:p] + Wild + a[len(a)-s:]
}

// unionFind is a disjoint-set forest over 0..n-1.
type unionFind struct{ parent []int }

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int, n)}
	for i := range u.parent {
		u.parent[i] = i
	}
	return u
}

func (u *unionFind) find(i int) int {
	for u.parent[i] != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = u.parent[i]
	}
	return i
}

// union joins the sets of i and j; the smaller index is the root, so
// sets are rooted at their oldest member.
func (u *unionFind) union(i, j int) {
	a, b := u.find(i), u.find(j)
	if a == b {
		return
	}
	if b < a {
		a, b = b, a
	}
	u.parent[b] = a
}

// sets returns the members of each set, in order, by root.
func (u *unionFind) sets() map[int][]int {
	out := map[int][]int{}
	for i := range u.parent {
		r := u.find(i)
		out[r] = append(out[r], i)
	}
	return out
}

// nameLike reports whether a token names something (a dotted name, a
// path, an address, an id with `_`): it has `.`, `/`, `\`, `@` or `_`
// between word bytes, or a <*>.
func nameLike(t string) bool {
	if strings.Contains(t, Wild) {
		return true
	}
	for i := 1; i+1 < len(t); i++ {
		if strings.IndexByte("./\\@_", t[i]) >= 0 && maskIsWord(t[i-1]) && maskIsWord(t[i+1]) {
			return true
		}
	}
	return false
}
