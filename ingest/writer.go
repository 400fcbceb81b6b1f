package ingest

import (
	"context"
	"fmt"
	"time"

	"loghunt/store"
)

// Commit policy: a transaction is committed when this much chunk data or
// this many chunks (~250k events) are pending, or this long has passed,
// whichever comes first. Each commit rewrites the last leaf of the chunks
// bucket (bbolt keeps up to four large values in a leaf), so commits of
// 4 MB left the store ~7% larger in freed pages than commits of 16 MB;
// the chunk count keeps a crash from losing more than ~250k events of
// work when chunks are small.
const (
	commitBytes    = 16 << 20
	commitChunks   = 16
	commitInterval = 500 * time.Millisecond
	maxWarnings    = 5 // flagged-line warnings per input; the rest are counted
)

// write commits the parsed blocks in input order, with the source's
// progress in the same transaction as its chunks.
func write(ctx context.Context, db *store.DB, rec *store.Source, outs <-chan chunkOut, warn func(string), progress func(lines, events int64)) (fileStats, error) {
	var fs fileStats
	warned := 0
	defer func() {
		if more := fs.flagged - int64(warned); warned > 0 && more > 0 {
			warn(fmt.Sprintf("%s: %d more lines flagged (find them with: source=\"%s\" parse_error=* OR truncated=true)", rec.Path, more, rec.Name))
		}
	}()
	waiting := map[int]chunkOut{}
	next := 0
	var pending []chunkOut
	pendingBytes := 0
	lastCommit := time.Now()
	commit := func() error {
		err := db.Write(func(w *store.WriteTx) error {
			for _, o := range pending {
				if o.chunk != nil {
					if err := w.PutChunk(o.chunk); err != nil {
						return err
					}
					w.AddBuiltinFields(o.events, rec.Name, rec.Sourcetype)
				}
			}
			return w.PutSource(rec)
		})
		pending, pendingBytes, lastCommit = pending[:0], 0, time.Now()
		return err
	}
	for o := range outs {
		if ctx.Err() != nil {
			break
		}
		waiting[o.seq] = o
		for {
			o, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			next++
			apply(rec, &fs, o)
			if o.firstProblem != "" && warned < maxWarnings {
				warn(fmt.Sprintf("%s: %s", rec.Path, o.firstProblem))
				warned++
			}
			pending = append(pending, o)
			if o.chunk != nil {
				pendingBytes += len(o.chunk.Blob)
			}
			progress(fs.lines, fs.events)
		}
		if len(pending) > 0 && (pendingBytes >= commitBytes || len(pending) >= commitChunks) || time.Since(lastCommit) >= commitInterval {
			if err := commit(); err != nil {
				return fs, err
			}
		}
	}
	// Blocks after a gap (a cancelled ingest) are dropped: the record only
	// ever covers a prefix of the input, so the next run resumes there.
	return fs, commit()
}

// apply advances the source record and the counts by one block.
func apply(rec *store.Source, fs *fileStats, o chunkOut) {
	fs.lines += o.lines - rec.Lines
	fs.lastLine = o.lines
	fs.readAny = true
	fs.events += o.events
	fs.flagged += o.flagged
	fs.bytes += o.bytes
	if o.events > 0 {
		if rec.Events == 0 || o.first < rec.First {
			rec.First = o.first
		}
		if rec.Events == 0 || o.last > rec.Last {
			rec.Last = o.last
		}
	}
	rec.Offset, rec.Lines = o.endOffset, o.lines
	rec.Events += o.events
	rec.Flagged += o.flagged
	rec.Bytes += o.bytes
}
