package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// padChunks zero-fills data to whole chunks, so that fuzz inputs can be the
// used part of a file only (chunks are mostly zeros). Inputs are cut at
// three chunks.
func padChunks(data []byte) []byte {
	const most = fileHeaderSize + 3*chunkSize
	if len(data) > most {
		data = data[:most]
	}
	if len(data) <= fileHeaderSize {
		return data
	}
	n := fileHeaderSize + (len(data)-fileHeaderSize+chunkSize-1)/chunkSize*chunkSize
	return append(data, make([]byte, n-len(data))...)
}

// trimChunk cuts a one-chunk file after the chunk's free space offset.
func trimChunk(b []byte) []byte {
	if len(b) < fileHeaderSize+chunkHeaderSize {
		return b
	}
	free := int(binary.LittleEndian.Uint32(b[fileHeaderSize+48:]))
	return b[:min(len(b), fileHeaderSize+max(free, chunkHeaderSize))]
}

// fuzzSeeds are the real fixtures and synthetic files with every token.
func fuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, fx := range fixtures {
		seeds = append(seeds, trimChunk(fixture(t, fx.name)))
	}
	ch := newChunkB()
	tmpl := &tinst{def: eventTemplate(
		dataEl("S", 6, TypeString), dataEl("A", 7, TypeUint16|ArrayFlag), dataEl("G", 8, TypeGUID),
		el{name: "Data", kids: []bn{tx("a"), eref("amp"), cref(65), cdata("c]]>d")}}, pi{"t", "d"},
		el{name: "UserData", kids: []bn{sub{9, TypeBinXML, false}}},
	), vals: append(systemVals(1), vStr("s"), tval{t: TypeUint16 | ArrayFlag, b: le16(1, 2)},
		tval{t: TypeGUID, b: sysmonGUID}, vBinXML(el{name: "Op", noDep: true, kids: []bn{tx("x")}}))}
	ch.record(1, tmpl)
	ch.record(2, &tinst{ref: tmpl, vals: append(systemVals(2), vNull(), tval{t: TypeUint16 | ArrayFlag},
		tval{t: TypeGUID, b: sysmonGUID}, vBinXML(raw{tokFragmentHeader, 1, 1, 0}, &tinst{def: []bn{el{name: "In", kids: []bn{sub{0, TypeSID, false}}}}, vals: []tval{{t: TypeSID, b: sid21}}}))})
	seeds = append(seeds, trimChunk(evtxFile(3, ch.bytes())))
	return seeds
}

func TestFuzzSeedsDecode(t *testing.T) {
	for i, s := range fuzzSeeds(t) {
		recs, errs := decodeBytes(t, padChunks(s))
		if len(recs) == 0 || len(errs) > 0 {
			t.Errorf("seed %d: %d records, damage %v", i, len(recs), errs)
		}
	}
}

// FuzzRecords decodes arbitrary files: never a panic, every error a
// *Damage, every record with its offset inside the file and its text
// within the expansion bound.
func FuzzRecords(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		data = padChunks(data)
		file, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		file.Chunks()
		n := 0
		for r, err := range file.Records() {
			n++
			if n > 1+len(data)/(recordHeader+4)+2*len(data)/chunkSize+2 {
				t.Fatalf("more reports than the file has room for")
			}
			if err != nil {
				var d *Damage
				if !errors.As(err, &d) || r != nil {
					t.Fatalf("report %v (%T) with record %v", err, err, r)
				}
				if d.Offset < 0 || d.Offset >= int64(len(data)) {
					t.Fatalf("damage offset %d outside a file of %d bytes", d.Offset, len(data))
				}
				continue
			}
			if r.Offset < fileHeaderSize+chunkHeaderSize || r.Offset >= int64(len(data)) {
				t.Fatalf("record offset %d outside the file", r.Offset)
			}
			if len(r.XML) == 0 || r.XML[0] != '<' || len(r.XML) > 6*maxRecordText {
				t.Fatalf("record XML of %d bytes: %.80q", len(r.XML), r.XML)
			}
			for _, fl := range r.Fields {
				if fl.Name == "" {
					t.Fatalf("field without a name in %q", r.XML)
				}
			}
		}
	})
}

// FuzzDecodeValue decodes arbitrary values of every type.
func FuzzDecodeValue(f *testing.F) {
	f.Add(byte(TypeString), utf16le("abc"))
	f.Add(byte(TypeSID), sid21)
	f.Add(byte(TypeSID|ArrayFlag), sid21)
	f.Add(byte(TypeGUID), sysmonGUID)
	f.Add(byte(TypeSysTime), le16(2020, 2, 6, 29, 13, 14, 15, 16))
	f.Add(byte(TypeFileTime), le64(1<<63))
	f.Add(byte(TypeString|ArrayFlag), cat(utf16le("a"), le16(0), utf16le("b")))
	f.Fuzz(func(t *testing.T, typ byte, b []byte) {
		v, err := decodeValue(ValueType(typ), b)
		if err != nil {
			return
		}
		if v.Type.IsArray() != (v.Items != nil) {
			t.Fatalf("type %s with %d items", v.Type, len(v.Items))
		}
		if len(v.Text) > 8*len(b)+40 {
			t.Fatalf("%d bytes of %s rendered as %d bytes", len(b), v.Type, len(v.Text))
		}
	})
}
