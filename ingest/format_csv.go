package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"loghunt/store"
)

// csvFormat reads a header row and then rows, comma-separated (csv) or
// tab-separated (tsv). Fields are named by the header; values are ints,
// floats or strings, and an empty value is null. The time column is the
// pair of "date" and "time" columns whose values joined parse as times
// (loghub's structured files), else the first column whose name is a time
// name (ts, time, timestamp, date, ...) and whose values parse as times,
// else the first column whose values in the head rows all parse as times;
// without one, Parse reports no time.
//
// Quoting follows RFC 4180 within a line ("a ""b"", c"). Each physical
// line is one record: a quoted field that spans lines is not joined, so
// its lines are flagged (unterminated quote) and stored as they are.
type csvFormat struct {
	name string
	sep  byte
}

func (f csvFormat) Name() string { return f.name }

// Detect wants a header of name-like cells and rows with as many cells
// as the header.
func (f csvFormat) Detect(sample []string) float64 {
	var lines []string
	for _, l := range sample {
		if l = trimCR(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) < 2 {
		return 0
	}
	header, err := splitRecord(lines[0], f.sep, nil)
	if err != nil || len(header) < 2 {
		return 0
	}
	for _, h := range header {
		if !isHeaderName(h) {
			return 0
		}
	}
	ok := 0
	var cells []string
	for _, l := range lines[1:] {
		if cells, err = splitRecord(l, f.sep, cells[:0]); err == nil && len(cells) == len(header) {
			ok++
		}
	}
	return 0.9 * float64(ok) / float64(len(lines)-1)
}

// isHeaderName reports whether a header cell looks like a column name:
// short, starting with a letter, _ or @, and made of name characters.
func isHeaderName(h string) bool {
	if h == "" || len(h) > 64 {
		return false
	}
	if c := h[0]; !isLetter(c) && c != '_' && c != '@' {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !isKeyByte(c) && c != ' ' && c != '(' && c != ')' && c != '#' {
			return false
		}
	}
	return true
}

func (f csvFormat) NewParser(head []string, opt Options) (Parser, error) {
	p := &csvParser{sep: f.sep, clock: newClock(&opt, head), timeCol: -1, clockCol: -1}
	var rows []string
	for _, l := range head {
		if l = trimCR(l); l != "" {
			rows = append(rows, l)
		}
	}
	if len(rows) == 0 {
		return nil, errors.New("no header row")
	}
	p.header = rows[0]
	cells, err := splitRecord(p.header, f.sep, nil)
	if err != nil {
		return nil, fmt.Errorf("header row: %w", err)
	}
	p.names = columnNames(cells)
	if opt.TimeField != "" {
		return p.withTimeField(opt.TimeField, cells, rows[1:])
	}
	p.timeCol, p.clockCol = p.findDateTime(cells, rows[1:])
	if p.timeCol < 0 {
		p.timeCol = p.findTimeColumn(cells, rows[1:])
	}
	return p, nil
}

// columnNames makes unique, non-reserved field names from header cells.
func columnNames(cells []string) []string {
	names := make([]string, len(cells))
	seen := make(map[string]bool, len(cells))
	for i, c := range cells {
		n := strings.TrimSpace(c)
		if n == "" {
			n = "col" + strconv.Itoa(i+1)
		}
		n = fieldName(n)
		for base, k := n, 2; seen[n]; k++ {
			n = base + "_" + strconv.Itoa(k)
		}
		seen[n] = true
		names[i] = n
	}
	return names
}

type csvParser struct {
	sep      byte
	clock    clock
	header   string
	names    []string
	timeCol  int    // -1: no time column
	clockCol int    // with timeCol a date column: the time-of-day column, else -1
	field    string // --time-field, the name of timeCol; or ""
}

// withTimeField makes the column named field (--time-field) the time
// column, and checks that rows (the head's) have times in it.
func (p *csvParser) withTimeField(field string, header, rows []string) (Parser, error) {
	p.timeCol = -1
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), field) || strings.EqualFold(p.names[i], field) {
			p.timeCol, p.field = i, field
			break
		}
	}
	if p.timeCol < 0 {
		return nil, &TimeFieldError{field, fmt.Sprintf("the header has no such column (it has %s)", strings.Join(p.names, ", "))}
	}
	if err := checkTimeField(p, rows, field); err != nil {
		return nil, err
	}
	return p, nil
}

// findDateTime finds a date column and a time-of-day column (named
// "date" and "time", as loghub's structured files have) whose values,
// joined by a blank, parse as times in every head row.
func (p *csvParser) findDateTime(header, rows []string) (int, int) {
	date, tod := -1, -1
	for i, h := range header {
		switch {
		case strings.EqualFold(strings.TrimSpace(h), "date"):
			date = i
		case strings.EqualFold(strings.TrimSpace(h), "time"):
			tod = i
		}
	}
	if date < 0 || tod < 0 || len(rows) == 0 {
		return -1, -1
	}
	for _, r := range rows {
		cells, err := splitRecord(r, p.sep, nil)
		if err != nil || max(date, tod) >= len(cells) {
			return -1, -1
		}
		if _, ok := p.parseDateTime(cells[date], cells[tod]); !ok {
			return -1, -1
		}
	}
	return date, tod
}

// parseDateTime parses date + " " + tod without allocating.
func (p *csvParser) parseDateTime(date, tod string) (int64, bool) {
	var buf [80]byte
	if len(date)+len(tod)+1 > len(buf) {
		return 0, false
	}
	b := append(append(append(buf[:0], date...), ' '), tod...)
	return p.clock.parse(bstr(b))
}

// findTimeColumn picks the time column (see csvFormat).
func (p *csvParser) findTimeColumn(header, rows []string) int {
	parsesAll := func(col int) bool {
		n := 0
		for _, r := range rows {
			cells, err := splitRecord(r, p.sep, nil)
			if err != nil || col >= len(cells) || cells[col] == "" {
				continue
			}
			if _, ok := p.clock.parse(cells[col]); !ok {
				return false
			}
			n++
		}
		return n > 0
	}
	best, bestRank := -1, len(timeKeys)
	for i, h := range header {
		if r := timeKeyRank(strings.TrimSpace(h)); r >= 0 && r < bestRank && parsesAll(i) {
			best, bestRank = i, r
		}
	}
	if best >= 0 {
		return best
	}
	for i := range header {
		if parsesAll(i) {
			return i
		}
	}
	return -1
}

// Classify skips the header row (wherever it repeats) and empty lines.
func (p *csvParser) Classify(line []byte) LineKind {
	line = trimCRBytes(line)
	if len(line) == 0 || bstr(line) == p.header {
		return LineSkip
	}
	return LineEvent
}

func (p *csvParser) Parse(raw string, ev *store.Event) (bool, error) {
	s := trimCR(raw)
	hasTime := false
	var err error
	var date, tod string
	col := 0
	for i := 0; i <= len(s); col++ {
		var cell string
		cell, i, err = nextCell(s, i, p.sep)
		if err != nil {
			break
		}
		name := ""
		if col < len(p.names) {
			name = p.names[col]
		} else {
			name = "col" + strconv.Itoa(col+1)
		}
		if cell == "" {
			addField(ev, name, store.Null)
		} else {
			addField(ev, name, typedValue(cell))
		}
		switch {
		case col == p.timeCol && p.clockCol < 0:
			if ns, ok := p.clock.parse(cell); ok {
				ev.Time, hasTime = ns, true
			}
			date = cell // for a --time-field problem
		case col == p.timeCol:
			date = cell
		case col == p.clockCol:
			tod = cell
		}
	}
	if p.clockCol >= 0 {
		ev.Time, hasTime = p.parseDateTime(date, tod)
	}
	if p.field != "" && !hasTime {
		problem := &timeFieldProblem{field: p.field, value: date, missing: date == ""}
		return false, errors.Join(err, problem)
	}
	if err == nil && col != len(p.names) {
		err = fmt.Errorf("%s: %d fields, the header has %d", p.sepName(), col, len(p.names))
	}
	return hasTime, err
}

func (p *csvParser) sepName() string {
	if p.sep == '\t' {
		return "tsv"
	}
	return "csv"
}

var errUnterminatedQuote = errors.New("unterminated quoted field")

// nextCell returns the cell at s[i:] and the offset after its separator
// (len(s)+1 after the last cell).
func nextCell(s string, i int, sep byte) (string, int, error) {
	if i < len(s) && s[i] == '"' {
		j := i + 1
		doubled := false
		for {
			k := strings.IndexByte(s[j:], '"')
			if k < 0 {
				return "", len(s) + 1, errUnterminatedQuote
			}
			j += k + 1
			if j < len(s) && s[j] == '"' {
				doubled, j = true, j+1
				continue
			}
			break
		}
		cell := s[i+1 : j-1]
		if doubled {
			cell = strings.ReplaceAll(cell, `""`, `"`)
		}
		if j < len(s) && s[j] != sep {
			// Text after the closing quote: keep the cell as written.
			k := strings.IndexByte(s[j:], sep)
			if k < 0 {
				return s[i:], len(s) + 1, nil
			}
			return s[i : j+k], j + k + 1, nil
		}
		return cell, j + 1, nil
	}
	k := strings.IndexByte(s[i:], sep)
	if k < 0 {
		return s[i:], len(s) + 1, nil
	}
	return s[i : i+k], i + k + 1, nil
}

// splitRecord appends the cells of line to dst.
func splitRecord(line string, sep byte, dst []string) ([]string, error) {
	for i := 0; i <= len(line); {
		var cell string
		var err error
		if cell, i, err = nextCell(line, i, sep); err != nil {
			return dst, err
		}
		dst = append(dst, cell)
	}
	return dst, nil
}
