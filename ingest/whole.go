package ingest

import (
	"time"

	"loghunt/store"
)

// wholeWriter stores the events of an input that is read as a whole, not
// by lines (an EVTX file, a JSON document): events are added with the
// input offset at which each starts, and commit stores the pending ones
// with the source record advanced to the given offset, in one
// transaction. Resuming skips the events that start before the stored
// offset, so nothing is lost or stored twice.
type wholeWriter struct {
	db         *store.DB
	rec        *store.Source
	fs         *fileStats
	b          *store.ChunkBuilder
	lastCommit time.Time

	lines, events, bytes, flagged int64
	first, last                   int64
}

func newWholeWriter(db *store.DB, rec *store.Source, fs *fileStats) *wholeWriter {
	return &wholeWriter{db: db, rec: rec, fs: fs, b: store.NewChunkBuilder(rec.Name, rec.Sourcetype, rec.Key),
		lastCommit: time.Now()}
}

// add adds one event that used lines input lines (evtx: 1 record),
// flagged when its text did not fit its format; offset is where it starts
// in the input, and the record is advanced past it when the pending
// events are full.
func (w *wholeWriter) add(ev *store.Event, lines, offset int64, flagged bool) error {
	if flagged {
		w.flagged++
	}
	if w.events == 0 || ev.Time < w.first {
		w.first = ev.Time
	}
	if w.events == 0 || ev.Time > w.last {
		w.last = ev.Time
	}
	w.b.Add(ev)
	w.lines += lines
	w.events++
	w.bytes += int64(len(ev.Raw))
	if w.events >= blockEvents || w.bytes >= blockBytes || time.Since(w.lastCommit) >= 5*commitInterval {
		return w.commit(offset + 1)
	}
	return nil
}

// commit stores the pending events and the source record at offset next.
func (w *wholeWriter) commit(next int64) error {
	var chunk *store.EncodedChunk
	if w.b.Len() > 0 {
		chunk = w.b.Encode()
	}
	r := *w.rec
	r.Offset = next
	r.Lines += w.lines
	r.Events += w.events
	r.Bytes += w.bytes
	r.Flagged += w.flagged
	if w.events > 0 {
		if w.rec.Events == 0 || w.first < r.First {
			r.First = w.first
		}
		if w.rec.Events == 0 || w.last > r.Last {
			r.Last = w.last
		}
	}
	events := w.events
	err := w.db.Write(func(tx *store.WriteTx) error {
		if chunk != nil {
			if err := tx.PutChunk(chunk); err != nil {
				return err
			}
			tx.AddBuiltinFields(events, r.Name, r.Sourcetype)
		}
		return tx.PutSource(&r)
	})
	if err != nil {
		return storeError{err}
	}
	*w.rec = r
	w.fs.lines += w.lines
	w.fs.events += w.events
	w.fs.bytes += w.bytes
	w.fs.flagged += w.flagged
	w.fs.lastLine = r.Lines
	w.fs.readAny = w.fs.readAny || w.events > 0
	w.lines, w.events, w.bytes, w.flagged = 0, 0, 0, 0
	w.lastCommit = time.Now()
	return nil
}

// pendingCounts are the lines and events added since the last commit.
func (w *wholeWriter) pendingCounts() (int64, int64) { return w.lines, w.events }
