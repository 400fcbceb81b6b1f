package store

import (
	"context"
	"errors"
	"math"
	"runtime"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sync/errgroup"
)

// ScanSpec says which chunks a scan reads.
type ScanSpec struct {
	Start, End int64 // time range, inclusive; use math.MinInt64/MaxInt64 for open ends
	// Filter, when set, skips the chunks that cannot hold a matching row:
	// by their token filter (a token every match needs is not in the
	// chunk) and by their header (a field test on a column the chunk
	// lacks, or outside its range). The chunks read still hold rows that
	// do not match: Chunk.Select picks those that do.
	Filter *Filter
	// SkipDamaged, when set, is handed each damaged chunk the scan meets
	// (in chunk key order, from the goroutine that calls emit), and the
	// scan goes on without it: nothing of the chunk is emitted. Without
	// it, the scan ends with the DamageError. A chunk is damaged when a
	// checksum of what work (or the scan) reads of it does not match, or
	// that does not decode; work must have no effect but its result
	// before it has read all it reads of a chunk.
	SkipDamaged func(*DamageError)
	// AfterID, when set, skips the chunks whose id is at most AfterID
	// (ids grow with every chunk stored, see DB.LastChunkID): a watch's
	// detection reads only the chunks stored since it last ran.
	AfterID uint64
}

// AllTime is a ScanSpec that reads every chunk.
var AllTime = ScanSpec{Start: math.MinInt64, End: math.MaxInt64}

// ScanStats counts what a scan did.
type ScanStats struct {
	ChunksTotal   int64 // chunks in the store
	ChunksRead    int64 // chunks handed to work
	SkippedTime   int64 // chunks looked at whose time range did not fit
	SkippedTokens int64 // chunks skipped by their token filter
	SkippedPrune  int64 // chunks skipped by the filter's field tests
	Rows          int64 // rows of the chunks read
	BytesDecoded  int64 // decompressed column bytes
	Damaged       int64 // damaged chunks skipped (ScanSpec.SkipDamaged)
	DamagedRows   int64 // their events, as far as their headers tell
}

// LastChunkID returns the id of the newest chunk stored (0 when none):
// every chunk stored later has a larger id.
func (db *DB) LastChunkID() (id uint64, err error) {
	err = db.view(func(tx *bolt.Tx) error {
		id = tx.Bucket(bucketChunks).Sequence()
		return nil
	})
	return id, err
}

// releaseAfter is how many bytes of chunks a scan reads before it
// releases the pages of each chunk it has decoded.
const releaseAfter = 128 << 20

type scanJob struct {
	c   *Chunk // nil for a chunk whose header is damaged (res holds it)
	res chan scanResult
}

type scanResult struct {
	v   any
	err error
}

// Scan runs work on every chunk the spec allows, on all cores, and emit
// on each result in chunk key order (min time, then id), one at a time.
// Chunks come whole: rows outside the time range or without the tokens
// are the caller's to drop. Chunks are valid until Scan returns. Overlapping chunks (from different
// sources) come in min-time order: a caller that needs rows in global time
// order merges them (see Chunk.MinTime).
func (db *DB) Scan(ctx context.Context, spec ScanSpec, work func(*Chunk) (any, error), emit func(*Chunk, any) error) (ScanStats, error) {
	var st ScanStats
	decoded, read := new(atomic.Int64), new(atomic.Int64)
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChunks)
		st.ChunksTotal = int64(b.Sequence())
		maxSpan := getInt64(tx.Bucket(bucketMeta), keyMaxSpan)
		g, gctx := errgroup.WithContext(ctx)
		workers := runtime.GOMAXPROCS(0)
		jobs := make(chan scanJob, workers)
		order := make(chan scanJob, 2*workers)
		for range workers {
			g.Go(func() error {
				for j := range jobs {
					if err := gctx.Err(); err != nil {
						j.res <- scanResult{nil, err} // cancelled: skip the work
						continue
					}
					v, err := work(j.c)
					err = damage(j.c, err)
					// A scan that has read much lets go of the pages it
					// read, so a store bigger than memory does not stay
					// resident; a small one saves the system calls.
					if read.Add(int64(len(j.c.blob))) > releaseAfter {
						release(j.c.blob)
					}
					j.res <- scanResult{v, err}
				}
				return nil
			})
		}
		g.Go(func() error {
			for j := range order {
				r := <-j.res
				var de *DamageError
				if r.err != nil && errors.As(r.err, &de) {
					de.Path = db.path
					if spec.SkipDamaged != nil {
						st.Damaged++
						if de.Known {
							st.DamagedRows += int64(de.Rows)
						}
						spec.SkipDamaged(de)
						continue
					}
				}
				if r.err != nil {
					return r.err
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := emit(j.c, r.v); err != nil {
					return err
				}
			}
			return nil
		})
		err := db.dispatch(gctx, b, spec, maxSpan, &st, func(c *Chunk, damaged error) bool {
			j := scanJob{c: c, res: make(chan scanResult, 1)}
			if damaged != nil {
				j.res <- scanResult{nil, damaged} // for the emitter, in order
			} else {
				c.decoded = decoded
			}
			select {
			case order <- j:
			case <-gctx.Done():
				return false
			}
			if damaged == nil {
				jobs <- j
			}
			return true
		})
		close(jobs)
		close(order)
		if gerr := g.Wait(); gerr != nil {
			return gerr
		}
		if err == nil {
			err = ctx.Err()
		}
		return err
	})
	st.BytesDecoded = decoded.Load()
	return st, err
}

// dispatch walks the chunk keys of the time range and hands on every chunk
// that may match, or the DamageError of one whose header is damaged when
// the spec skips damaged chunks. It returns early when send returns false.
func (db *DB) dispatch(ctx context.Context, b *bolt.Bucket, spec ScanSpec, maxSpan int64, st *ScanStats, send func(*Chunk, error) bool) error {
	hashes := spec.tokenHashes()
	from := spec.Start
	if from != math.MinInt64 {
		// A chunk that starts up to maxSpan earlier may still reach Start.
		if from-math.MinInt64 > maxSpan {
			from -= maxSpan
		} else {
			from = math.MinInt64
		}
	}
	cur := b.Cursor()
	for k, v := cur.Seek(chunkKey(from, 0)); k != nil; k, v = cur.Next() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		minTime, id, ok := parseChunkKey(k)
		if !ok {
			return errCorruptKey(k)
		}
		if minTime > spec.End {
			break
		}
		if id <= spec.AfterID {
			continue
		}
		c, err := parseChunk(id, v)
		if err != nil {
			de := headerDamage(id, minTime, v, err)
			if de.Known && (de.MaxTime < spec.Start || de.MinTime > spec.End) {
				st.SkippedTime++ // (an older chunk, damaged elsewhere)
				continue
			}
			if spec.SkipDamaged == nil {
				de.Path = db.path
				return de
			}
			if !send(nil, de) {
				return ctx.Err()
			}
			continue
		}
		if !spec.reads(c, hashes, st) {
			continue
		}
		if !send(c, nil) {
			return ctx.Err()
		}
	}
	return nil
}

// tokenHashes are the hashes of the tokens every row the filter matches
// holds, for the chunks' token filters.
func (spec *ScanSpec) tokenHashes() []uint64 {
	var hashes []uint64
	for _, t := range spec.Filter.Tokens() {
		hashes = append(hashes, TokenHash(t))
	}
	return hashes
}

// reads decides whether a scan reads chunk c, by its time range, its token
// filter (hashes: tokenHashes) and the filter's field tests, and counts
// the decision in st.
func (spec *ScanSpec) reads(c *Chunk, hashes []uint64, st *ScanStats) bool {
	switch {
	case c.MaxTime < spec.Start || c.MinTime > spec.End:
		st.SkippedTime++
		return false
	case !c.mayContainAll(hashes):
		st.SkippedTokens++
		return false
	case spec.Filter != nil && !spec.Filter.mayMatch(c):
		st.SkippedPrune++
		return false
	}
	st.ChunksRead++
	st.Rows += int64(c.Rows)
	return true
}

func mayContainAll(b bloom, hashes []uint64) bool {
	for _, h := range hashes {
		if !b.mayContain(h) {
			return false
		}
	}
	return true
}
