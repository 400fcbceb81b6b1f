package store

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// CheckReport is what Verify found.
type CheckReport struct {
	Chunks  int            // chunks in the store
	Records int            // source records
	Sources []SourceEvents // per source field value, by name
	// Damaged lists the damaged chunks (a checksum mismatch, or bytes
	// that do not decode), at most maxProblems of them.
	Damaged  []*DamageError
	Problems []error // every problem found (the damage too), at most maxProblems
}

// SourceEvents counts the events of one source field value (the source
// queries group by) as the chunks hold them: what a query over all time
// reads.
type SourceEvents struct {
	Name   string
	Events int64 // in the chunks with this source, damaged or not (as their headers say)
	// DamagedEvents are the events of the damaged chunks among them,
	// which a query cannot read (--skip-damaged leaves them out).
	DamagedEvents  int64
	DamagedChunks  int
	RecordedEvents int64 // what the sources' records say
}

// maxProblems bounds the problems a check lists.
const maxProblems = 50

// Check verifies the store: bbolt's own page consistency check, then the
// store's invariants. It returns every problem found, joined.
//
// Invariants: every chunk key is 16 bytes and its time is the chunk's min
// time; every chunk's checksums hold, its header parses, its times are
// sorted within [min, max], and every column decodes to Rows values; no
// chunk spans more than the recorded max span; the events of every
// source's chunks add up to its record; every column is in the catalog.
func (db *DB) Check() error {
	_, err := db.Verify()
	return err
}

// Verify is Check, and also returns what it found: the damaged chunks and
// the events per source. The report is nil when bbolt's own check failed
// or the store could not be read.
func (db *DB) Verify() (*CheckReport, error) {
	var rep *CheckReport
	var errs []error
	add := func(err error) {
		if len(errs) < maxProblems {
			errs = append(errs, err)
		}
	}
	err := db.view(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			add(fmt.Errorf("bbolt: %w", err))
		}
		for _, name := range [][]byte{bucketChunks, bucketSources, bucketFields, bucketModels, bucketMeta} {
			if tx.Bucket(name) == nil {
				add(fmt.Errorf("bucket %s is missing", name))
			}
		}
		if len(errs) > 0 {
			return nil
		}
		rep = &CheckReport{}
		checkChunks(tx, rep, add)
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	if rep != nil {
		rep.Problems = errs
	}
	if len(errs) > 0 {
		return rep, fmt.Errorf("%s: %w:\n%w", db.path, ErrCorrupt, errors.Join(errs...))
	}
	return rep, nil
}

func checkChunks(tx *bolt.Tx, rep *CheckReport, add func(error)) {
	maxSpan := getInt64(tx.Bucket(bucketMeta), keyMaxSpan)
	fields := tx.Bucket(bucketFields)
	events := map[string]int64{} // by source key
	byName := map[string]*SourceEvents{}
	unknown := 0 // damaged chunks whose header tells nothing
	named := func(name string) *SourceEvents {
		s := byName[name]
		if s == nil {
			s = &SourceEvents{Name: name}
			byName[name] = s
		}
		return s
	}
	seq := tx.Bucket(bucketChunks).Sequence()
	tx.Bucket(bucketChunks).ForEach(func(k, v []byte) error {
		rep.Chunks++
		minTime, id, ok := parseChunkKey(k)
		if !ok {
			add(errCorruptKey(k))
			return nil
		}
		if id == 0 || id > seq {
			add(fmt.Errorf("chunk %d: id beyond the sequence %d", id, seq))
		}
		whole := verifyCRC(v)
		c, err := parseChunk(id, v)
		if err != nil || !whole {
			var de *DamageError
			if err != nil {
				de = headerDamage(id, minTime, v, err)
			} else {
				// Find the section that is damaged; the chunk's last
				// checksum is one too.
				de = &DamageError{ID: id, Known: true, Source: c.Source, SourceKey: c.SourceKey,
					MinTime: c.MinTime, MaxTime: c.MaxTime, Rows: c.Rows, KeyTime: minTime,
					Err: fmt.Errorf("the chunk's checksum: %w", errChecksum)}
				if err := checkColumns(c, fields); errors.Is(err, errCorrupt) {
					de.Err = err
				}
			}
			if len(rep.Damaged) < maxProblems {
				rep.Damaged = append(rep.Damaged, de)
			}
			add(de)
			if !de.Known {
				unknown++
				return nil
			}
			events[de.SourceKey] += int64(de.Rows)
			s := named(de.Source)
			s.Events += int64(de.Rows)
			s.DamagedEvents += int64(de.Rows)
			s.DamagedChunks++
			return nil
		}
		if c.MinTime != minTime {
			add(fmt.Errorf("chunk %d: key time %d but min time %d", id, minTime, c.MinTime))
		}
		if c.MaxTime-c.MinTime > maxSpan {
			add(fmt.Errorf("chunk %d: spans %d ns, more than the recorded max %d", id, c.MaxTime-c.MinTime, maxSpan))
		}
		events[c.SourceKey] += int64(c.Rows)
		named(c.Source).Events += int64(c.Rows)
		if err := checkColumns(c, fields); err != nil {
			add(err)
		}
		return nil
	})
	tx.Bucket(bucketSources).ForEach(func(k, v []byte) error {
		rep.Records++
		s, err := getSource(tx, string(k))
		if err != nil {
			add(err)
			return nil
		}
		if s.Events > 0 || byName[s.Name] != nil {
			named(s.Name).RecordedEvents += s.Events
		}
		if events[s.Key] != s.Events {
			msg := fmt.Sprintf("source %s: record says %d events, chunks hold %d", s.Key, s.Events, events[s.Key])
			if unknown > 0 {
				msg += fmt.Sprintf(" (%d damaged chunks of unknown source may hold the rest)", unknown)
			}
			add(errors.New(msg))
		}
		delete(events, s.Key)
		return nil
	})
	for key, n := range events {
		add(fmt.Errorf("%d events of source %q have no source record", n, key))
	}
	for _, s := range byName {
		rep.Sources = append(rep.Sources, *s)
	}
	sort.Slice(rep.Sources, func(i, j int) bool { return rep.Sources[i].Name < rep.Sources[j].Name })
}

func checkColumns(c *Chunk, fields *bolt.Bucket) error {
	ts, err := c.Times()
	if err != nil {
		return err
	}
	if len(ts) != c.Rows || !slices.IsSorted(ts) || ts[0] != c.MinTime || ts[len(ts)-1] != c.MaxTime {
		return fmt.Errorf("chunk %d: times are not sorted within [min, max]", c.ID)
	}
	for _, ci := range c.Cols {
		vals, err := c.Values(ci.Name)
		if err != nil {
			return err
		}
		if len(vals) != c.Rows {
			return fmt.Errorf("chunk %d column %s: %d values for %d rows", c.ID, ci.Name, len(vals), c.Rows)
		}
		if ci.Name == ColRaw {
			if err := c.checkRawBlocks(vals); err != nil {
				return err
			}
		}
		if ci.Name != ColTime && ci.Name != ColRaw && fields.Get([]byte(ci.Name)) == nil {
			return fmt.Errorf("chunk %d column %s: not in the field catalog", c.ID, ci.Name)
		}
	}
	return nil
}
