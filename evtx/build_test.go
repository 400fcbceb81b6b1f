package evtx

import (
	"encoding/binary"
	"hash/crc32"
	"unicode/utf16"
)

// A small EVTX writer for tests: BinXML nodes, records, chunks and files,
// with correct sizes and checksums unless a test breaks them on purpose.

// bw appends to a chunk under construction; len(b) is the chunk offset.
type bw struct{ b []byte }

func (w *bw) u8(v byte)    { w.b = append(w.b, v) }
func (w *bw) u16(v uint16) { w.b = binary.LittleEndian.AppendUint16(w.b, v) }
func (w *bw) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }
func (w *bw) u64(v uint64) { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *bw) patch32(at int, v uint32) {
	binary.LittleEndian.PutUint32(w.b[at:], v)
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// name writes a name offset pointing just after itself and the name there.
func (w *bw) name(s string) {
	w.u32(uint32(len(w.b) + 4))
	w.u32(0)
	w.u16(0)
	w.u16(uint16(len(utf16.Encode([]rune(s)))))
	w.b = append(w.b, utf16le(s)...)
	w.u16(0)
}

// bn is a BinXML node a test can write.
type bn interface{ write(w *bw) }

type el struct {
	name  string
	attrs []at
	kids  []bn
	noDep bool // no dependency identifier, as in BinXML values
}

type at struct {
	name  string
	parts []bn
}

type (
	tx    string // value text
	cref  uint16 // character reference
	eref  string // entity reference
	cdata string
	pi    struct{ target, data string }
	sub   struct {
		id  uint16
		t   ValueType
		opt bool
	}
	raw []byte // bytes as they are
)

// tinst is a template instance; def nil refers to the definition of ref
// (written earlier in the same chunk).
type tinst struct {
	def  []bn
	ref  *tinst
	vals []tval
	at   int // chunk offset of the definition, once written
}

type tval struct {
	t      ValueType
	b      []byte
	nested []bn // a BinXML value: written at its final chunk offset
}

func (v tval) size() int {
	if v.nested != nil {
		return len(binxmlValue(chunkHeaderSize, v.nested...))
	}
	return len(v.b)
}

func vBinXML(nodes ...bn) tval { return tval{t: TypeBinXML, nested: nodes} }

func (e el) write(w *bw) {
	tok := byte(tokOpenStart)
	if len(e.attrs) > 0 {
		tok |= tokMore
	}
	w.u8(tok)
	if !e.noDep {
		w.u16(0xffff)
	}
	sizeAt := len(w.b)
	w.u32(0)
	w.name(e.name)
	if len(e.attrs) > 0 {
		listAt := len(w.b)
		w.u32(0)
		for i, a := range e.attrs {
			t := byte(tokAttribute)
			if i < len(e.attrs)-1 {
				t |= tokMore
			}
			w.u8(t)
			w.name(a.name)
			for _, p := range a.parts {
				p.write(w)
			}
		}
		w.patch32(listAt, uint32(len(w.b)-listAt-4))
	}
	if len(e.kids) == 0 {
		w.u8(tokCloseEmpty)
	} else {
		w.u8(tokCloseStart)
		for _, k := range e.kids {
			k.write(w)
		}
		w.u8(tokEndElement)
	}
	w.patch32(sizeAt, uint32(len(w.b)-sizeAt-4))
}

func (t tx) write(w *bw) {
	w.u8(tokValue)
	w.u8(byte(TypeString))
	w.u16(uint16(len(utf16.Encode([]rune(string(t))))))
	w.b = append(w.b, utf16le(string(t))...)
}

func (c cref) write(w *bw) { w.u8(tokCharRef); w.u16(uint16(c)) }
func (e eref) write(w *bw) { w.u8(tokEntityRef); w.name(string(e)) }
func (r raw) write(w *bw)  { w.b = append(w.b, r...) }

func (c cdata) write(w *bw) {
	w.u8(tokCDATA)
	w.u16(uint16(len(utf16.Encode([]rune(string(c))))))
	w.b = append(w.b, utf16le(string(c))...)
}

func (p pi) write(w *bw) {
	w.u8(tokPITarget)
	w.name(p.target)
	w.u8(tokPIData)
	w.u16(uint16(len(utf16.Encode([]rune(p.data)))))
	w.b = append(w.b, utf16le(p.data)...)
}

func (s sub) write(w *bw) {
	if s.opt {
		w.u8(tokOptSubst)
	} else {
		w.u8(tokSubst)
	}
	w.u16(s.id)
	w.u8(byte(s.t))
}

func (t *tinst) write(w *bw) {
	w.u8(tokTemplate)
	w.u8(1)
	w.u32(0x1234)
	if t.def != nil {
		t.at = len(w.b) + 4
		w.u32(uint32(t.at))
		w.u32(0)                               // next template
		w.b = append(w.b, make([]byte, 16)...) // GUID
		sizeAt := len(w.b)
		w.u32(0)
		w.b = append(w.b, tokFragmentHeader, 1, 1, 0)
		for _, n := range t.def {
			n.write(w)
		}
		w.u8(tokEOF)
		w.patch32(sizeAt, uint32(len(w.b)-sizeAt-4))
	} else {
		w.u32(uint32(t.ref.at))
	}
	w.u32(uint32(len(t.vals)))
	for _, v := range t.vals {
		w.u16(uint16(v.size()))
		w.u8(byte(v.t))
		w.u8(0)
	}
	for _, v := range t.vals {
		if v.nested != nil {
			w.b = append(w.b, binxmlValue(len(w.b), v.nested...)...)
		} else {
			w.b = append(w.b, v.b...)
		}
	}
}

// binxmlValue writes nodes as a BinXML-typed value's bytes. Offsets inside
// are chunk offsets, so the value must be written at the offset given.
func binxmlValue(at int, nodes ...bn) []byte {
	w := &bw{b: make([]byte, at)}
	for _, n := range nodes {
		n.write(w)
	}
	return w.b[at:]
}

// chunkB builds one chunk.
type chunkB struct {
	bw
	first, last uint64
	lastRec     int
}

func newChunkB() *chunkB {
	return &chunkB{bw: bw{b: make([]byte, chunkHeaderSize)}}
}

// record appends a record whose event is the given nodes (after a fragment
// header).
func (c *chunkB) record(id uint64, nodes ...bn) {
	c.lastRec = len(c.b)
	start := len(c.b)
	c.u32(0x2a2a)
	c.u32(0)
	c.u64(id)
	c.u64(132000000000000000) // 2019-04-16
	c.b = append(c.b, tokFragmentHeader, 1, 1, 0)
	for _, n := range nodes {
		n.write(&c.bw)
	}
	c.u8(tokEOF)
	for (len(c.b)+4-start)%8 != 0 {
		c.u8(0)
	}
	c.u32(uint32(len(c.b) + 4 - start))
	c.patch32(start+4, uint32(len(c.b)-start))
	if c.first == 0 {
		c.first = id
	}
	c.last = id
}

// bytes finishes the chunk: header fields, checksums, zero padding.
func (c *chunkB) bytes() []byte {
	b := make([]byte, chunkSize)
	copy(b, c.b)
	le := binary.LittleEndian
	copy(b, chunkMagic)
	le.PutUint64(b[8:], c.first)
	le.PutUint64(b[16:], c.last)
	le.PutUint64(b[24:], c.first)
	le.PutUint64(b[32:], c.last)
	le.PutUint32(b[40:], 128)
	le.PutUint32(b[44:], uint32(c.lastRec))
	le.PutUint32(b[48:], uint32(len(c.b)))
	le.PutUint32(b[52:], crc32.ChecksumIEEE(b[chunkHeaderSize:len(c.b)]))
	le.PutUint32(b[124:], headerCRC(b))
	return b
}

// evtxFile puts a file header before the chunks.
func evtxFile(nextID uint64, chunks ...[]byte) []byte {
	b := make([]byte, fileHeaderSize)
	le := binary.LittleEndian
	copy(b, Magic)
	if len(chunks) > 0 {
		le.PutUint64(b[16:], uint64(len(chunks)-1))
	}
	le.PutUint64(b[24:], nextID)
	le.PutUint32(b[32:], 128)
	le.PutUint16(b[36:], 1)
	le.PutUint16(b[38:], 3)
	le.PutUint16(b[40:], fileHeaderSize)
	le.PutUint16(b[42:], uint16(len(chunks)))
	le.PutUint32(b[124:], crc32.ChecksumIEEE(b[:120]))
	for _, c := range chunks {
		b = append(b, c...)
	}
	return b
}

// Value encodings for tests.
func vStr(s string) tval { return tval{t: TypeString, b: utf16le(s)} }
func vU16(v uint16) tval { return tval{t: TypeUint16, b: binary.LittleEndian.AppendUint16(nil, v)} }
func vU64(v uint64) tval { return tval{t: TypeUint64, b: binary.LittleEndian.AppendUint64(nil, v)} }
func vFT(v uint64) tval  { return tval{t: TypeFileTime, b: binary.LittleEndian.AppendUint64(nil, v)} }
func vNull() tval        { return tval{t: TypeNull} }

// eventTemplate is a small Sysmon-like template: Provider Name (0), EventID
// (1), TimeCreated (2), EventRecordID (3), Correlation ActivityID (4,
// optional), Channel (5), then EventData from the given Data elements.
func eventTemplate(data ...bn) []bn {
	return []bn{el{name: "Event", attrs: []at{{"xmlns", []bn{tx("http://schemas.microsoft.com/win/2004/08/events/event")}}}, kids: []bn{
		el{name: "System", kids: []bn{
			el{name: "Provider", attrs: []at{{"Name", []bn{sub{0, TypeString, true}}}}},
			el{name: "EventID", kids: []bn{sub{1, TypeUint16, false}}},
			el{name: "TimeCreated", attrs: []at{{"SystemTime", []bn{sub{2, TypeFileTime, true}}}}},
			el{name: "EventRecordID", kids: []bn{sub{3, TypeUint64, true}}},
			el{name: "Correlation", attrs: []at{{"ActivityID", []bn{sub{4, TypeGUID, true}}}}},
			el{name: "Channel", kids: []bn{sub{5, TypeString, true}}},
		}},
		el{name: "EventData", kids: data},
	}}}
}

// systemVals are the values of eventTemplate's System part.
func systemVals(id uint64) []tval {
	return []tval{vStr("Test-Provider"), vU16(1), vFT(132000000000000000 + id), vU64(id), vNull(), vStr("Test/Operational")}
}

// dataEl is <Data Name="name">%id</Data>.
func dataEl(name string, id uint16, t ValueType) el {
	return el{name: "Data", attrs: []at{{"Name", []bn{tx(name)}}}, kids: []bn{sub{id, t, true}}}
}
