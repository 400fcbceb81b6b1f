package evtx

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"
)

// threeChunks builds a file of three chunks with records 1-2, 3-4 and 5-6.
// rec[i] is the file offset of record i+1.
func threeChunks() (file []byte, rec []int) {
	var chunks [][]byte
	id := uint64(1)
	for c := 0; c < 3; c++ {
		ch := newChunkB()
		tmpl := &tinst{def: eventTemplate(dataEl("N", 6, TypeString)), vals: append(systemVals(id), vStr("x"))}
		rec = append(rec, fileHeaderSize+c*chunkSize+len(ch.b))
		ch.record(id, tmpl)
		id++
		rec = append(rec, fileHeaderSize+c*chunkSize+len(ch.b))
		ch.record(id, &tinst{ref: tmpl, vals: append(systemVals(id), vStr("y"))})
		id++
		chunks = append(chunks, ch.bytes())
	}
	return evtxFile(id, chunks...), rec
}

// fixDataCRC recomputes chunk i's records checksum (and so its header's).
func fixDataCRC(b []byte, i int) {
	c := b[fileHeaderSize+i*chunkSize:][:chunkSize]
	free := binary.LittleEndian.Uint32(c[48:])
	binary.LittleEndian.PutUint32(c[52:], crc32.ChecksumIEEE(c[chunkHeaderSize:free]))
	binary.LittleEndian.PutUint32(c[124:], headerCRC(c))
}

func TestDamageIsSkippedAndReported(t *testing.T) {
	chunk := func(i int) int { return fileHeaderSize + i*chunkSize }
	cases := []struct {
		name   string
		damage func(b []byte, rec []int) []byte
		ids    []uint64 // records decoded
		// the damage reports: offset and a piece of the message
		offsets func(rec []int) []int64
		msgs    []string
	}{
		{
			name:   "intact",
			damage: func(b []byte, _ []int) []byte { return b },
			ids:    []uint64{1, 2, 3, 4, 5, 6},
		},
		{
			name:    "file header checksum",
			damage:  func(b []byte, _ []int) []byte { b[30]++; return b },
			ids:     []uint64{1, 2, 3, 4, 5, 6},
			offsets: func([]int) []int64 { return []int64{0} },
			msgs:    []string{"file header checksum mismatch"},
		},
		{
			name:    "chunk header checksum: the chunk is skipped",
			damage:  func(b []byte, _ []int) []byte { b[chunk(1)+60]++; return b },
			ids:     []uint64{1, 2, 5, 6},
			offsets: func([]int) []int64 { return []int64{int64(chunk(1))} },
			msgs:    []string{"chunk header checksum mismatch"},
		},
		{
			name:    "chunk signature",
			damage:  func(b []byte, _ []int) []byte { b[chunk(2)]++; return b },
			ids:     []uint64{1, 2, 3, 4},
			offsets: func([]int) []int64 { return []int64{int64(chunk(2))} },
			msgs:    []string{"no chunk signature"},
		},
		{
			name: "records checksum: reported, records still read",
			// the written time of record 4: decoding does not notice
			damage:  func(b []byte, rec []int) []byte { b[rec[3]+16]++; return b },
			ids:     []uint64{1, 2, 3, 4, 5, 6},
			offsets: func([]int) []int64 { return []int64{int64(chunk(1))} },
			msgs:    []string{"records checksum mismatch"},
		},
		{
			name: "record size and copy differ: the next record is found",
			damage: func(b []byte, rec []int) []byte {
				b[rec[2]+4] += 8
				fixDataCRC(b, 1)
				return b
			},
			ids:     []uint64{1, 2, 4, 5, 6},
			offsets: func(rec []int) []int64 { return []int64{int64(rec[2])} },
			msgs:    []string{"copy of size"},
		},
		{
			name: "record signature",
			damage: func(b []byte, rec []int) []byte {
				b[rec[4]] = 0
				fixDataCRC(b, 2)
				return b
			},
			ids:     []uint64{1, 2, 3, 4, 6},
			offsets: func(rec []int) []int64 { return []int64{int64(rec[4])} },
			msgs:    []string{"no record signature"},
		},
		{
			name: "bad binxml token: the record is skipped",
			damage: func(b []byte, rec []int) []byte {
				b[rec[1]+recordHeader+4] = 0x3f // the template instance token
				fixDataCRC(b, 0)
				return b
			},
			ids:     []uint64{1, 3, 4, 5, 6},
			offsets: func(rec []int) []int64 { return []int64{int64(rec[1])} },
			msgs:    []string{"record 2: binxml at chunk offset"},
		},
		{
			name: "template instance with too many values",
			damage: func(b []byte, rec []int) []byte {
				// record 2: fragment header, token, 1, id, offset, then the count
				binary.LittleEndian.PutUint32(b[rec[1]+recordHeader+4+10:], 0xfffffff)
				fixDataCRC(b, 0)
				return b
			},
			ids:     []uint64{1, 3, 4, 5, 6},
			offsets: func(rec []int) []int64 { return []int64{int64(rec[1])} },
			msgs:    []string{"template instance with 268435455 values"},
		},
		{
			name:    "truncated file",
			damage:  func(b []byte, _ []int) []byte { return b[:chunk(2)+1000] },
			ids:     []uint64{1, 2, 3, 4},
			offsets: func([]int) []int64 { return []int64{int64(chunk(2))} },
			msgs:    []string{"chunk truncated to 1000 bytes"},
		},
		{
			name:   "unused space after the announced chunks is not damage",
			damage: func(b []byte, _ []int) []byte { return append(b, make([]byte, chunkSize+100)...) },
			ids:    []uint64{1, 2, 3, 4, 5, 6},
		},
		{
			name: "a chunk after the announced ones is read (dirty file)",
			damage: func(b []byte, _ []int) []byte {
				binary.LittleEndian.PutUint16(b[42:], 2)
				binary.LittleEndian.PutUint32(b[124:], crc32.ChecksumIEEE(b[:120]))
				return b
			},
			ids: []uint64{1, 2, 3, 4, 5, 6},
		},
		{
			name: "an announced chunk of zeros is damage",
			damage: func(b []byte, _ []int) []byte {
				b = append(b, make([]byte, chunkSize)...)
				binary.LittleEndian.PutUint16(b[42:], 4)
				binary.LittleEndian.PutUint32(b[124:], crc32.ChecksumIEEE(b[:120]))
				return b
			},
			ids:     []uint64{1, 2, 3, 4, 5, 6},
			offsets: func([]int) []int64 { return []int64{int64(chunk(3))} },
			msgs:    []string{"(chunk 3): no chunk signature"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, rec := threeChunks()
			recs, errs := decodeBytes(t, c.damage(b, rec))
			var ids []uint64
			for _, r := range recs {
				ids = append(ids, r.ID)
			}
			if !equalIDs(ids, c.ids) {
				t.Errorf("records %v, want %v", ids, c.ids)
			}
			var wantOff []int64
			if c.offsets != nil {
				wantOff = c.offsets(rec)
			}
			if len(errs) != len(wantOff) {
				t.Fatalf("damage %v, want %d reports", errs, len(wantOff))
			}
			for i, err := range errs {
				var d *Damage
				if !errors.As(err, &d) {
					t.Fatalf("%v is not a *Damage", err)
				}
				if d.Offset != wantOff[i] || !strings.Contains(err.Error(), c.msgs[i]) {
					t.Errorf("damage %q at 0x%x, want offset 0x%x and %q", err, d.Offset, wantOff[i], c.msgs[i])
				}
			}
		})
	}
}

func equalIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestOpenRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":     nil,
		"short":     []byte("ElfFile\x00"),
		"not evtx":  make([]byte, 4096),
		"json text": []byte(strings.Repeat(`{"Event": {}}`, 20)),
	} {
		if _, err := Open(strings.NewReader(string(b)), int64(len(b))); !errors.Is(err, ErrNotEVTX) {
			t.Errorf("%s: %v, want ErrNotEVTX", name, err)
		}
	}
}

// TestLimits checks that crafted records fail with an error rather than
// recursing, looping or expanding without bound.
func TestLimits(t *testing.T) {
	big := vStr(strings.Repeat("A", 30000))
	var many []bn
	for range 200 {
		many = append(many, sub{0, TypeString, false})
	}
	nested := el{name: "X", noDep: true}
	for range maxDepth + 5 {
		nested = el{name: "X", noDep: true, kids: []bn{nested}}
	}
	var bigDoc []bn
	for range 1000 {
		bigDoc = append(bigDoc, tx("0123456789"))
	}
	var manyValues []bn
	for range 300 {
		manyValues = append(manyValues, sub{0, TypeBinXML, false})
	}
	cases := []struct {
		name string
		rec  func(ch *chunkB)
		msg  string
	}{
		{"one BinXML value parsed 300 times", func(ch *chunkB) {
			ch.record(1, &tinst{def: []bn{el{name: "E", kids: manyValues}}, vals: []tval{vBinXML(el{name: "V", noDep: true, kids: bigDoc})}})
		}, "expands to more than"},
		{"an array of 60000 items repeats its element", func(ch *chunkB) {
			ch.record(1, &tinst{def: []bn{el{name: "E", kids: []bn{dataEl("A", 0, TypeUint8|ArrayFlag)}}}, vals: []tval{{t: TypeUint8 | ArrayFlag, b: make([]byte, 60000)}}})
		}, "expands to more than"},
		{"one value substituted 200 times", func(ch *chunkB) {
			ch.record(1, &tinst{def: []bn{el{name: "E", kids: many}}, vals: []tval{big}})
		}, "expands to more than"},
		{"elements nested too deep", func(ch *chunkB) { ch.record(1, nested) }, "nested deeper than"},
		{"substitution index out of range", func(ch *chunkB) {
			ch.record(1, &tinst{def: []bn{el{name: "E", kids: []bn{sub{3, TypeString, false}}}}, vals: []tval{vStr("a")}})
		}, "substitution 3 of 1 values"},
		{"two root elements", func(ch *chunkB) {
			ch.record(1, el{name: "A"}, el{name: "B"})
		}, "more than one root element"},
		{"no root element", func(ch *chunkB) { ch.record(1, tx("text")) }, "no event element"},
		{"name past the chunk", func(ch *chunkB) {
			ch.record(1, raw(cat([]byte{tokOpenStart, 0xff, 0xff}, le32(0), le32(0xfffc), []byte{tokCloseEmpty})))
		}, "name offset 0xfffc outside the chunk"},
		{"empty name", func(ch *chunkB) {
			ch.record(1, raw(cat([]byte{tokOpenStart, 0xff, 0xff}, le32(0), le32(0xfff0), []byte{tokCloseEmpty})))
		}, `invalid name "" at 0xfff0`},
		{"name of a NUL", func(ch *chunkB) {
			ch.record(1, el{name: "\x00"})
		}, `invalid name ""`},
		{"name with a space", func(ch *chunkB) {
			ch.record(1, el{name: "a b"})
		}, `invalid name "a b"`},
		{"template offset past the chunk", func(ch *chunkB) {
			ch.record(1, raw(cat([]byte{tokTemplate, 1}, le32(0), le32(0xfffff), le32(0))))
		}, "template offset 0xfffff outside the chunk"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := newChunkB()
			c.rec(ch)
			recs, errs := decodeBytes(t, evtxFile(2, ch.bytes()))
			if len(recs) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), c.msg) {
				t.Fatalf("records %d, damage %v; want one report with %q", len(recs), errs, c.msg)
			}
		})
	}
}

// TestTemplateCycle: a template whose definition instantiates itself.
func TestTemplateCycle(t *testing.T) {
	ch := newChunkB()
	// The definition starts 4 bytes into the instance token's fields:
	// record header, fragment header, token, byte, id, then the offset.
	defOff := chunkHeaderSize + recordHeader + 4 + 6 + 4
	self := raw(cat([]byte{tokTemplate, 1}, le32(0), le32(uint32(defOff)), le32(0)))
	ch.record(1, &tinst{def: []bn{el{name: "E", kids: []bn{self}}}})
	recs, errs := decodeBytes(t, evtxFile(2, ch.bytes()))
	if len(recs) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "refers to itself") {
		t.Fatalf("records %d, damage %v", len(recs), errs)
	}
}

// TestChunkWorkBound: records that each stay within maxRecordText but
// together expand a chunk past maxChunkWork are reported, not expanded.
func TestChunkWorkBound(t *testing.T) {
	subs := make([]bn, 10000)
	for i := range subs {
		subs[i] = sub{0, TypeString, false}
	}
	value := vStr(strings.Repeat("v", 150))
	ch := newChunkB()
	tmpl := &tinst{def: []bn{el{name: "E", kids: subs}}, vals: []tval{value}}
	ch.record(1, tmpl)
	for id := uint64(2); id <= 20; id++ {
		ch.record(id, &tinst{ref: tmpl, vals: []tval{value}})
	}
	recs, errs := decodeBytes(t, evtxFile(21, ch.bytes()))
	perRecord := 10000 * (nodeCost + 150)
	wantOK := maxChunkWork / perRecord
	if len(recs) != wantOK || len(errs) != 20-wantOK {
		t.Fatalf("%d records and %d reports, want %d and %d", len(recs), len(errs), wantOK, 20-wantOK)
	}
	for _, err := range errs {
		if !strings.Contains(err.Error(), "chunk expands to more than") {
			t.Errorf("report %v", err)
		}
	}
}

// TestRecordsStopEarly: leaving the loop at a record or at a damage report
// stops the iterator (calling yield again would panic).
func TestRecordsStopEarly(t *testing.T) {
	b, rec := threeChunks()
	b[rec[2]+4] += 8 // a damaged record in chunk 1
	fixDataCRC(b, 1)
	for stopAt := 1; stopAt <= 6; stopAt++ {
		f, err := Open(strings.NewReader(string(b)), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for range f.Records() {
			n++
			if n == stopAt {
				break
			}
		}
		if n != stopAt {
			t.Errorf("stopped after %d items, want %d", n, stopAt)
		}
	}
}
