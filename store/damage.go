package store

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DamageError is a chunk whose stored bytes are not those written: a
// checksum does not match, or what it holds does not decode. It wraps
// ErrCorrupt. A Scan returns it when work meets the damage, or hands it to
// ScanSpec.SkipDamaged.
type DamageError struct {
	Path string // the database file
	ID   uint64 // the chunk
	// Known says the chunk's header is intact: Source, SourceKey, the time
	// range and Rows are what was written. Without it only KeyTime, the
	// min time in the chunk's key, is known.
	Known            bool
	Source           string
	SourceKey        string
	MinTime, MaxTime int64
	Rows             int
	KeyTime          int64
	Err              error // what is damaged
}

func (e *DamageError) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	fmt.Fprintf(&b, "chunk %d (%s) is damaged: %s", e.ID, e.Describe(), e.What())
	return b.String()
}

// Describe says which events the chunk holds: its source, time range and
// number of events, or that its header is damaged.
func (e *DamageError) Describe() string {
	if !e.Known {
		return fmt.Sprintf("events from %s on; its header is damaged, so its source and number of events are unknown", fmtTime(e.KeyTime))
	}
	return fmt.Sprintf("source %s, %s to %s, %d events", e.Source, fmtTime(e.MinTime), fmtTime(e.MaxTime), e.Rows)
}

// What says what is damaged, without the chunk's id.
func (e *DamageError) What() string {
	msg := e.Err.Error()
	msg = strings.TrimPrefix(msg, fmt.Sprintf("chunk %d: ", e.ID))
	return strings.TrimPrefix(msg, fmt.Sprintf("chunk %d ", e.ID))
}

func (e *DamageError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }

func fmtTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

// checksumErr is a section of a chunk whose bytes are not those written;
// it is errCorrupt too.
type checksumErr struct{}

func (checksumErr) Error() string        { return "checksum mismatch" }
func (checksumErr) Is(target error) bool { return target == errCorrupt }

// errChecksum is a section of a chunk whose checksum does not match.
var errChecksum error = checksumErr{}

// damage returns err as a DamageError of chunk c when it is damage the
// reader met (a checksum mismatch, or bytes that do not decode), else err.
func damage(c *Chunk, err error) error {
	var de *DamageError
	if err == nil || errors.As(err, &de) || !errors.Is(err, errCorrupt) {
		return err
	}
	return &DamageError{ID: c.ID, Known: true, Source: c.Source, SourceKey: c.SourceKey,
		MinTime: c.MinTime, MaxTime: c.MaxTime, Rows: c.Rows, KeyTime: c.MinTime, Err: err}
}

// headerDamage is the DamageError of chunk id whose header did not parse
// or verify; key time is the min time in its key.
func headerDamage(id uint64, keyTime int64, blob []byte, err error) *DamageError {
	de := &DamageError{ID: id, KeyTime: keyTime, Err: err}
	if !errors.Is(err, errCorrupt) {
		de.Err = fmt.Errorf("%w: %v", errCorrupt, err)
	}
	// A chunk of an older format has one checksum for all of it: its
	// header may well be intact.
	// (A format 4 header that fails its checksum tells nothing.)
	if bytes.HasPrefix(blob, chunkMagicV1) {
		if c, perr := parseChunkVerify(id, blob, false); perr == nil && c.MinTime == keyTime {
			de.Known, de.Source, de.SourceKey = true, c.Source, c.SourceKey
			de.MinTime, de.MaxTime, de.Rows = c.MinTime, c.MaxTime, c.Rows
		}
	}
	return de
}
