package evtx

import (
	"strconv"
	"testing"
)

// TestFieldSetUniqueNames covers the suffixes for repeated names, with a
// name that already looks suffixed, below and above manyFields.
func TestFieldSetUniqueNames(t *testing.T) {
	for _, n := range []int{3, manyFields + 40} {
		var f fieldSet
		f.add("X_1", Value{Text: "literal"})
		for i := range n {
			f.add("X", Value{Text: strconv.Itoa(i)})
		}
		f.add("X_1", Value{Text: "again"})
		want := []string{"X_1", "X"}
		for i := 2; i <= n; i++ {
			want = append(want, "X_"+strconv.Itoa(i))
		}
		want = append(want, "X_1_1")
		if len(f.fields) != len(want) {
			t.Fatalf("n=%d: %d fields, want %d", n, len(f.fields), len(want))
		}
		seen := map[string]bool{}
		for i, fl := range f.fields {
			if fl.Name != want[i] || seen[fl.Name] {
				t.Fatalf("n=%d: field %d is %q, want %q (or a repeat)", n, i, fl.Name, want[i])
			}
			seen[fl.Name] = true
		}
	}
}
