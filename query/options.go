package query

import (
	"strconv"
	"strings"
	"time"
)

// stageOptions lists the name=value options each stage takes.
var stageOptions = map[string][]string{
	"rex":          {"field"},
	"bin":          {"span"},
	"timechart":    {"span", "limit"},
	"streamstats":  {"window", "time_window"},
	"top":          {"limit"},
	"rare":         {"limit"},
	"anomalies":    {"contamination", "trees", "sample", "seed", "method", "save", "replace", "model", "n_neighbors", "nu", "gamma", "period", "k"},
	"patterns":     {"field"},
	"context":      {"span", "limit", "summary", "host"},
	"mvexpand":     {"limit"},
	"fillnull":     {"value"},
	"makeresults":  {"count"},
	"delta":        {"p"},
	"explain":      {"llm", "show_prompt"},
	"firstseen":    {"train", "model", "save", "replace"},
	"iplocation":   {"prefix"},
	"subsearch":    {"maxout", "maxtime"},
	"join":         {"type", "max", "maxout", "maxtime", "overwrite"},
	"append":       {"maxout", "maxtime"},
	"transaction":  {"maxspan", "maxpause", "maxevents", "startswith", "endswith", "keepevicted", "mvlist", "maxopentxn"},
	"chart":        {"limit", "useother", "usenull"},
	"addtotals":    {"row", "col", "fieldname", "labelfield", "label"},
	"convert":      {"timeformat"},
	"spath":        {"input", "output", "path"},
	"inputlookup":  {"append", "max"},
	"outputlookup": {"append"},
}

// optionSet is the checked options of one stage, by name.
type optionSet map[string]*Option

// checkOptions rejects unknown and repeated options of stage.
func checkOptions(stage string, lists ...[]*Option) (optionSet, *posError) {
	allowed := stageOptions[stage]
	set := optionSet{}
	for _, opts := range lists {
		for _, o := range opts {
			name := strings.ToLower(o.Name)
			known := false
			for _, a := range allowed {
				known = known || a == name
			}
			switch {
			case !known && len(allowed) == 0:
				return nil, errorfAt(o.Pos.Offset, "%s takes no options", stage)
			case !known:
				return nil, errorfAt(o.Pos.Offset, "unknown option %q for %s%s", o.Name, stage, didYouMean(name, allowed))
			case set[name] != nil:
				return nil, errorfAt(o.Pos.Offset, "option %q is given twice", name)
			}
			set[name] = o
		}
	}
	return set, nil
}

// valueOffset is the offset of the option's value, for errors.
func (o *Option) valueOffset() int { return o.Pos.Offset + len(o.Name) + 1 }

// int returns the integer option name, or def when absent.
func (s optionSet) int(name string, def, least int) (int, *posError) {
	o := s[name]
	if o == nil {
		return def, nil
	}
	n, err := strconv.Atoi(string(o.Value))
	if err != nil || n < least {
		return 0, errorfAt(o.valueOffset(), "%s must be a whole number of at least %d, not %q", name, least, o.Value)
	}
	return n, nil
}

// duration returns the positive duration option name, or 0 when absent.
func (s optionSet) duration(name string) (time.Duration, *posError) {
	o := s[name]
	if o == nil {
		return 0, nil
	}
	d, err := ParseDuration(string(o.Value))
	if err != nil || d <= 0 {
		return 0, errorfAt(o.valueOffset(), "%s must be a duration such as 30s, 5m, 1h or 1d, not %q", name, o.Value)
	}
	return d, nil
}

// boolean returns the option name (true or false), or def when absent.
func (s optionSet) boolean(name string, def bool) (bool, *posError) {
	o := s[name]
	if o == nil {
		return def, nil
	}
	switch strings.ToLower(string(o.Value)) {
	case "true", "t", "1", "yes":
		return true, nil
	case "false", "f", "0", "no":
		return false, nil
	}
	return false, errorfAt(o.valueOffset(), "%s must be true or false, not %q", name, o.Value)
}

// text returns the option name as written, or def when absent.
func (s optionSet) text(name, def string) string {
	if o := s[name]; o != nil {
		return string(o.Value)
	}
	return def
}

// require fails at pos when option name is absent.
func (s optionSet) require(stage, name string, off int) *posError {
	if s[name] == nil {
		u, _ := Help(stage)
		return errorfAt(off, "%s needs %s= (usage: %s)", stage, name, u.Syntax)
	}
	return nil
}
