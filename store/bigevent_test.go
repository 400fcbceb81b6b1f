package store

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
)

// bigEvent is an event of the size test and the fields it was given.
type bigEvent struct {
	time   int64
	raw    string
	fields []Field
}

// randomText returns n bytes: random bytes, or printable text, or one
// byte repeated (which zstd shrinks to almost nothing).
func randomText(r *rand.Rand, n int) string {
	b := make([]byte, n)
	switch r.IntN(3) {
	case 0:
		for i := range b {
			b[i] = byte(r.Uint32())
		}
	case 1:
		const abc = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789=:,.\"{}[]"
		for i := range b {
			b[i] = abc[r.IntN(len(abc))]
		}
	default:
		c := byte('a' + r.IntN(26))
		for i := range b {
			b[i] = c
		}
	}
	return string(b)
}

// sizedEvent makes an event whose _raw is n bytes, with a random number of
// fields: most events have a "message" that is a piece of _raw (as a
// parser's fields are, so it is cut out of the stored _raw), some a long
// "body" that is a copy (a JSON field), and small fields of every kind.
func sizedEvent(r *rand.Rand, t int64, n int) bigEvent {
	raw := randomText(r, n)
	ev := bigEvent{time: t, raw: raw}
	if n > 0 && r.IntN(5) > 0 {
		at := r.IntN(min(n, 40))
		ev.fields = append(ev.fields, Field{"message", Str(raw[at:])})
	}
	if r.IntN(4) == 0 {
		// A copy, not a piece of _raw: a field of a JSON event.
		ev.fields = append(ev.fields, Field{"body", Str(strings.Clone(raw[r.IntN(n+1):]))})
	}
	for k := r.IntN(6); k > 0; k-- {
		name := fmt.Sprintf("f%d", r.IntN(8))
		var v Value
		switch r.IntN(5) {
		case 0:
			v = Int(r.Int64N(1000) - 500)
		case 1:
			v = Float(r.NormFloat64())
		case 2:
			v = Bool(r.IntN(2) == 0)
		case 3:
			v = Str(randomText(r, r.IntN(50)))
		default:
			if n > 0 { // a piece of _raw
				i := r.IntN(n)
				v = Str(raw[i : i+r.IntN(min(n-i, 64))+1])
			}
		}
		ev.fields = append(ev.fields, Field{name, v})
	}
	return ev
}

// want returns an event's value of field name as a reader sees it: the
// first value given under that name, or null.
func (ev *bigEvent) want(name string) Value {
	for _, f := range ev.fields {
		if f.Name == name {
			return f.Value
		}
	}
	return Null
}

// TestEventSizesRoundTrip stores events of random sizes, from 0 bytes to
// 17 MiB (beyond the 16 MiB ingest keeps whole: the store itself has no
// such limit), with random bytes and random fields, and reads every one
// back byte for byte through each way of reading _raw and the fields. An
// event over 1 MiB whose text was mostly a field cut out of _raw used to
// make its chunk unreadable ("corrupt column").
func TestEventSizesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 1))
	big := []int{1<<20 - 1, 1 << 20, 1<<20 + 1, 1_100_000, 2 << 20, 4_000_000, 15_000_000, 16 << 20, 17 << 20}
	if testing.Short() {
		big = []int{1_100_000, 4_000_000}
	}
	// Chunks of 1 to 200 small events (a field with as many values as
	// rows is cut out of _raw in chunks of up to 16 rows, see dictLimit),
	// and chunks where a big event is among 0 to 4 small ones, as a long
	// line in a short file is.
	var chunks [][]bigEvent
	var events []bigEvent
	add := func(sizes ...int) {
		var ch []bigEvent
		for _, n := range sizes {
			ev := sizedEvent(r, int64(len(events))*1e9, n)
			events = append(events, ev)
			ch = append(ch, ev)
		}
		chunks = append(chunks, ch)
	}
	for range 15 {
		per := 1 + r.IntN(16)
		if r.IntN(2) == 0 {
			per = 17 + r.IntN(200)
		}
		var sizes []int
		for range per {
			switch r.IntN(10) {
			case 0:
				sizes = append(sizes, 0)
			case 1:
				sizes = append(sizes, 1024+r.IntN(200_000))
			default:
				sizes = append(sizes, r.IntN(300))
			}
		}
		add(sizes...)
	}
	for _, n := range big {
		sizes := []int{n}
		for range r.IntN(5) {
			sizes = slices_insert(r, sizes, r.IntN(300))
		}
		add(sizes...)
	}
	r.Shuffle(len(chunks), func(i, j int) { chunks[i], chunks[j] = chunks[j], chunks[i] })
	events = events[:0]
	for _, ch := range chunks {
		events = append(events, ch...)
	}
	db := openTest(t)
	err := db.Write(func(w *WriteTx) error {
		b := NewChunkBuilder("big", "test", "key:big")
		for i, ch := range chunks {
			for _, ev := range ch {
				// Times keep the chunks in order for the check below.
				b.Add(&Event{Time: int64(i)*1e15 + ev.time, Raw: ev.raw, Fields: ev.fields})
			}
			if err := w.PutChunk(b.Encode()); err != nil {
				return err
			}
			w.AddBuiltinFields(int64(len(ch)), "big", "test")
		}
		return w.PutSource(&Source{Key: "key:big", Name: "big", Events: int64(len(events))})
	})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"message", "body"}
	for k := range 8 {
		names = append(names, fmt.Sprintf("f%d", k))
	}
	next := 0
	var bigCut atomic.Int64 // counted by the scan's workers, at once
	_, err = db.Scan(context.Background(), AllTime, func(c *Chunk) (any, error) {
		raws, err := c.Values(ColRaw)
		if err != nil {
			return nil, err
		}
		// The blocks' texts, appended into one buffer as a search does.
		if d, err := c.rawDir(); err != nil {
			return nil, err
		} else if d != nil {
			buf := make([]byte, 0, c.rawSize())
			for b := range d.blocks {
				if len(d.cuts) > 0 && d.blocks[b].textLen > 1<<20 {
					bigCut.Add(1)
				}
				ends := make([]uint32, d.blocks[b].nrows)
				var begin int
				if buf, begin, err = c.rawBlockAppend(b, buf, ends); err != nil {
					return nil, err
				}
				for k, e := range ends {
					row := d.blocks[b].first + k
					if !bytes.Equal(buf[begin:e], []byte(raws[row].S)) {
						return nil, fmt.Errorf("chunk %d row %d: the block's text differs from Values", c.ID, row)
					}
					begin = int(e)
				}
			}
		}
		vals := map[string][]Value{ColRaw: raws}
		for _, name := range names {
			if vals[name], err = c.Values(name); err != nil {
				return nil, err
			}
			if d, err := c.dictNamed(name); err != nil {
				return nil, err
			} else if d != nil {
				if got := d.expand(); !equalValues(got, vals[name]) {
					return nil, fmt.Errorf("chunk %d column %s: the dictionary differs from Values", c.ID, name)
				}
			}
		}
		return vals, nil
	}, func(c *Chunk, v any) error {
		vals := v.(map[string][]Value)
		for k := range c.Rows {
			ev := &events[next]
			if got := vals[ColRaw][k]; got.S != ev.raw {
				return fmt.Errorf("event %d (%d bytes): _raw of %d bytes differs", next, len(ev.raw), len(got.S))
			}
			for _, name := range names {
				if got, want := vals[name][k], ev.want(name); !sameValue(got, want) {
					return fmt.Errorf("event %d (%d bytes) field %s: %s, want %s", next, len(ev.raw), name, short(got), short(want))
				}
			}
			next++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if next != len(events) {
		t.Fatalf("read %d events of %d", next, len(events))
	}
	if bigCut.Load() == 0 {
		t.Errorf("no block over 1 MiB had fields cut out of it: the test misses the case it is for")
	}
}

// slices_insert puts n at a random place of s.
func slices_insert(r *rand.Rand, s []int, n int) []int {
	i := r.IntN(len(s) + 1)
	return append(s[:i], append([]int{n}, s[i:]...)...)
}

func sameValue(a, b Value) bool {
	if a.K != b.K {
		return false
	}
	if a.K == KindFloat {
		return a.F == b.F || a.F != a.F && b.F != b.F
	}
	return a == b
}

func equalValues(a, b []Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(a[i], b[i]) {
			return false
		}
	}
	return true
}

func short(v Value) string {
	s := fmt.Sprintf("%v", v)
	if len(s) > 60 {
		return fmt.Sprintf("%s... (%d bytes)", s[:60], len(s))
	}
	return s
}
