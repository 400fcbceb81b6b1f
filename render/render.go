// Package render prints results as aligned tables, CSV or JSON lines, the
// same way for the command line and the REPL.
package render

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"loghunt/query"
	"loghunt/store"
)

// Format is an output format.
type Format string

// The output formats.
const (
	Table Format = "table"
	CSV   Format = "csv"
	JSON  Format = "json"
	// Chart draws a result with _time and numeric columns in the terminal.
	Chart Format = "chart"
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case Table, CSV, JSON, Chart:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want table, csv, json or chart)", s)
}

// MaxCell is the widest a table cell gets before it is cut with "…".
const MaxCell = 60

// Writer prints rows in one format. Rows may come in several calls; a
// table is aligned per call (a page).
type Writer struct {
	w      *bufio.Writer
	format Format
	fields []string
	header bool
	csv    *csv.Writer
	// ChartOptions apply to the chart format.
	ChartOptions ChartOptions
	// Loc, when set, is the zone times are shown in (the default is UTC).
	Loc       *time.Location
	chartRows [][]store.Value
}

// New returns a writer of rows with the given columns.
func New(w io.Writer, format Format, fields []string) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	rw := &Writer{w: bw, format: format, fields: fields}
	if format == CSV {
		rw.csv = csv.NewWriter(bw)
	}
	return rw
}

// Write prints rows; each row has one value per field.
func (rw *Writer) Write(rows [][]store.Value) error {
	switch rw.format {
	case Chart:
		rw.chartRows = append(rw.chartRows, rows...)
		return nil
	case CSV:
		if !rw.header {
			rw.csv.Write(rw.fields)
			rw.header = true
		}
		rec := make([]string, len(rw.fields))
		for _, r := range rows {
			for i := range rec {
				rec[i] = rw.text(r[i])
				if vals, ok := query.SparklineValues(r[i]); ok {
					rec[i] = strings.Join(sparkNumbers(vals), ",") // the numbers, one per bucket
				}
			}
			if err := rw.csv.Write(rec); err != nil {
				return err
			}
		}
		rw.csv.Flush()
		return rw.csv.Error()
	case JSON:
		for _, r := range rows {
			rw.w.WriteByte('{')
			for i, f := range rw.fields {
				if i > 0 {
					rw.w.WriteByte(',')
				}
				k, _ := json.Marshal(f)
				rw.w.Write(k)
				rw.w.WriteByte(':')
				rw.w.Write(rw.jsonValue(r[i]))
			}
			rw.w.WriteString("}\n")
		}
		return nil
	}
	rw.table(rows)
	return nil
}

// Flush writes out what is buffered; a chart is drawn now, from every
// row written.
func (rw *Writer) Flush() error {
	if rw.format == Chart && rw.chartRows != nil {
		err := DrawChart(rw.w, rw.fields, rw.chartRows, rw.ChartOptions)
		rw.chartRows = nil
		if err != nil {
			return err
		}
	}
	return rw.w.Flush()
}

func (rw *Writer) table(rows [][]store.Value) {
	cells := make([][]string, len(rows))
	width := make([]int, len(rw.fields))
	for i, f := range rw.fields {
		width[i] = utf8.RuneCountInString(f)
	}
	for r, row := range rows {
		cells[r] = make([]string, len(rw.fields))
		for i := range rw.fields {
			s := cut(rw.text(row[i]), MaxCell)
			if vals, ok := query.SparklineValues(row[i]); ok {
				s = Sparkline(vals)
				if r := []rune(s); len(r) > MaxCell {
					s = "…" + string(r[len(r)-MaxCell+1:]) // the latest buckets
				}
			}
			cells[r][i] = s
			width[i] = max(width[i], utf8.RuneCountInString(s))
		}
	}
	line := func(vals []string, numeric []bool) {
		var b strings.Builder
		for i, s := range vals {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(s))
			if i > 0 {
				b.WriteString("  ")
			}
			if numeric != nil && numeric[i] {
				b.WriteString(pad + s)
			} else if i < len(vals)-1 {
				b.WriteString(s + pad)
			} else {
				b.WriteString(s)
			}
		}
		rw.w.WriteString(strings.TrimRight(b.String(), " ") + "\n")
	}
	line(rw.fields, nil)
	rule := make([]string, len(width))
	for i, w := range width {
		rule[i] = strings.Repeat("-", w)
	}
	line(rule, nil)
	for r, row := range rows {
		numeric := make([]bool, len(row))
		for i, v := range row {
			numeric[i] = v.K == store.KindInt || v.K == store.KindFloat
		}
		line(cells[r], numeric)
	}
}

// Text is a value as printed: invalid UTF-8 is shown with U+FFFD, floats
// with at most FloatDigits significant digits (whole ones without a
// fraction).
func Text(v store.Value) string {
	switch v.K {
	case store.KindFloat:
		return formatFloat(v.F)
	case store.KindString:
		if !utf8.ValidString(v.S) {
			return strings.ToValidUTF8(v.S, "\uFFFD")
		}
	}
	return v.String()
}

// FloatDigits is how many significant digits a float prints with at most:
// every decimal of 15 digits survives the trip through a float64, so sums
// of decimals read as decimals (20.1795, not 20.179499999999997).
const FloatDigits = 15

// formatFloat prints f rounded to FloatDigits significant digits, in the
// shortest form of that rounding, without an exponent for ordinary
// magnitudes; infinities and NaN as store prints them.
func formatFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return store.FormatFloat(f)
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', FloatDigits, 64), 64)
	if err != nil {
		// Rounded up past the largest float: cut the digits instead.
		e := strconv.FormatFloat(f, 'e', FloatDigits+2, 64) // d.ddd…e+308
		mant, exp, _ := strings.Cut(e, "e")
		if r, err = strconv.ParseFloat(mant[:len(mant)-3]+"e"+exp, 64); err != nil {
			return store.FormatFloat(f)
		}
	}
	if r == math.Trunc(r) && math.Abs(r) < 1e15 {
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return store.FormatFloat(r)
}

// cut shortens s to n runes, ending with "…" (starting with it for a
// path, whose end says most), and shows newlines and tabs as escapes so a
// table row stays one line.
func cut(s string, n int) string {
	if strings.ContainsAny(s, "\n\r\t") {
		s = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	if isPath(s) {
		// The end of a path names the file (or the member of an archive).
		return "…" + string(r[len(r)-n+1:])
	}
	return string(r[:n-1]) + "…"
}

// isPath reports whether s looks like a file path: slashes and no blanks.
func isPath(s string) bool {
	return strings.ContainsAny(s, `/\`) && !strings.ContainsAny(s, " \t") && !strings.Contains(s, "://")
}

// text is Text, with times in rw.Loc.
func (rw *Writer) text(v store.Value) string {
	if v.K == store.KindTime && rw.Loc != nil {
		return time.Unix(0, v.I).In(rw.Loc).Format(time.RFC3339Nano)
	}
	return Text(v)
}

func (rw *Writer) jsonValue(v store.Value) []byte {
	if vals, ok := query.SparklineValues(v); ok {
		return sparklineJSON(vals)
	}
	if v.K == store.KindTime && rw.Loc != nil {
		b, _ := json.Marshal(rw.text(v))
		return b
	}
	return jsonValue(v)
}

func jsonValue(v store.Value) []byte {
	var x any
	switch v.K {
	case store.KindNull:
		return []byte("null")
	case store.KindInt:
		return []byte(v.String())
	case store.KindFloat:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			x = v.String()
		} else {
			return []byte(formatFloat(v.F)) // a JSON number
		}
	case store.KindBool:
		return []byte(v.String())
	default:
		x = Text(v)
	}
	b, _ := json.Marshal(x)
	return b
}

// sparkBlocks are the eight heights of a sparkline's bars.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws the numbers of a sparkline (stats sparkline(...)) as
// block characters, one per bucket, scaled from the smaller of 0 and the
// least value (the lowest block) to the greatest (the highest); a bucket
// that is no number is a blank.
func Sparkline(vals []string) string {
	nums := make([]float64, len(vals))
	ok := make([]bool, len(vals))
	lo, hi, any := 0.0, 0.0, false
	for i, s := range vals {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		nums[i], ok[i] = f, true
		if !any || f > hi {
			hi = f
		}
		lo = min(lo, f)
		any = true
	}
	var b strings.Builder
	for i := range vals {
		switch {
		case !ok[i]:
			b.WriteRune(' ')
		case hi == lo:
			b.WriteRune(sparkBlocks[0])
		default:
			level := int(math.Round((nums[i] - lo) / (hi - lo) * float64(len(sparkBlocks)-1)))
			b.WriteRune(sparkBlocks[level])
		}
	}
	return b.String()
}

// sparkNumbers are a sparkline's numbers as every float prints.
func sparkNumbers(vals []string) []string {
	out := make([]string, len(vals))
	for i, s := range vals {
		out[i] = s
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			out[i] = formatFloat(f)
		}
	}
	return out
}

// sparklineJSON is a sparkline's numbers as a JSON array.
func sparklineJSON(vals []string) []byte {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			b.WriteString(formatFloat(f))
		} else {
			q, _ := json.Marshal(s)
			b.Write(q)
		}
	}
	b.WriteByte(']')
	return []byte(b.String())
}
