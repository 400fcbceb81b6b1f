package store

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPackedCodesAgree checks packed dictionary codes against the same
// codes a byte each (the form every other path reads), on random codes,
// value counts, row slices and match tables: Code, Rows, matchTable,
// appendMatching and selectRows must give the same answers.
func TestPackedCodesAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for iter := range 3000 {
		nvals := 1 + r.IntN(15)
		bits := packedBits(nvals)
		rows := r.IntN(1200)
		sec := []byte{1}
		for range rows {
			c := r.IntN(nvals + 1)
			if r.IntN(50) == 0 { // damage: a code past the values
				c = nvals + 1 + r.IntN(int(1<<bits)-nvals)
				if c >= 1<<bits {
					c = 0
				}
			}
			sec = append(sec, byte(c))
		}
		packed := appendPackedCodes(nil, sec, bits)
		offs := make([]uint32, nvals+1) // values are not read here
		plain := &Dict{ents: nil, offs: offs}
		if err := plain.decodeCodes(sec, rows); err != nil {
			t.Fatal(err)
		}
		pd := &Dict{offs: offs}
		if err := pd.decodePacked(packed, rows); err != nil {
			t.Fatal(err)
		}
		if err := (&Dict{offs: offs}).decodePacked(packed[:len(packed)-1], rows); rows > 0 && err == nil {
			t.Fatal("short packed codes accepted")
		}
		lo := r.IntN(rows + 1)
		hi := lo + r.IntN(rows-lo+1)
		a, b := plain.slice(lo, hi), pd.slice(lo, hi)
		if a.Rows() != b.Rows() {
			t.Fatalf("iter %d: rows %d vs %d", iter, a.Rows(), b.Rows())
		}
		for i := range a.Rows() {
			if a.Code(i) != b.Code(i) {
				t.Fatalf("iter %d: row %d code %d vs %d", iter, i, a.Code(i), b.Code(i))
			}
		}
		table := make([]bool, nvals+1)
		switch r.IntN(3) {
		case 0: // one value, as a field compared with one value
			table[1+r.IntN(nvals)] = true
		default:
			for i := range table {
				table[i] = r.IntN(2) == 0
			}
		}
		ma, mb := a.appendMatching(table, nil), b.appendMatching(table, nil)
		if !slices.Equal(ma, mb) {
			t.Fatalf("iter %d (bits %d, rows %d..%d, table %v): matching %v vs %v", iter, bits, lo, hi, table, ma, mb)
		}
		oa, ob := make([]bool, a.Rows()), make([]bool, b.Rows())
		a.matchTable(table, oa)
		b.matchTable(table, ob)
		if !slices.Equal(oa, ob) {
			t.Fatalf("iter %d: matchTable %v vs %v", iter, oa, ob)
		}
		sel := ma
		sa, sb := a.selectRows(sel), b.selectRows(sel)
		for i := range sel {
			if sa.Code(i) != sb.Code(i) {
				t.Fatalf("iter %d: selected row %d code %d vs %d", iter, i, sa.Code(i), sb.Code(i))
			}
		}
	}
}

// TestNegativeZeroKept: a float column holding both -0 and 0 reads back
// each as written. The dictionary's map took them for one value (== says
// they are equal), so every 0 came back as whichever came first.
func TestNegativeZeroKept(t *testing.T) {
	db := openTest(t)
	negz := math.Copysign(0, -1)
	vals := []float64{negz, 0, 0, negz, 1.5, negz, 0}
	var rows []row
	for i, f := range vals {
		rows = append(rows, row{time: int64(i), raw: fmt.Sprint("e", i), source: "s", fields: []Field{{"k", Float(f)}}})
	}
	writeRows(t, db, rows, len(rows))
	got := scanAll(t, db, AllTime, []string{"k"})
	for i, s := range got {
		if s.vals[0].K != KindFloat || math.Float64bits(s.vals[0].F) != math.Float64bits(vals[i]) {
			t.Errorf("row %d: %v, want %v", i, s.vals[0], vals[i])
		}
	}
}
