package clickhouse

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"loghunt/query"
	"loghunt/store"
)

// QueryOptions tune a query on ClickHouse.
type QueryOptions struct {
	Table string
	// Query are loghunt's options for the stages it runs itself; Now zero
	// means the time of the table's newest event, as on a local store.
	Query query.Options
	// Store, when set, is what a local stage that reads events itself
	// (a subsearch, join) reads; nil makes those stages fail.
	Store query.Store
	// Translated, when set, is called with the split before anything runs.
	Translated func(*Translation)
}

// Plan translates q for a table: the SQL and which stages run where.
func Plan(ctx context.Context, c *Client, q *query.Query, opt *QueryOptions) (*Translation, error) {
	cols, err := c.Columns(ctx, opt.Table)
	if err != nil {
		return nil, err
	}
	s, err := newSchema(opt.Table, cols)
	if err != nil {
		return nil, err
	}
	if _, ok := s.types["_extra"]; ok {
		// The names of _extra's keys (and maybe a few other strings of
		// it: a name too many only translates less).
		out, err := c.Exec(ctx, `SELECT DISTINCT arrayJoin(extractAll(_extra, '"((?:[^"\\\\]|\\\\.)*)":')) FROM `+s.table+` WHERE _extra != '{}' FORMAT TabSeparated`, nil)
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if line != "" {
				var name string
				if json.Unmarshal([]byte(`"`+unescapeTSV(line)+`"`), &name) != nil {
					name = unescapeTSV(line)
				}
				s.extra[name] = true
			}
		}
	}
	if opt.Query.Now.IsZero() {
		out, err := c.Exec(ctx, "SELECT count(), max(_time_ns) FROM "+s.table+" FORMAT TabSeparated", nil)
		if err != nil {
			return nil, err
		}
		n, newest, _ := strings.Cut(strings.TrimSpace(out), "\t")
		opt.Query.Now = time.Now().UTC()
		if n != "0" {
			ns, err := strconv.ParseInt(newest, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("ClickHouse: unexpected answer %q to the newest-event query", out)
			}
			opt.Query.Now = time.Unix(0, ns).UTC()
		}
	}
	lo, hi, err := TimeBounds(q, opt.Query.Now, opt.Query.Earliest, opt.Query.Latest)
	if err != nil {
		return nil, err
	}
	return translate(q, s, lo, hi), nil
}

// Query runs q with its translatable start on the server and the rest
// in loghunt, handing the result batches to out.
func Query(ctx context.Context, c *Client, q *query.Query, opt QueryOptions, out func(*query.Batch) error) (*Translation, query.Stats, error) {
	tr, err := Plan(ctx, c, q, &opt)
	if err != nil {
		return nil, query.Stats{}, err
	}
	if opt.Translated != nil {
		opt.Translated(tr)
	}
	src := func(push func(*query.Batch) error) error {
		body, err := c.stream(ctx, tr.SQL)
		if err != nil {
			return err
		}
		defer body.Close()
		if tr.fill > 0 {
			return fillBuckets(body, tr.cols, tr.fill, opt.Query.MaxGroups, push)
		}
		return decode(body, tr.cols, push)
	}
	st, err := query.RunBatches(ctx, opt.Store, q, tr.From, src, opt.Query, out)
	return tr, st, err
}

// fillBuckets is timechart's end: one row per bucket from the first to
// the last, an empty bucket's and a null aggregate's value 0, as
// query's timechart makes them.
func fillBuckets(r io.Reader, cols []outCol, span int64, maxGroups int, push func(*query.Batch) error) error {
	if maxGroups <= 0 {
		maxGroups = query.DefaultMaxGroups
	}
	var rows [][]store.Value
	err := decode(r, cols, func(b *query.Batch) error {
		for i := 0; i < b.Len; i++ {
			rows = append(rows, b.Row(i))
		}
		return nil
	})
	if err != nil || len(rows) == 0 {
		return err
	}
	lo, hi := rows[0][0].I, rows[len(rows)-1][0].I
	if (hi-lo)/span+1 > int64(maxGroups) {
		return fmt.Errorf("%w: timechart would have more than %d buckets; use a larger span", query.ErrLimit, maxGroups)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	b := &query.Batch{Fields: names, Cols: make([][]store.Value, len(cols))}
	next := 0
	for ts := lo; ts <= hi; ts += span {
		var row []store.Value
		if next < len(rows) && rows[next][0].I == ts {
			row = rows[next]
			next++
		}
		b.Cols[0] = append(b.Cols[0], store.Time(ts))
		for i := 1; i < len(cols); i++ {
			v := store.Int(0)
			if row != nil && !row[i].IsNull() {
				v = row[i]
			}
			b.Cols[i] = append(b.Cols[i], v)
		}
		b.Len++
		if b.Len == query.BatchSize {
			if err := push(b); err != nil {
				return err
			}
			b = &query.Batch{Fields: names, Cols: make([][]store.Value, len(cols))}
		}
	}
	if b.Len > 0 {
		return push(b)
	}
	return nil
}

// decode turns TabSeparated rows into batches of query.BatchSize rows.
func decode(r io.Reader, cols []outCol, push func(*query.Batch) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	var b *query.Batch
	var extraCol map[string]int
	reset := func() {
		b = &query.Batch{}
		extraCol = map[string]int{}
		for _, c := range cols {
			if c.kind != kExtra {
				b.Fields = append(b.Fields, c.name)
				b.Cols = append(b.Cols, make([]store.Value, 0, 256))
			}
		}
	}
	reset()
	flush := func() error {
		if b.Len == 0 {
			return nil
		}
		for i := range b.Cols {
			for len(b.Cols[i]) < b.Len {
				b.Cols[i] = append(b.Cols[i], store.Null)
			}
		}
		err := push(b)
		reset()
		return err
	}
	line := 0
	for {
		text, err := br.ReadString('\n')
		if err == io.EOF && text == "" {
			break
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("ClickHouse: reading the result: %w", err)
		}
		line++
		fields := strings.Split(strings.TrimSuffix(text, "\n"), "\t")
		if strings.HasPrefix(text, "Code: ") && strings.Contains(text, "Exception") {
			// The server failed after it had begun to answer (status 200).
			return fmt.Errorf("ClickHouse failed in the middle of the result: %s", strings.TrimSpace(text))
		}
		if len(fields) != len(cols) {
			return fmt.Errorf("ClickHouse: result row %d has %d columns, want %d", line, len(fields), len(cols))
		}
		ci := 0
		for i, c := range cols {
			f := fields[i]
			if c.kind == kPercent {
				// As query's top: round(10000 * count / total) / 100.
				total, err := strconv.ParseInt(f, 10, 64)
				if err != nil || ci == 0 {
					return fmt.Errorf("ClickHouse: result row %d: total %q", line, f)
				}
				n := b.Cols[ci-1][b.Len].I
				b.Cols[ci] = append(b.Cols[ci], store.Float(math.Round(10000*float64(n)/float64(total))/100))
				ci++
				continue
			}
			if c.kind == kExtra {
				if err := addExtra(b, extraCol, unescapeTSV(f)); err != nil {
					return fmt.Errorf("ClickHouse: result row %d: _extra: %w", line, err)
				}
				continue
			}
			v, err := parseValue(f, c.kind)
			if err != nil {
				return fmt.Errorf("ClickHouse: result row %d, column %s: %w", line, c.name, err)
			}
			b.Cols[ci] = append(b.Cols[ci], v)
			ci++
		}
		b.Len++
		if b.Len == query.BatchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// addExtra adds the fields of one row's _extra object to the batch.
func addExtra(b *query.Batch, cols map[string]int, js string) error {
	if js == "" || js == "{}" {
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return err
	}
	for k, v := range m {
		i, ok := cols[k]
		if !ok {
			if i = b.Col(k); i < 0 {
				b.Fields = append(b.Fields, k)
				b.Cols = append(b.Cols, nil)
				i = len(b.Cols) - 1
			}
			cols[k] = i
		}
		if len(b.Cols[i]) > b.Len { // a column of the table whose value did not fit its type
			b.Cols[i][b.Len] = store.Str(v)
			continue
		}
		for len(b.Cols[i]) < b.Len {
			b.Cols[i] = append(b.Cols[i], store.Null)
		}
		b.Cols[i] = append(b.Cols[i], store.Str(v))
	}
	return nil
}

func parseValue(f string, k kind) (store.Value, error) {
	if f == `\N` {
		return store.Null, nil
	}
	switch k {
	case kStr:
		return store.Str(unescapeTSV(f)), nil
	case kInt, kTime:
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return store.Null, err
		}
		if k == kTime {
			return store.Time(n), nil
		}
		return store.Int(n), nil
	case kFloat:
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
				return store.Float(x), nil
			}
			switch f {
			case "-nan":
				return store.Float(x), nil
			}
			return store.Null, err
		}
		return store.Float(x), nil
	case kBool:
		return store.Bool(f == "1"), nil
	}
	return store.Null, fmt.Errorf("BUG: kind %d", k)
}

// ParseEngine reads --engine clickhouse=URL[#table]: the server's URL and
// the table (default loghunt_events; ?table=T also names it).
func ParseEngine(spec string) (*Client, string, error) {
	name, raw, ok := strings.Cut(spec, "=")
	if !ok || name != "clickhouse" {
		return nil, "", fmt.Errorf("--engine %q: want clickhouse=http://host:8123 (optionally ?table=T)", spec)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, "", fmt.Errorf("--engine %q: %v", spec, err)
	}
	table := "loghunt_events"
	q := u.Query()
	if t := q.Get("table"); t != "" {
		table = t
		q.Del("table")
		u.RawQuery = q.Encode()
	}
	if _, err := tableName(table); err != nil {
		return nil, "", err
	}
	c, err := NewClient(u.String())
	return c, table, err
}
