package refeval

import (
	"regexp"
	"slices"
	"strconv"

	"loghunt/query"
	"loghunt/store"
)

// fillValue is fillnull's value= (0 by default): a number when written
// as a decimal number.
func fillValue(c *query.FillnullCmd) store.Value {
	text := "0"
	for _, o := range slices.Concat(c.Options, c.Trailing) {
		if o.Name == "value" {
			text = string(o.Value)
		}
	}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return store.Int(i)
	}
	if f, ok := textNumber(text); ok {
		return store.Float(f)
	}
	return store.Str(text)
}

// fillnull sets the missing listed fields of each row, or with no list
// every field that some row has.
func fillnull(c *query.FillnullCmd, rows []Row) []Row {
	v := fillValue(c)
	names := query.FieldNames(c.Fields)
	if len(names) == 0 {
		seen := map[string]bool{}
		for _, r := range rows {
			for k := range r {
				if !seen[k] {
					seen[k] = true
					names = append(names, k)
				}
			}
		}
	}
	for _, r := range rows {
		for _, n := range names {
			if r.Get(n).K == store.KindNull {
				r.Set(n, v)
			}
		}
	}
	return rows
}

// makeresults makes count rows holding only _time = now.
func (ev *evaluator) makeresults(c *query.MakeresultsCmd) []Row {
	n := 1
	for _, o := range c.Options {
		n, _ = strconv.Atoi(string(o.Value))
	}
	out := make([]Row, n)
	for i := range out {
		out[i] = Row{store.ColTime: store.Time(ev.now.UnixNano())}
	}
	return out
}

// regexRows keeps rows whose field (default _raw) matches; with != the
// rest, rows without the field among them.
func regexRows(c *query.RegexCmd, rows []Row) []Row {
	f := store.ColRaw
	if c.Field != nil {
		f = string(*c.Field)
	}
	re := regexp.MustCompile(string(c.Regex.Value))
	return filter(rows, func(r Row) bool {
		v := r.Get(f)
		m := v.K != store.KindNull && re.MatchString(v.String())
		if c.Op == "!=" {
			return !m
		}
		return m
	})
}

// delta subtracts from each numeric (or time) value the p-th earlier one.
func delta(c *query.DeltaCmd, rows []Row) []Row {
	p := 1
	for _, o := range slices.Concat(c.Options, c.Trailing) {
		p, _ = strconv.Atoi(string(o.Value))
	}
	out := "delta(" + c.Field.Name + ")"
	if c.As != nil {
		out = c.As.Name
	}
	var seen []store.Value
	for _, r := range rows {
		v := r.Get(c.Field.Name)
		_, isNum := arithNum(v)
		if v.K == store.KindBool || !isNum && v.K != store.KindTime {
			r.Set(out, store.Null)
			continue
		}
		d := store.Null
		if len(seen) >= p {
			d = arith('-', v, seen[len(seen)-p])
		}
		seen = append(seen, v)
		r.Set(out, d)
	}
	return rows
}

// autoregress copies the field of the rows lo..hi back.
func autoregress(c *query.AutoregressCmd, rows []Row) []Row {
	lo, hi := 1, 1
	if c.Lag != nil {
		lo, _ = strconv.Atoi(c.Lag.Lo.Text)
		hi = lo
		if c.Lag.Hi != nil {
			hi, _ = strconv.Atoi(c.Lag.Hi.Text)
		}
	}
	vals := make([]store.Value, len(rows))
	for i, r := range rows {
		vals[i] = r.Get(c.Field.Name)
	}
	for i, r := range rows {
		for p := lo; p <= hi; p++ {
			name := c.Field.Name + "_p" + strconv.Itoa(p)
			if c.As != nil {
				name = c.As.Name
			}
			v := store.Null
			if i-p >= 0 {
				v = vals[i-p]
			}
			r.Set(name, v)
		}
	}
	return rows
}
