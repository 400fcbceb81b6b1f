package evtx

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkAttackSamples decodes every record (fields and XML) of the 277
// attack sample files, read into memory first; it reports records/s.
func BenchmarkAttackSamples(b *testing.B) {
	root := needDatasets(b, "evtx_attack_samples")
	var files [][]byte
	var size int64
	for _, p := range findFiles(b, root, ".evtx") {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
		size += int64(len(data))
	}
	b.SetBytes(size)
	b.ResetTimer()
	records := 0
	for b.Loop() {
		for _, data := range files {
			f, err := Open(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				b.Fatal(err)
			}
			for r, err := range f.Records() {
				if err != nil {
					b.Fatal(err)
				}
				if len(r.Fields) == 0 {
					b.Fatal("record without fields")
				}
				records++
			}
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
