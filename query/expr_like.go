package query

import (
	"unicode/utf8"

	"loghunt/store"
)

// likeNode is `x LIKE pattern`: SQL wildcards, % any run of characters
// and _ one character, a backslash escaping either; case-sensitive; the
// whole value must match. Null on either side gives null.
type likeNode struct {
	x, pat exprNode
}

func newLikeNode(x, pat exprNode) exprNode { return &likeNode{x: x, pat: pat} }

func (n *likeNode) bind(b *Batch) evalFn {
	x, pat := n.x.bind(b), n.pat.bind(b)
	return func(r int) store.Value {
		v, p := x(r), pat(r)
		if v.IsNull() || p.IsNull() {
			return store.Null
		}
		return store.Bool(likeMatch(p.String(), v.String()))
	}
}

// likeMatch reports whether s matches the LIKE pattern p. A % remembers
// where to resume, so the match is linear in practice and never
// exponential.
func likeMatch(p, s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			switch {
			case c == '%':
				starP, starS = pi, si
				pi++
				continue
			case c == '_':
				_, n := utf8.DecodeRuneInString(s[si:])
				pi, si = pi+1, si+n
				continue
			case c == '\\' && pi+1 < len(p):
				c = p[pi+1]
				if s[si] == c {
					pi, si = pi+2, si+1
					continue
				}
			case s[si] == c:
				pi, si = pi+1, si+1
				continue
			}
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}
