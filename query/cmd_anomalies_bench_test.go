package query

import (
	"math/rand/v2"
	"testing"

	"loghunt/store"
)

// BenchmarkAnomaliesStage runs 100k rows of two features through the
// anomalies operator: hold, fit 100 trees, score every row, explain the
// rows that stand out.
func BenchmarkAnomaliesStage(b *testing.B) {
	const n = 100_000
	r := rand.New(rand.NewPCG(1, 2))
	in := &Batch{Fields: []string{"attempts", "users"}, Len: n, Cols: make([][]store.Value, 2)}
	for i := 0; i < n; i++ {
		in.Cols[0] = append(in.Cols[0], store.Int(int64(poisson(r, 5))))
		in.Cols[1] = append(in.Cols[1], store.Int(1+int64(r.IntN(3))))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out := mustAnomalies(b, "attempts, users", in, nil)
		if out.Len != n {
			b.Fatalf("%d rows out", out.Len)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
}
