// Package clickhouse copies a loghunt store's events into a ClickHouse
// table over ClickHouse's HTTP interface (INSERT ... FORMAT TabSeparated,
// which every server release accepts, 18.16 included). It opens network
// connections only to the URL the user gives.
//
// The table (created when missing):
//
//	_time_ns   Int64                  the event time, Unix nanoseconds (exact)
//	_time      DateTime               DEFAULT toDateTime(intDiv(_time_ns, 1000000000))
//	_raw       String
//	source     String
//	sourcetype String
//	_chunk     UInt64                 the store chunk the event came from
//	_chunk_min Int64                  the chunk's first time (loghunt gives the
//	_seq       UInt32                 events of one time by chunk, by this, then
//	                                  its id, then the event's row in it, _seq)
//	<field>    Nullable(Int64|Float64|UInt8|String)   one per field of the catalog
//	                                  (bool as 0/1, time-valued fields as Int64 ns)
//	_extra     String                 a JSON object of the fields without a column
//	ENGINE = MergeTree() ORDER BY _time_ns
//
// Exactly once: each chunk goes in one INSERT, which ClickHouse writes as
// one part (the table has no partition key, and a chunk holds far fewer
// rows than an insert block), so a chunk is in the table whole or not at
// all. A ship first asks the table which chunks it holds and sends only
// the others: a killed ship, run again, neither loses nor repeats events.
package clickhouse

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"loghunt/store"
)

// Client talks to one server's HTTP interface.
type Client struct {
	base *url.URL
	http *http.Client
}

// NewClient parses a URL: http://host:8123 (https too) with optional
// user:password@ and ?database=.
func NewClient(raw string) (*Client, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("ClickHouse URL %q: %v", raw, err)
	}
	switch u.Scheme {
	case "http", "https":
	case "clickhouse", "tcp":
		return nil, fmt.Errorf("ClickHouse URL %q: loghunt speaks ClickHouse's HTTP interface: give http://%s:8123 (the native port 9000 is not supported)", raw, u.Hostname())
	default:
		return nil, fmt.Errorf("ClickHouse URL %q: want http://host:8123", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("ClickHouse URL %q has no host", raw)
	}
	return &Client{base: u, http: &http.Client{Timeout: 10 * time.Minute}}, nil
}

// Exec runs one statement; body, when not nil, is the data of an INSERT.
// It returns the response body.
func (c *Client) Exec(ctx context.Context, sql string, body io.Reader) (string, error) {
	u := *c.base
	q := u.Query()
	q.Set("query", sql)
	u.RawQuery = q.Encode()
	if body == nil {
		body = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
	if err != nil {
		return "", err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("ClickHouse at %s: %w", c.base.Host, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("ClickHouse at %s: %w", c.base.Host, err)
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(out))
		if len(sql) > 200 {
			sql = sql[:200] + "..."
		}
		return "", fmt.Errorf("ClickHouse at %s: %s (query: %s)", c.base.Host, msg, sql)
	}
	return string(out), nil
}

// stream runs a SELECT and returns its TabSeparated result as it comes.
func (c *Client) stream(ctx context.Context, sql string) (io.ReadCloser, error) {
	u := *c.base
	q := u.Query()
	q.Set("query", sql+" FORMAT TabSeparated")
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(""))
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ClickHouse at %s: %w", c.base.Host, err)
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		return nil, fmt.Errorf("ClickHouse at %s: %s (query: %s)", c.base.Host, strings.TrimSpace(string(msg)), sql)
	}
	return resp.Body, nil
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

// quoteIdent quotes a column or table name with backquotes.
func quoteIdent(s string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`").Replace(s) + "`"
}

// tableName checks a --table value: [db.]name of plain characters.
func tableName(t string) (string, error) {
	if !identRE.MatchString(t) || strings.Count(t, ".") > 1 {
		return "", fmt.Errorf("--table %q: want a name of letters, digits and _ (optionally database.name)", t)
	}
	parts := strings.Split(t, ".")
	for i := range parts {
		parts[i] = quoteIdent(parts[i])
	}
	return strings.Join(parts, "."), nil
}

// builtin columns, filled from the chunk's own data.
var builtin = map[string]bool{"_time_ns": true, "_time": true, "_raw": true, "source": true, "sourcetype": true, "_chunk": true, "_chunk_min": true, "_seq": true, "_extra": true}

// colType is the ClickHouse type of a catalog field.
func colType(f store.FieldStat) string {
	var kinds []store.Kind
	for k := store.KindString; k <= store.KindTime; k++ {
		if f.Kinds[k] > 0 {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 2 && kinds[0] == store.KindInt && kinds[1] == store.KindFloat {
		return "Nullable(Float64)"
	}
	if len(kinds) == 1 {
		switch kinds[0] {
		case store.KindInt, store.KindTime:
			return "Nullable(Int64)"
		case store.KindFloat:
			return "Nullable(Float64)"
		case store.KindBool:
			return "Nullable(UInt8)"
		}
	}
	return "Nullable(String)"
}

// timeComment marks the Int64 columns of time-valued fields (ns), so that
// what reads them back makes times of them.
const timeComment = "loghunt:time"

// colComment is the COMMENT clause of a field's column.
func colComment(f store.FieldStat) string {
	for k := store.KindString; k <= store.KindTime; k++ {
		if f.Kinds[k] > 0 && k != store.KindTime {
			return ""
		}
	}
	if f.Kinds[store.KindTime] == 0 {
		return ""
	}
	return " COMMENT '" + timeComment + "'"
}

// CreateSQL is the CREATE TABLE statement for a store's catalog; engine
// is the ENGINE clause ("" for MergeTree() ORDER BY _time_ns).
func CreateSQL(table string, catalog []store.FieldStat, engine string) (string, error) {
	name, err := tableName(table)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (_time_ns Int64, _time DateTime DEFAULT toDateTime(intDiv(_time_ns, 1000000000)), _raw String, source String, sourcetype String, _chunk UInt64, _chunk_min Int64, _seq UInt32", name)
	for _, f := range catalog {
		if builtin[f.Name] {
			continue
		}
		fmt.Fprintf(&b, ", %s %s%s", quoteIdent(f.Name), colType(f), colComment(f))
	}
	if engine == "" {
		engine = "MergeTree() ORDER BY _time_ns"
	}
	fmt.Fprintf(&b, ", _extra String) ENGINE = %s", engine)
	return b.String(), nil
}

// Column is one column of the table.
type Column struct{ Name, Type, Comment string }

// Columns describes a table.
func (c *Client) Columns(ctx context.Context, table string) ([]Column, error) {
	name, err := tableName(table)
	if err != nil {
		return nil, err
	}
	out, err := c.Exec(ctx, "DESCRIBE TABLE "+name+" FORMAT TabSeparated", nil)
	if err != nil {
		return nil, err
	}
	var cols []Column
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) >= 2 {
			col := Column{Name: unescapeTSV(f[0]), Type: f[1]}
			if len(f) >= 5 {
				col.Comment = unescapeTSV(f[4])
			}
			cols = append(cols, col)
		}
	}
	return cols, nil
}

// ShipOptions tune a ship.
type ShipOptions struct {
	Table string
	// Engine, when set, is the ENGINE clause of a table ship creates.
	Engine string
	// Progress, when set, is called after each chunk.
	Progress func(ShipStats)
	// BeforeInsert, when set, is called before each chunk's INSERT; an
	// error stops the ship (tests use it to kill one half-way).
	BeforeInsert func(chunk uint64) error
	// Settings are added to each INSERT's URL (insert_distributed_sync=1).
	Settings map[string]string
	// Cluster, when set, makes Table a Distributed table over the
	// cluster's shards (a remote_servers entry of the server): a
	// MergeTree table Table_local on each of Shards (their HTTP
	// interfaces, which ship creates the local tables on), rows spread by
	// ShardKey (default _chunk, which keeps each chunk on one shard).
	Cluster  string
	ShardKey string
	Shards   []*Client
}

// localName is the shards' table of a Distributed table.
func localName(table string) string { return table + "_local" }

// database is the database a table name or the client's URL names.
func (c *Client) database(table string) string {
	if db, _, ok := strings.Cut(table, "."); ok {
		return db
	}
	if d := c.base.Query().Get("database"); d != "" {
		return d
	}
	return "default"
}

// prepare creates the table (and on a cluster the shards' tables) when
// missing and gives it a column for each field of the catalog it lacks
// (fields new since the last ship: events before had none of them).
func prepare(ctx context.Context, c *Client, catalog []store.FieldStat, opt ShipOptions) error {
	type target struct {
		c      *Client
		table  string
		engine string
	}
	var targets []target
	if opt.Cluster != "" {
		if !identRE.MatchString(opt.Cluster) {
			return fmt.Errorf("--cluster %q: want a name of letters, digits and _", opt.Cluster)
		}
		key := opt.ShardKey
		if key == "" {
			key = "_chunk"
		}
		if len(opt.Shards) == 0 {
			return fmt.Errorf("a ship to cluster %s needs the HTTP interface of each shard (--shard URL), to create its local table", opt.Cluster)
		}
		local := localName(opt.Table)
		lname := local
		if i := strings.LastIndexByte(local, '.'); i >= 0 {
			lname = local[i+1:]
		}
		for _, sh := range opt.Shards {
			targets = append(targets, target{sh, local, ""})
		}
		targets = append(targets, target{c, opt.Table, fmt.Sprintf("Distributed(%s, %s, %s, %s)",
			quoteIdent(opt.Cluster), quoteIdent(c.database(opt.Table)), quoteIdent(lname), key)})
	} else {
		targets = append(targets, target{c, opt.Table, opt.Engine})
	}
	for _, tg := range targets {
		create, err := CreateSQL(tg.table, catalog, tg.engine)
		if err != nil {
			return err
		}
		if _, err := tg.c.Exec(ctx, create, nil); err != nil {
			return err
		}
		cols, err := tg.c.Columns(ctx, tg.table)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, col := range cols {
			have[col.Name] = true
		}
		name, _ := tableName(tg.table)
		for _, f := range catalog {
			if builtin[f.Name] || have[f.Name] {
				continue
			}
			// Before _extra, where CREATE puts the fields.
			alter := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s%s AFTER %s", name, quoteIdent(f.Name), colType(f), colComment(f), quoteIdent(lastField(cols)))
			if _, err := tg.c.Exec(ctx, alter, nil); err != nil {
				return err
			}
			cols = append(cols[:len(cols)-1], Column{Name: f.Name, Type: colType(f)}, cols[len(cols)-1])
		}
	}
	return nil
}

// lastField is the column before _extra.
func lastField(cols []Column) string {
	for i, c := range cols {
		if c.Name == "_extra" && i > 0 {
			return cols[i-1].Name
		}
	}
	return cols[len(cols)-1].Name
}

// ShipStats count what a ship did.
type ShipStats struct {
	Chunks, Skipped int   // chunks sent; chunks the table already held
	Events          int64 // events sent
	Bytes           int64 // bytes of TSV sent
	Elapsed         time.Duration
}

// Ship copies the store's events the table lacks into it.
func Ship(ctx context.Context, db *store.DB, c *Client, opt ShipOptions) (ShipStats, error) {
	st, _, err := ship(ctx, db, c, opt, nil)
	return st, err
}

// Shipper ships again and again (watch --ship): the first ship asks the
// table which chunks it holds, as Ship does; the next ones know, and cost
// nothing when the store has no new events.
type Shipper struct {
	C    *Client
	Opt  ShipOptions
	have map[uint64]int64 // the chunks the table holds, when known
}

// Ship copies the events the table lacks into it.
func (s *Shipper) Ship(ctx context.Context, db *store.DB) (ShipStats, error) {
	if s.have != nil {
		srcs, err := db.Sources()
		if err != nil {
			return ShipStats{}, err
		}
		var total, shipped int64
		for _, src := range srcs {
			total += src.Events
		}
		for _, n := range s.have {
			shipped += n
		}
		if total == shipped {
			return ShipStats{}, nil
		}
	}
	st, have, err := ship(ctx, db, s.C, s.Opt, s.have)
	if err != nil {
		have = nil // an INSERT that failed here may be in: ask the table next time
	}
	s.have = have
	return st, err
}

// ship is Ship with the table's chunks known (have, which it updates) or
// to be asked (have nil).
func ship(ctx context.Context, db *store.DB, c *Client, opt ShipOptions, have map[uint64]int64) (ShipStats, map[uint64]int64, error) {
	st, err := shipInto(ctx, db, c, opt, &have)
	return st, have, err
}

func shipInto(ctx context.Context, db *store.DB, c *Client, opt ShipOptions, known *map[uint64]int64) (ShipStats, error) {
	start := time.Now()
	var st ShipStats
	catalog, err := db.Fields()
	if err != nil {
		return st, err
	}
	if err := prepare(ctx, c, catalog, opt); err != nil {
		return st, err
	}
	if opt.Cluster != "" {
		// Each INSERT is on the shards when it returns, so the next
		// ship's count of shipped chunks sees it.
		opt.Settings = map[string]string{"insert_distributed_sync": "1"}
	}
	cols, err := c.Columns(ctx, opt.Table)
	if err != nil {
		return st, err
	}
	have := *known
	if have == nil {
		if have, err = c.ShippedChunks(ctx, opt.Table); err != nil {
			return st, err
		}
		*known = have
	}
	name, _ := tableName(opt.Table)
	var fields []Column // the columns filled from event fields, in order
	var names []string
	hasExtra := false
	for _, col := range cols {
		switch {
		case col.Name == "_extra":
			hasExtra = true
		case col.Name == "_time":
			continue // its DEFAULT
		case builtin[col.Name]:
			names = append(names, quoteIdent(col.Name))
		default:
			fields = append(fields, col)
			names = append(names, quoteIdent(col.Name))
		}
	}
	if hasExtra {
		names = append(names, "_extra")
	}
	insert := "INSERT INTO " + name + " (" + strings.Join(names, ", ") + ") FORMAT TabSeparated"
	type encoded struct {
		body []byte
		rows int
	}
	prior := maps.Clone(have) // work reads it in the scan's workers while emit adds to have
	work := func(ch *store.Chunk) (any, error) {
		if _, ok := prior[ch.ID]; ok {
			return nil, nil
		}
		body, err := encodeChunk(ch, cols, fields, hasExtra)
		return encoded{body, ch.Rows}, err
	}
	emit := func(ch *store.Chunk, v any) error {
		if v == nil {
			st.Skipped++
			if n := prior[ch.ID]; n != int64(ch.Rows) {
				return fmt.Errorf("table %s holds %d of the %d events of chunk %d (not loghunt's doing: a ship inserts a chunk whole); delete them (ALTER TABLE %s DELETE WHERE _chunk = %d) and ship again",
					opt.Table, n, ch.Rows, ch.ID, name, ch.ID)
			}
			return nil
		}
		e := v.(encoded)
		if opt.BeforeInsert != nil {
			if err := opt.BeforeInsert(ch.ID); err != nil {
				return err
			}
		}
		sql := insert
		if _, err := c.execSettings(ctx, sql, bytes.NewReader(e.body), opt.Settings); err != nil {
			return err
		}
		have[ch.ID] = int64(e.rows)
		st.Chunks++
		st.Events += int64(e.rows)
		st.Bytes += int64(len(e.body))
		if opt.Progress != nil {
			opt.Progress(st)
		}
		return nil
	}
	_, err = db.Scan(ctx, store.AllTime, work, emit)
	st.Elapsed = time.Since(start)
	return st, err
}

func (c *Client) execSettings(ctx context.Context, sql string, body io.Reader, settings map[string]string) (string, error) {
	if len(settings) == 0 {
		return c.Exec(ctx, sql, body)
	}
	cc := *c
	u := *c.base
	q := u.Query()
	for k, v := range settings {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	cc.base = &u
	return cc.Exec(ctx, sql, body)
}

// ShippedChunks returns the chunks the table holds, with their events.
func (c *Client) ShippedChunks(ctx context.Context, table string) (map[uint64]int64, error) {
	name, err := tableName(table)
	if err != nil {
		return nil, err
	}
	out, err := c.Exec(ctx, "SELECT _chunk, count() FROM "+name+" GROUP BY _chunk FORMAT TabSeparated", nil)
	if err != nil {
		return nil, err
	}
	have := map[uint64]int64{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		a, b, _ := strings.Cut(line, "\t")
		id, err1 := strconv.ParseUint(a, 10, 64)
		n, err2 := strconv.ParseInt(b, 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("ClickHouse: unexpected answer %q to the shipped-chunks query", line)
		}
		have[id] = n
	}
	return have, nil
}

// encodeChunk writes a chunk's events as TabSeparated rows in the order
// of the INSERT's columns.
func encodeChunk(ch *store.Chunk, cols, fields []Column, hasExtra bool) ([]byte, error) {
	rows, err := ch.Select(nil, math.MinInt64, math.MaxInt64, store.SelectOptions{Times: true})
	if err != nil {
		return nil, err
	}
	defer rows.Release()
	n := rows.Len()
	times := rows.Times()
	vals := map[string][]store.Value{}
	inTable := map[string]bool{}
	for _, col := range cols {
		inTable[col.Name] = true
	}
	var extra []string
	for _, ci := range ch.Cols {
		if ci.Name == store.ColTime {
			continue
		}
		v, err := rows.Values(ci.Name)
		if err != nil {
			return nil, err
		}
		vals[ci.Name] = v
		if !inTable[ci.Name] || ci.Name == "_extra" || ci.Name == "_chunk" || ci.Name == "_chunk_min" || ci.Name == "_seq" || ci.Name == "_time_ns" {
			extra = append(extra, ci.Name)
		}
	}
	var b bytes.Buffer
	b.Grow(n * 256)
	buf := make([]byte, 0, 64)
	get := func(name string, r int) store.Value {
		if v, ok := vals[name]; ok {
			return v[r]
		}
		return store.Null
	}
	for r := 0; r < n; r++ {
		var ext map[string]string
		first := true
		for _, col := range cols {
			if col.Name == "_time" || col.Name == "_extra" {
				continue
			}
			if !first {
				b.WriteByte('\t')
			}
			first = false
			switch col.Name {
			case "_time_ns":
				b.Write(strconv.AppendInt(buf[:0], times[r], 10))
				continue
			case "_chunk":
				b.Write(strconv.AppendUint(buf[:0], ch.ID, 10))
				continue
			case "_seq":
				b.Write(strconv.AppendInt(buf[:0], int64(r), 10))
				continue
			case "_chunk_min":
				b.Write(strconv.AppendInt(buf[:0], ch.MinTime, 10))
				continue
			case "_raw":
				writeTSV(&b, get("_raw", r).S)
				continue
			case "source":
				writeTSV(&b, ch.Source)
				continue
			case "sourcetype":
				writeTSV(&b, ch.Sourcetype)
				continue
			}
			v := get(col.Name, r)
			if !writeValue(&b, buf, col.Type, v) {
				if ext == nil {
					ext = map[string]string{}
				}
				ext[col.Name] = v.String()
			}
		}
		if hasExtra {
			for _, name := range extra {
				if v := vals[name][r]; !v.IsNull() {
					if ext == nil {
						ext = map[string]string{}
					}
					ext[name] = v.String()
				}
			}
			b.WriteByte('\t')
			if ext == nil {
				b.WriteString("{}")
			} else {
				j, _ := json.Marshal(ext)
				writeTSV(&b, string(j))
			}
		}
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// writeValue writes v as a value of a column of type typ, or \N and false
// when v is of another kind (its text then goes to _extra).
func writeValue(b *bytes.Buffer, buf []byte, typ string, v store.Value) bool {
	if v.IsNull() {
		b.WriteString(`\N`)
		return true
	}
	base := strings.TrimSuffix(strings.TrimPrefix(typ, "Nullable("), ")")
	ok := true
	switch base {
	case "Int64":
		if v.K == store.KindInt || v.K == store.KindTime {
			b.Write(strconv.AppendInt(buf[:0], v.I, 10))
		} else {
			ok = false
		}
	case "Float64":
		switch v.K {
		case store.KindFloat:
			b.Write(strconv.AppendFloat(buf[:0], v.F, 'g', -1, 64))
		case store.KindInt:
			b.Write(strconv.AppendInt(buf[:0], v.I, 10))
		default:
			ok = false
		}
	case "UInt8":
		if v.K == store.KindBool {
			b.Write(strconv.AppendInt(buf[:0], v.I, 10))
		} else {
			ok = false
		}
	case "String":
		writeTSV(b, v.String())
	default:
		ok = false
	}
	if !ok {
		b.WriteString(`\N`)
	}
	return ok
}

// writeTSV writes s escaped for TabSeparated.
func writeTSV(b *bytes.Buffer, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '\\':
			esc = `\\`
		case '\t':
			esc = `\t`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		case 0:
			esc = `\0`
		default:
			continue
		}
		b.WriteString(s[start:i])
		b.WriteString(esc)
		start = i + 1
	}
	b.WriteString(s[start:])
}

// unescapeTSV reverses writeTSV (and ClickHouse's other escapes).
func unescapeTSV(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
