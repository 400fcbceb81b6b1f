package sigma

// LitScanner finds which of a set of ASCII literals occur in a text, with
// ASCII letters compared case-insensitively: one pass over the text
// however many literals there are. It is the Aho–Corasick automaton
// (Aho and Corasick 1975) turned into a table-driven DFA over byte
// classes: the bytes no literal uses share one class, so the table stays
// small. A LitScanner is safe for concurrent use.
type LitScanner struct {
	class  [256]uint8
	stride uint32   // classes per state
	next   []uint32 // next[state*stride+class]: next state*stride, with outFlag when it ends literals
	outs   [][]int32
}

const outFlag = 1 << 31

// NewLitScanner builds the scanner of lits (each lower-case ASCII and not
// empty; Scan reports a literal by its index).
func NewLitScanner(lits []string) *LitScanner {
	s := &LitScanner{}
	n := uint8(1) // class 0: bytes of no literal
	for _, l := range lits {
		for i := 0; i < len(l); i++ {
			c := lowerByte(l[i])
			if s.class[c] == 0 {
				s.class[c] = n
				if c >= 'a' && c <= 'z' {
					s.class[c-'a'+'A'] = n
				}
				n++
			}
		}
	}
	stride := int(n)
	s.stride = uint32(stride)
	// The trie: goto_[state*stride+class], -1 for none.
	goto_ := make([]int32, stride)
	for i := range goto_ {
		goto_[i] = -1
	}
	own := [][]int32{nil}
	for li, l := range lits {
		st := 0
		for i := 0; i < len(l); i++ {
			c := int(s.class[l[i]])
			nx := goto_[st*stride+c]
			if nx < 0 {
				nx = int32(len(own))
				goto_[st*stride+c] = nx
				own = append(own, nil)
				for range stride {
					goto_ = append(goto_, -1)
				}
			}
			st = int(nx)
		}
		own[st] = append(own[st], int32(li))
	}
	states := len(own)
	// delta: the DFA in state numbers, completed breadth first (a
	// state's failure state is shallower, so its row is complete when
	// the state is reached).
	delta := make([]int32, states*stride)
	fail := make([]int32, states)
	s.outs = make([][]int32, states)
	queue := make([]int32, 0, states)
	for c := range stride {
		if nx := goto_[c]; nx >= 0 {
			delta[c] = nx
			queue = append(queue, nx)
		}
	}
	for h := 0; h < len(queue); h++ {
		st := int(queue[h])
		f := int(fail[st])
		if len(own[st])+len(s.outs[f]) > 0 {
			s.outs[st] = append(append([]int32(nil), own[st]...), s.outs[f]...)
		}
		for c := range stride {
			nx := goto_[st*stride+c]
			if nx < 0 {
				delta[st*stride+c] = delta[f*stride+c]
				continue
			}
			fail[nx] = delta[f*stride+c]
			delta[st*stride+c] = nx
			queue = append(queue, nx)
		}
	}
	s.next = make([]uint32, len(delta))
	for i, d := range delta {
		s.next[i] = uint32(d) * uint32(stride)
		if len(s.outs[d]) > 0 {
			s.next[i] |= outFlag
		}
	}
	return s
}

// Scan calls found for every literal occurring in text (once per
// occurrence end; a literal may be reported more than once).
func (s *LitScanner) Scan(text string, found func(lit int32)) {
	next, stride := s.next, s.stride
	st := uint32(0)
	for i := 0; i < len(text); i++ {
		st = next[st+uint32(s.class[text[i]])]
		if st&outFlag != 0 {
			st &^= outFlag
			for _, l := range s.outs[st/stride] {
				found(l)
			}
		}
	}
}
