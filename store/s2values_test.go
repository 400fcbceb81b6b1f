package store

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestDictValuesS2: the values of a dictionary column are written with
// S2 when that saves a fifth (format 6) and plain when it does not, and
// chunks whose values are zstd (format 5 writers) still read the same;
// every value reads back as written, through Values and through Select's
// dictionaries.
func TestDictValuesS2(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	comps := map[string]int{} // column and values compression: chunks
	defer func() { t.Logf("%v", comps) }()
	for iter := range 60 {
		old := valuesS2
		valuesS2 = iter%3 != 0 // every third chunk as format 5 wrote it
		b := NewChunkBuilder("s", "t", "s")
		n := 1 + r.IntN(3000)
		// pools of values that repeat (so that the columns are
		// dictionaries): addresses compress, random bytes do not
		ips, rnds := make([]Value, 1+r.IntN(400)), make([]Value, 1+r.IntN(100))
		for i := range ips {
			ips[i] = Str(fmt.Sprintf("10.%d.%d.%d", r.IntN(4), r.IntN(256), r.IntN(256)))
		}
		for i := range rnds {
			rb := make([]byte, 8+r.IntN(8))
			for j := range rb {
				rb[j] = byte(r.Uint32())
			}
			rnds[i] = Str(string(rb))
		}
		var want, wantRnd []Value
		for i := range n {
			ip, rnd := ips[r.IntN(len(ips))], rnds[r.IntN(len(rnds))]
			fs := []Field{{"ip", ip}, {"rnd", rnd}}
			if r.IntN(10) == 0 {
				fs = fs[1:] // ip null
				ip = Null
			}
			b.Add(&Event{Time: int64(i), Raw: "x", Fields: fs})
			want, wantRnd = append(want, ip), append(wantRnd, rnd)
		}
		enc := b.Encode()
		valuesS2 = old
		c, err := parseChunk(1, enc.Blob)
		if err != nil {
			t.Fatal(err)
		}
		for _, col := range []struct {
			name string
			want []Value
		}{{"ip", want}, {"rnd", wantRnd}} {
			ci := c.Column(col.name)
			if ci == nil || ci.Enc != encDictSplit {
				continue // few rows: another encoding
			}
			comp := c.data[ci.Off]
			comps[fmt.Sprint(col.name, " ", comp)]++
			switch {
			case iter%3 == 0 && comp == compS2:
				t.Fatalf("iter %d %s: S2 values with S2 off", iter, col.name)
			case iter%3 != 0 && comp == compZstd:
				t.Fatalf("iter %d %s: zstd values with S2 on", iter, col.name)
			}
			if col.name == "ip" && iter%3 != 0 && len(ips) > 100 && comp != compS2 {
				t.Errorf("iter %d: %d bytes of addresses not compressed (comp %d)", iter, ci.RawLen, comp)
			}
			got, err := c.Values(col.name)
			if err != nil {
				t.Fatal(err)
			}
			for i := range col.want {
				if got[i] != col.want[i] {
					t.Fatalf("iter %d %s row %d: %v, want %v", iter, col.name, i, got[i], col.want[i])
				}
			}
			for _, reuse := range []bool{false, true} {
				rows, err := c.Select(nil, 0, int64(n), SelectOptions{Reuse: reuse})
				if err != nil {
					t.Fatal(err)
				}
				d, err := rows.Dict(col.name)
				if err != nil || d == nil {
					t.Fatalf("iter %d %s: dict %v %v", iter, col.name, d, err)
				}
				for i := range rows.Len() {
					row := rows.Row(i)
					v := Null
					if code := d.Code(row); code != 0 {
						v = d.Value(code)
					}
					if v != col.want[row] {
						t.Fatalf("iter %d %s dict row %d (reuse %v): %v, want %v", iter, col.name, row, reuse, v, col.want[row])
					}
				}
				rows.Release()
			}
		}
	}
}
