package evtx

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// Record is one decoded event record.
type Record struct {
	ID      uint64    // event record identifier (as System/EventRecordID)
	Offset  int64     // file offset of the record
	Written time.Time // when the record was written, from the record header
	// Time is System/TimeCreated/@SystemTime, or Written when the event has
	// none.
	Time   time.Time
	Fields []Field // see the package documentation for the naming
	XML    string  // the event as XML text

	work int // expansion work spent (see maxRecordText)
}

// Get returns the value of the named field.
func (r *Record) Get(name string) (Value, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return Value{}, false
}

// recordAt checks the record framing at chunk offset off and returns its
// size: signature, a size that fits the chunk and its copy at the end.
func recordAt(b []byte, off int) (int, error) {
	if off+recordHeader+4 > len(b) {
		return 0, fmt.Errorf("record header runs past the chunk")
	}
	if binary.LittleEndian.Uint32(b[off:]) != 0x00002a2a {
		return 0, fmt.Errorf("no record signature")
	}
	size := int(binary.LittleEndian.Uint32(b[off+4:]))
	if size < recordHeader+4 || size > len(b)-off {
		return 0, fmt.Errorf("record size %d does not fit the chunk", size)
	}
	if c := int(binary.LittleEndian.Uint32(b[off+size-4:])); c != size {
		return 0, fmt.Errorf("record size %d, copy of size %d", size, c)
	}
	return size, nil
}

// decodeRecord parses, expands and flattens the record of size bytes at
// chunk offset off.
func (c *chunk) decodeRecord(off, size int) (*Record, error) {
	le := binary.LittleEndian
	r := &Record{
		ID:      le.Uint64(c.data[off+8:]),
		Written: filetime(le.Uint64(c.data[off+16:])),
	}
	p := parser{c: c, pos: off + recordHeader, end: off + size - 4}
	ns, err := p.stream()
	if err != nil {
		return r, err
	}
	budget := min(maxRecordText, c.work)
	e := expander{c: c, budget: budget, byChunk: c.work < maxRecordText}
	xs, err := e.nodes(ns, nil, nil)
	r.work = budget - max(e.budget, 0)
	c.work -= r.work
	if err != nil {
		return r, err
	}
	var event *xnode
	for i := range xs {
		if xs[i].kind == nodeElement {
			if event != nil {
				return r, fmt.Errorf("more than one root element")
			}
			event = &xs[i]
		}
	}
	if event == nil {
		return r, fmt.Errorf("no event element")
	}
	var sb strings.Builder
	writeXML(&sb, xs)
	r.XML = sb.String()
	r.Fields = flatten(event)
	r.Time = r.Written
	if t, ok := timeCreated(event); ok {
		r.Time = t
	}
	return r, nil
}

// timeCreated finds System/TimeCreated/@SystemTime.
func timeCreated(event *xnode) (time.Time, bool) {
	for i := range event.kids {
		s := &event.kids[i]
		if s.kind != nodeElement || s.name != "System" {
			continue
		}
		for j := range s.kids {
			t := &s.kids[j]
			if t.kind != nodeElement || t.name != "TimeCreated" {
				continue
			}
			for _, a := range t.attrs {
				if a.name == "SystemTime" {
					if tm, ok := a.val.Time(); ok {
						return tm, true
					}
					if tm, err := time.Parse(time.RFC3339Nano, a.val.Text); err == nil {
						return tm.UTC(), true
					}
				}
			}
		}
	}
	return time.Time{}, false
}
