package sigma

import "sync"

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

// ScanRows calls found(row, lit) for every literal occurring in
// texts[row], as Scan does for each text (a literal may be reported more
// than once for a row). The texts are laid end to end, each followed by a
// byte no literal has (which takes the automaton back to its start), and
// the whole is walked as four parts side by side, one byte of each per
// step: the automaton's steps in one text wait on each other (each is a
// load from the table at the state the last one gave), while those of
// four parts do not, so the processor overlaps them.
func (s *LitScanner) ScanRows(texts []string, found func(row int, lit int32)) {
	n := len(texts)
	sep, ok := s.separator()
	if n < 8 || !ok {
		for r, t := range texts {
			s.Scan(t, func(l int32) { found(r, l) })
		}
		return
	}
	total := n
	for _, t := range texts {
		total += len(t)
	}
	bp := rowsBufs.Get().(*[]byte)
	buf := (*bp)[:0]
	if cap(buf) < total {
		buf = make([]byte, 0, total)
	}
	offs := make([]int, n+1) // offs[r]: where texts[r] starts in buf
	for r, t := range texts {
		offs[r] = len(buf)
		buf = append(buf, t...)
		buf = append(buf, sep)
	}
	offs[n] = len(buf)
	next, stride, class := s.next, s.stride, &s.class
	// rowAt is the row of the byte at p, searched in the rows of a part.
	rowAt := func(p, lo, hi int) int {
		for lo < hi-1 {
			mid := (lo + hi) / 2
			if offs[mid] <= p {
				lo = mid
			} else {
				hi = mid
			}
		}
		return lo
	}
	var first, last [4]int // each part's rows
	var parts [4][]byte
	for k := range 4 {
		first[k], last[k] = k*n/4, (k+1)*n/4
		parts[k] = buf[offs[first[k]]:offs[last[k]]]
	}
	m := min(len(parts[0]), len(parts[1]), len(parts[2]), len(parts[3]))
	p0, p1, p2, p3 := parts[0][:m], parts[1][:m], parts[2][:m], parts[3][:m]
	var s0, s1, s2, s3 uint32
	for j := 0; j < m; j++ {
		j, s0, s1, s2, s3 = step4(next, class, p0, p1, p2, p3, j, s0, s1, s2, s3)
		if j == m {
			break
		}
		for k, st := range [4]uint32{s0, s1, s2, s3} {
			if st&outFlag != 0 {
				row := rowAt(offs[first[k]]+j, first[k], last[k])
				for _, l := range s.outs[(st&^outFlag)/stride] {
					found(row, l)
				}
			}
		}
		s0, s1, s2, s3 = s0&^outFlag, s1&^outFlag, s2&^outFlag, s3&^outFlag
	}
	// The rest of each part.
	for k, st := range [4]uint32{s0, s1, s2, s3} {
		base := offs[first[k]]
		for j := m; j < len(parts[k]); j++ {
			st = next[st+uint32(class[parts[k][j]])]
			if st&outFlag != 0 {
				st &^= outFlag
				row := rowAt(base+j, first[k], last[k])
				for _, l := range s.outs[st/stride] {
					found(row, l)
				}
			}
		}
	}
	*bp = buf
	rowsBufs.Put(bp)
}

// step4 steps the automaton over four parts of one length from j until
// one of them ends literals (it returns where, with the states) or the
// parts end (it returns their length). Its own function so that the
// states stay in registers.
func step4(next []uint32, class *[256]uint8, p0, p1, p2, p3 []byte, j int, s0, s1, s2, s3 uint32) (int, uint32, uint32, uint32, uint32) {
	p1, p2, p3 = p1[:len(p0)], p2[:len(p0)], p3[:len(p0)]
	for ; j < len(p0); j++ {
		s0 = next[s0+uint32(class[p0[j]])]
		s1 = next[s1+uint32(class[p1[j]])]
		s2 = next[s2+uint32(class[p2[j]])]
		s3 = next[s3+uint32(class[p3[j]])]
		if (s0|s1|s2|s3)&outFlag != 0 {
			return j, s0, s1, s2, s3
		}
	}
	return j, s0, s1, s2, s3
}

var rowsBufs = sync.Pool{New: func() any { return new([]byte) }}

// separator returns a byte of no literal: from every state it leads back
// to the start.
func (s *LitScanner) separator() (byte, bool) {
	for _, c := range []byte{'\n', 0} {
		if s.class[c] == 0 {
			return c, true
		}
	}
	for c := range 256 {
		if s.class[c] == 0 {
			return byte(c), true
		}
	}
	return 0, false
}
