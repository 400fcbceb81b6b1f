package store

import (
	"context"
	"fmt"
	"slices"
)

// Mem holds chunks in memory, without a file, and scans them as DB does:
// the same pruning by time, token filters and the filter's field tests,
// and the same chunks handed to work, one at a time, in key order (it
// holds no damaged chunk, so ScanSpec.SkipDamaged has nothing to do). It is
// for tests of what reads chunks (query's engine), which then need no
// bbolt file.
type Mem struct {
	chunks []*Chunk
}

// Add keeps an encoded chunk (ChunkBuilder.Encode).
func (m *Mem) Add(e *EncodedChunk) error {
	c, err := parseChunk(uint64(len(m.chunks)+1), e.Blob)
	if err != nil {
		return fmt.Errorf("mem store: %w", err)
	}
	m.chunks = append(m.chunks, c)
	slices.SortStableFunc(m.chunks, func(a, b *Chunk) int {
		if a.MinTime != b.MinTime {
			if a.MinTime < b.MinTime {
				return -1
			}
			return 1
		}
		return int(a.ID) - int(b.ID)
	})
	return nil
}

// Scan runs work and then emit on each chunk the spec allows, in key
// order (DB.Scan's contract, on one goroutine).
func (m *Mem) Scan(ctx context.Context, spec ScanSpec, work func(*Chunk) (any, error), emit func(*Chunk, any) error) (ScanStats, error) {
	st := ScanStats{ChunksTotal: int64(len(m.chunks))}
	hashes := spec.tokenHashes()
	for _, c := range m.chunks {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		if !spec.reads(c, hashes, &st) {
			continue
		}
		v, err := work(c)
		if err != nil {
			return st, err
		}
		if err := emit(c, v); err != nil {
			return st, err
		}
	}
	return st, nil
}

// NewestTime returns the latest event time held, and whether any is.
func (m *Mem) NewestTime() (int64, bool, error) {
	var t int64
	for i, c := range m.chunks {
		if i == 0 || c.MaxTime > t {
			t = c.MaxTime
		}
	}
	return t, len(m.chunks) > 0, nil
}
