package query

import (
	"math"
	"net/netip"
	"slices"
	"unicode/utf8"

	"loghunt/store"
)

// Functions for hunting: masking addresses to their network and the
// randomness of a string (generated domains, encoded command lines).
func init() {
	funcs["ipmask"] = funcDef{2, 2, buildIPMask}
	funcs["entropy"] = funcDef{1, 1, strict1(func(v store.Value) store.Value { return store.Float(shannonEntropy(v.String())) })}
}

// buildIPMask is ipmask(mask, ip): ip AND mask, byte by byte, as Splunk
// does ("255.255.255.0" and "10.1.2.3" give "10.1.2.0"). Both are IPv4
// (or both IPv6); an ip that is not an address, or of the other family,
// gives null. A literal mask is checked here.
func buildIPMask(fb *fnBuild) (exprNode, *posError) {
	if s, ok := fb.constString(0); ok {
		if _, err := netip.ParseAddr(s); err != nil {
			return nil, errorAtPos(fb.call.Args[0].Pos, "bad mask %q: ipmask takes a mask written as an address, such as \"255.255.255.0\"", s)
		}
	}
	return &strictNode{args: fb.args, f: func(v []store.Value) store.Value {
		if anyNullValue(v) {
			return store.Null
		}
		return ipMask(v[0].String(), v[1].String())
	}}, nil
}

func ipMask(mask, ip string) store.Value {
	m, err := netip.ParseAddr(mask)
	if err != nil {
		return store.Null
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return store.Null
	}
	m, a = m.Unmap(), a.Unmap()
	if m.Is4() != a.Is4() {
		return store.Null
	}
	mb, ab := m.AsSlice(), a.AsSlice()
	for i := range ab {
		ab[i] &= mb[i]
	}
	out, _ := netip.AddrFromSlice(ab)
	return store.Str(out.String())
}

// shannonEntropy is the Shannon entropy of s in bits per character:
// -sum p log2 p over the characters' frequencies p (0 for "").
func shannonEntropy(s string) float64 {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return 0
	}
	counts := map[rune]int{}
	for _, r := range s {
		counts[r]++
	}
	// Summed in a fixed order, so the last bits are the same every run.
	cs := make([]int, 0, len(counts))
	for _, c := range counts {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	h := 0.0
	for _, c := range cs {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}
