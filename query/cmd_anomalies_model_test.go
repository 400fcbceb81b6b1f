package query

import (
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// FuzzDecodeModel feeds damaged model blobs to the decoder: it must
// return an error or a model that scores, never panic.
func FuzzDecodeModel(f *testing.F) {
	ms := newMemModels()
	in := byEntityRows()
	mustAnomalies(f, "count by user save=m", in, ms)
	f.Add(ms.blobs["m"])
	mustAnomalies(f, "count save=plain", spikeCounts(1), ms)
	f.Add(ms.blobs["plain"])
	for _, method := range []string{"lof", "ocsvm", "mad"} {
		mustAnomalies(f, "count by user method="+method+" save="+method, in, ms)
		f.Add(ms.blobs[method])
	}
	f.Add([]byte("LHAM\x01"))
	f.Fuzz(func(t *testing.T, blob []byte) { decodeAndApply(blob, in) })
}

// TestDecodeModelMutations flips bytes of a saved model and fixes its
// checksum, so the damage reaches the header and forest decoders: each
// blob must fail to decode or score rows, quickly and without a panic.
func TestDecodeModelMutations(t *testing.T) {
	ms := newMemModels()
	in := byEntityRows()
	mustAnomalies(t, "count by user save=m", in, ms)
	seed := ms.blobs["m"]
	r := rand.New(rand.NewPCG(1, 1))
	decoded := 0
	for range 5000 {
		b := append([]byte(nil), seed...)
		for range 1 + r.IntN(4) {
			b[r.IntN(len(b)-4)] ^= byte(1 + r.IntN(255))
		}
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		if decodeAndApply(b, in) {
			decoded++
		}
	}
	t.Logf("%d of 5000 damaged models decoded", decoded)
}

// decodeAndApply decodes blob and, when it decodes, scores in with it.
func decodeAndApply(blob []byte, in *Batch) bool {
	m, err := decodeModel(blob)
	if err != nil {
		return false
	}
	op := &anomaliesOp{cmd: &AnomaliesCmd{Model: "m"}, model: m}
	op.apply(in) // an error is fine; a panic fails the test
	return true
}
