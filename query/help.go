package query

import (
	"slices"
	"sort"
	"strings"
)

// HelpEntry documents one stage, function or aggregate: for `.help`, for
// did-you-mean candidates and for completion.
type HelpEntry struct {
	Name    string
	Kind    string // "stage", "function", "aggregate" or "fields"
	Syntax  string
	Summary string
	Example string
}

// Help returns the entry for name (case-insensitive): a stage, else a
// function, else an aggregate. "perc95" and "p99" find percN, the other
// names of an aggregate (first, exactperc, upperperc) its entry.
func Help(name string) (HelpEntry, bool) {
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "("))
	switch name {
	case "first":
		name = "earliest"
	case "last":
		name = "latest"
	case "exactperc", "perc", "p":
		name = "percN"
	case "upperperc":
		name = "upperpercN"
	}
	for _, table := range [][]HelpEntry{stageHelp, functionHelp, aggregateHelp, topicHelp} {
		for _, e := range table {
			if strings.EqualFold(e.Name, name) {
				return e, true
			}
		}
	}
	if n, ok := strings.CutPrefix(name, "upperperc"); ok {
		if _, ok := parsePercentile("perc" + n); ok {
			return Help("upperpercN")
		}
	}
	if _, ok := parsePercentile(name); ok {
		return Help("percN")
	}
	return HelpEntry{}, false
}

// HelpEntries returns every entry: stages, then functions, then aggregates.
func HelpEntries() []HelpEntry {
	return slices.Concat(stageHelp, functionHelp, aggregateHelp)
}

// StageNames returns the stage names, sorted.
func StageNames() []string { return helpNames(stageHelp) }

// AggregateNames returns the aggregate names, sorted; percN stands for
// perc95, perc99.9 and the like (also written pN).
func AggregateNames() []string { return helpNames(aggregateHelp) }

// AggregateNamesOf returns the aggregates a stage takes, sorted:
// sparkline is stats' alone, per_second and its kin timechart's.
func AggregateNamesOf(stage string) []string {
	stage = strings.ToLower(stage)
	return slices.DeleteFunc(AggregateNames(), func(name string) bool {
		_, per := PerUnits[name]
		return name == "sparkline" && stage != "stats" || per && stage != "timechart"
	})
}

// OptionNames returns the name=value options a stage takes, sorted.
func OptionNames(stage string) []string {
	opts := slices.Clone(stageOptions[strings.ToLower(stage)])
	sort.Strings(opts)
	return opts
}

func helpNames(table []HelpEntry) []string {
	names := make([]string, len(table))
	for i, e := range table {
		names[i] = e.Name
	}
	sort.Strings(names)
	return names
}

func stage(name, syntax, summary, example string) HelpEntry {
	return HelpEntry{Name: name, Kind: "stage", Syntax: syntax, Summary: summary, Example: example}
}

// topicHelp describes the fields that ingest gives some kinds of events,
// and macros.
var topicHelp = []HelpEntry{{Name: "macros", Kind: "macros",
	Syntax: "`name` or `name(x, y)` in a query; defined as name = TEXT or name(a, b) = TEXT",
	Summary: "a macro is named query text, as in Splunk: the backquoted call is replaced by its TEXT, each $a$ by the argument as written ($$ is a $; arguments go by position, or all by name as name(a=x, b=y)), before the query is parsed; a macro's text may use other macros (at most 32 deep; one that uses itself is an error). " +
		"Definitions come from the database (loghunt macros set 'name(a) = TEXT', macros delete), then macros.lhq beside the database, then the --macros FILE, a later one replacing one of the same name and argument count. " +
		"In a file each definition is a line, continued by lines that start with a space or tab; # starts a comment line. A backquoted name that is no macro stays a field name. " +
		"An error inside a macro shows its definition with a caret, then where it was used; .macros lists them",
	Example: "`failed_ssh` | `by_src(user, 5)`"}, {Name: "auth", Kind: "fields",
	Syntax: "action, user, src_ip, src_port, auth_method, invalid_user, src_host, rhost, ruser, tty, command, pwd, run_as, pam_module, pam_service, pam_type, ...",
	Summary: "sshd, sudo, su, login, useradd and PAM lines of an auth.log get these fields at ingest, so auth hunts need no rex. " +
		"action is one of: failure, success, invalid_user, disconnect, connect, no_identification, break_in_attempt, too_many_failures, more_failures, " +
		"session_open, session_close, sudo_command, sudo_failure, sudo_denied, password_change, user_add, user_delete, group_add. " +
		"A failed ssh password is logged twice, by sshd (with auth_method) and by PAM (with pam_module): count one of them, e.g. action=failure auth_method=password",
	Example: "action=failure auth_method=password | stats count, dc(user) as users by src_ip | sort -count"}}

var stageHelp = []HelpEntry{
	stage("search", "search TERMS", "keep events matching the terms: words (whole tokens of _raw, * wildcards), \"phrases\" (case-insensitive, starting and ending at word boundaries), field=value, != < <= > >=, f IN (a, b), AND (implicit), OR, NOT, parentheses, earliest=T, latest=T, and subsearches [ QUERY ]: the query in brackets runs first (over the same store and time range; its own earliest=/latest= replace a bound) and its rows become terms as Splunk's format makes them, (f=a AND g=b) OR (f=c AND g=d) ..., fields starting with _ left out, a multi-value as any of its values, no rows matching nothing; [maxout=N maxtime=DUR QUERY] bounds it: its first N rows (default 10,000 as Splunk's limits.conf, a warning when there were more) and DUR (default 60s; longer is an error, where Splunk uses what it has); a word starting with [ must be quoted. As in Splunk's search, NOT applies to the one term after it and OR binds tighter than AND: a b OR c is a AND (b OR c), and NOT a OR b is (NOT a) OR b; write (a b) OR c for the other grouping (in where and eval, AND binds tighter than OR)",
		`search "Failed password" host=web* NOT user IN (root, admin) earliest=-24h`),
	stage("where", "where EXPR", "keep rows where the expression is true (null is false)", `where status >= 500 AND cidrmatch("10.0.0.0/8", clientip)`),
	stage("eval", "eval f = EXPR [, g = EXPR]", "set fields to computed values, left to right", `eval kb = round(bytes / 1024, 1), day = strftime(_time, "%F")`),
	stage("rex", `rex [field=F] "REGEX"`, "extract fields from named groups (?<name>...) of a Go (RE2) regex; the field defaults to _raw", `rex "for (invalid user )?(?<user>\S+) from (?<src_ip>\S+)"`),
	stage("fields", "fields [-] f, g", "keep only these fields, or with - drop them", "fields - _raw, source"),
	stage("table", "table f, g", "keep exactly these fields, in this order", "table _time, user, src_ip"),
	stage("rename", "rename f as g [, ...]", "rename fields", "rename src_ip as ip"),
	stage("stats", "stats AGG [as name], ... [by f, g]", "aggregate into one row per group of the by fields, sorted by group; as in Splunk, values with the same text are one group (10, 10.0 and \"10\"; true and \"true\"), and a row whose by field is null (missing) is in no group; sparkline(AGG, SPAN) is a trend per group (.help sparkline)", "stats count as attempts, dc(src_ip) as ips by user"),
	stage("bin", "bin [f] span=DUR", "floor _time (or f) to buckets of DUR: s, m, h, d, w", "bin _time span=5m"),
	stage("timechart", "timechart span=DUR AGG [by f] [limit=N]", "one row per time bucket from the first to the last, empty buckets filled with zeros; by f makes a column per value (the top N, the rest as OTHER); span= and limit= may come before or after the aggregates; besides the stats aggregates, per_second(f), per_minute(f), per_hour(f) and per_day(f) give a bucket's sum per unit (sum * unit / span)", "timechart span=1h count by status limit=5"),
	stage("chart", "chart AGG [as name], ... [over X] [by Y] [limit=N] [useother=true] [usenull=true] | chart AGG ... by X, Y",
		"aggregate into a table: one row per value of X (sorted as stats sorts its groups; a row without X is left out) and, with Y, one column per value of Y "+
			"(with several aggregates, columns named AGG: value), the limit=N (default 10; 0 for all) values with the largest total of the first aggregate first, ties by value, as timechart orders its series; "+
			"the other values are aggregated together in an OTHER column (useother=false drops them), rows without Y in a NULL column (usenull=false drops those rows); "+
			"a cell with no rows is empty, as in Splunk (fillnull value=0 fills it); without Y it is stats AGG by X; "+
			"deviation: the columns are in the order of their totals, not of their names; bounded like stats (groups and memory)",
		"chart count over clientip by status limit=5"),
	stage("xyseries", "xyseries X Y V [V2 ...]",
		"turn rows of (X, Y, V) into a table: one row per value of X in order of first appearance (a row without X is left out), one column per value of Y in order of first appearance, "+
			"holding V of the last row with that X and Y that has one (empty if none); with several V the columns are named V: y, by V then y; "+
			"a column whose name is taken (by X or an earlier column) is left out; holds the table within the memory of an aggregation (as stats: groups and MB)",
		"stats count by clientip, status | xyseries clientip status count"),
	stage("untable", "untable X NAME VALUE",
		"the inverse of xyseries: each row becomes one row per other field with a value (null values are skipped), holding X, the field's name in NAME and its value in VALUE; "+
			"deviation: the fields are taken in the order of their names, not of the columns; streams, holding nothing",
		"chart count over clientip by status | untable clientip status count"),
	stage("addtotals", "addtotals [row=true] [col=false] [fieldname=Total] [labelfield=F] [label=Total] [f, g]",
		"add to each row fieldname= (default Total), the sum of its numeric values of f, g (default: every field whose name does not start with _; never the total itself), "+
			"exactly (an int while every value is one and it fits), empty when it has none; numeric: ints, floats and text written as a decimal number (booleans and times are not); "+
			"col=true appends a row with the sum over the rows of each of those fields and of the total (labelfield=F sets F to label= in it; it needs col=true); row=false adds no row totals; streams, holding only the sums",
		"chart count over clientip by status | addtotals col=true labelfield=clientip"),
	stage("convert", "convert [timeformat=F] FUNC(f) [as g] [, ...]",
		"convert values, left to right, into g (default f itself): ctime (a time, or seconds since 1970, as text in timeformat= in UTC, default %m/%d/%Y %H:%M:%S), "+
			"mktime (text read with timeformat= as seconds since 1970), dur2sec ([D+]HH:MM:SS as seconds), memk (a number with an optional k, m or g suffix as kilobytes; k when none), "+
			"rmunit (the number a text starts with: 10kb is 10), rmcomma (text without its commas, a number when it then is one), "+
			"auto (text written as a number, with or without thousands separators 1,234.5, as a number), num (as auto, but a value that is no number becomes null), none (as it is); "+
			"as in Splunk a value a function cannot convert is left as it is (num aside); deviation: no wildcards in field names",
		`convert timeformat="%Y-%m-%d" ctime(_time) as day, rmunit(size) as size_n, dur2sec(elapsed)`),
	stage("eventstats", "eventstats AGG [as name], ... [by f]", "like stats, but add the results to every row of the group (a row whose by field is null is in no group: it gets none and keeps any field it has of that name)", "eventstats avg(bytes) as avg_bytes by clientip"),
	stage("streamstats", "streamstats [window=N] [time_window=DUR] AGG [as name], ... [by f]", "running aggregates in time order (oldest first), over the last N rows and/or DUR, the current row included; a row whose by field is null is in no group: it gets none and keeps any field it has of that name", "streamstats time_window=5m count as recent by src_ip"),
	stage("sort", "sort [-]f, [-]g", "sort rows, stably; - is descending; numbers as numbers; nulls first (last with -); followed by head N it keeps only N rows, so it works on any amount of data", "sort -count, clientip"),
	stage("head", "head [N]", "keep the first N rows (default 10)", "head 20"),
	stage("tail", "tail [N]", "keep the last N rows (default 10)", "tail 5"),
	stage("dedup", "dedup f, g", "keep the first row of each combination of values (values with the same text are the same, as in stats); rows without one of the fields are dropped", "dedup user, src_ip"),
	stage("top", "top [N] f [by g] | top limit=N f", "the N most common values of f (default 10) with count and percent (of the rows that have f and g)", "top 5 clientip by status"),
	stage("rare", "rare [N] f [by g] | rare limit=N f", "the N least common values of f (default 10) with count and percent (of the rows that have f and g)", "rare useragent"),
	stage("lookup", "lookup FILE.csv key [as field] [OUTPUT f, g]", "add columns of the first CSV row whose key column is the row's field (key, or the as field) as text, case-sensitive; they replace fields of those names (an empty cell is null); a row without a match keeps its fields", "lookup threat_intel.csv ip as src_ip OUTPUT threat, actor"),
	stage("spath", "spath [input=F] [output=F] [path=P | P]", "extract fields from the JSON object or array in F (default _raw), as Splunk's spath: with a path, the value there into output (default: a field named as the path); without one, every leaf, each a field named by its path. "+
		"A path is keys joined by dots, {} for every element of an array, {N} for the N-th (0-based, as for JSON in Splunk): answers{}, userIdentity.userName, Records{0}.eventName; a key with dots in it (Zeek's id.orig_h) is found too. "+
		"One value keeps its type (number, true/false, text; an object or array as compact JSON), several (through {}) make a multi-value, one per line; JSON null is no value. "+
		"A row whose F is not JSON, or has nothing at the path, keeps its fields; unlike Splunk the whole text is read (no 5,000-character cut) and XML is not read", "spath input=answers path={} output=answer | mvexpand answer"),
	stage("inputlookup", "| inputlookup [max=N] FILE.csv | inputlookup append=true FILE.csv", "the rows of a CSV file with a header row (found as lookup finds its file: the path as written, relative to the working directory), one field per column, cells typed as lookup types them (an empty cell is null), no _time; "+
		"it reads no events, so it is the first stage (of a query, a subsearch or append's), unless append=true adds the rows after the rows so far; max=N reads the first N rows; a malformed file is an error naming its line", "| inputlookup bad_ips.csv | fields ip"),
	stage("outputlookup", "outputlookup [append=bool] FILE.csv", "write the rows to a CSV file (a header of their fields, then one line per row; times in RFC 3339, null empty; no rows make an empty file) and pass them on; "+
		"the file is replaced whole or not at all: written to a temporary file in the same directory, synced, renamed over the old one once every row has come, so a query that fails leaves the old file; append=true keeps the old file's rows first, the columns the union of both; the name must end in .csv; it holds the rows until the last, within sort's bounds", "stats count by src_ip | where count > 100 | outputlookup bad_ips.csv"),
	stage("mvexpand", "mvexpand f [limit=N]", "one row per value of the multi-value f (values one per line, as split() makes them), f holding that value; limit=N takes the first N values of each row; as in Splunk a row without f is dropped", `eval part = split(path, "/") | mvexpand part limit=10`),
	stage("fillnull", "fillnull [value=V] [f, g]", "set null (missing) values of f, g to V (default 0; a V written as a number is a number), adding the fields where rows lack them; with no fields, every field any row has (so it holds the rows, within sort's bounds, to know them)", "fillnull value=unknown user, src_ip"),
	stage("makeresults", "| makeresults [count=N]", "N rows (default 1, at most 1,000,000) with only _time, the query's now() (the newest event's time); it reads no events, so it must be the first stage, after a bare |", "| makeresults count=3 | eval n = 1"),
	stage("reverse", "reverse", "the rows in the opposite order (loghunt's results are oldest first, Splunk's newest first: reverse gives Splunk's order); holds the rows within sort's bounds", "reverse"),
	stage("regex", `regex [f="RE" | f!="RE"] "RE"`, `keep rows whose f (default _raw) matches the Go (RE2) regex somewhere, or with != rows where it does not; a row without f matches nothing, so = drops it and != keeps it`, `regex path="(?i)\.(php|asp)$"`),
	stage("delta", "delta f [as g] [p=N]", "g (default delta(f)) = f minus f of the N-th earlier row with a numeric f (default 1), in result order (oldest first, so deltas of _time are positive, where Splunk's newest-first order makes them negative); rows whose f is not a number or a time get none and are not counted back, nor are the first N", "delta _time as gap"),
	stage("autoregress", "autoregress f [as g] [p=N | p=M-N]", "copy f of the N-th earlier row into g (default f_pN), or of each of the M-th to N-th into f_pM ... f_pN (as only with one p); every row counts back, a row without f too; N at most 10,000", "autoregress bytes p=1-3"),
	stage("transaction", `transaction [f, g] [maxspan=DUR] [maxpause=DUR] [maxevents=N] [startswith="TERMS"|startswith=eval(EXPR)] [endswith=...] [keepevicted=bool] [mvlist=bool] [maxopentxn=N]`,
		"group events into sessions, one per combination of the fields' values (all events, with no fields; an event without one of them is in none), as Splunk's transaction: "+
			"a session ends when the next event is more than maxpause after its last or more than maxspan after its first, when it has maxevents events (default 1000 as in Splunk; negative for no limit), when an event matches startswith (that event starts the next session) or endswith (that event ends it); "+
			"startswith/endswith take search terms in quotes (startswith=\"Accepted password\" is the words Accepted AND password; a phrase needs inner quotes) or eval(EXPR); "+
			"a session's row: _time of its first event, _raw of its events oldest first one per line, duration (seconds first to last), eventcount, and every other field: its one value, or its distinct values sorted as text one per line (a multi-value; mvlist=true: every value in event order); "+
			"with startswith or endswith only sessions that have them are kept, unless keepevicted=true, which keeps all and adds closed_txn (1: complete and ended by one of the conditions, 0: cut off by the end of the events or incomplete); "+
			"deviations from Splunk: events are read oldest first (Splunk reads newest first), so maxspan and maxevents cut a long run from its start, and rows come out oldest session first; "+
			"the rows must be in time order (put it before sort or reverse); more than maxopentxn sessions open at once (default 100,000; Splunk evicts silently past 5000) is an error, as is holding more than 5,000,000 events or 256 MB in sessions",
		`transaction host, pid maxpause=10m startswith="Accepted" | where eventcount > 1`),
	stage("join", "join [type=inner|left|outer] [max=N] [overwrite=bool] [maxout=N] [maxtime=DUR] f, g [ SUBSEARCH ]",
		"run the subsearch (a whole query in brackets, over the same store and time range; its own earliest=/latest= replace a bound) first, then add to each row the fields of the subsearch rows whose f, g have the same text, as Splunk's join: "+
			"type=inner (default) drops rows without a match, left (or outer) keeps them as they are; max=N uses the first N matching subsearch rows, one output row each (default 1 as in Splunk; 0: all); "+
			"overwrite=true (default) lets the subsearch's values replace the row's, false only fills its null fields; a row with a null join field matches nothing; "+
			"Splunk's limits.conf limits are options: the subsearch's first maxout rows are used (default 50,000; a warning says when there were more) and it may run maxtime (default 60s; longer is an error, where Splunk uses what it has); its rows are held within sort's bounds; "+
			"deviation: the join fields must be named (Splunk's join without fields uses every common field)",
		`join type=left src_ip [search action=invalid_user | stats dc(user) as users by src_ip]`),
	stage("append", "append [maxout=N] [maxtime=DUR] [ SUBSEARCH ]",
		"pass the rows on, then run the subsearch (a whole query in brackets, over the same store and time range) and add its rows after them, as Splunk's append; maxout (default 50,000, more rows are cut with a warning) and maxtime (default 60s; longer is an error) as in join",
		`stats count by src_ip | append [search action=success | stats count by src_ip]`),
	stage("appendpipe", "appendpipe [ STAGES ]",
		"pass the rows on, then run the stages (no search before them) on those rows and add their result after them, as Splunk's appendpipe: a total row under a table; holds a copy of the rows within sort's bounds",
		`stats count by user | appendpipe [stats sum(count) as count | eval user = "TOTAL"]`),
	stage("sigma", "sigma rules=PATH [level>=L | level=L] [tags=T1,T2] [mapping=FILE]",
		"keep the rows that Sigma detection rules match (PATH: a rule file or a directory walked for .yml/.yaml; quote it when it has spaces), one row per row and matching rule (a row two rules match comes twice), with sigma_id (the rule's id, else name or title), sigma_title, sigma_level and sigma_tags (multi-value, one tag per line); "+
			"a rule sees the rows of its logsource as loghunt sigma check's mapping says (Windows channels and EventIDs after SigmaHQ's thor.yml, syslog by app, web access logs with W3C names; mapping=FILE adds entries), and field names without the spaces Windows events keep; "+
			"level>=high keeps rules of that level and above, level=high only that level; tags= rules with one of the tags (attack.t1110 also takes attack.t1110.001); "+
			"right after the search, the rules' log sources and keyword words join the scan, so chunks no rule can match are not read; "+
			"correlations, and rules used only by them, are not run here: loghunt sigma hunt runs them",
		`sigma rules=sigma/rules/windows level>=high tags=attack.t1003`),
	stage("anomalies", "anomalies [f1, f2, ...] [by entity] [contamination=0.01|auto] [trees=100] [sample=256] [seed=N] [method=iforest|mad|lof|ocsvm|decompose] [n_neighbors=20] [nu=0.5] [gamma=scale|G] [period=auto|none|1d|1w] [k=1.5] [save=NAME [replace=true] | model=NAME]",
		"fit an Isolation Forest (or method=) on the rows (or score them with a saved model) and add anomaly_score, is_anomaly and anomaly_reason to every row, in order; "+
			"anomaly_score is 0 to 1: about 0.5 or less is normal, above 0.6 worth a look, above 0.7 strongly isolated; "+
			"is_anomaly is true for scores above the (1 − C) quantile of the fitted rows' scores, so about a fraction C=contamination (default 0.01) is flagged, or with contamination=auto above 0.5 (too many on large data); "+
			"anomaly_reason names the features that isolated a flagged row (or one above 0.6), largest share first, with its value and the typical 5th–95th percentile range, e.g. attempts=53 (typical 2–8); "+
			"features: the listed fields (a text field is encoded by how rare its value is) or every numeric field but _time; a row whose numeric feature is null or not finite is not scored (null score, reason says why); "+
			"by entity: a baseline per value with at least 32 rows, the others scored by a baseline of all rows, named in anomaly_baseline; "+
			"when the top rows tie at the threshold with a score above 0.5 they are all flagged; a tie at the threshold gets a warning; "+
			"methods: iforest (default; several features, global outliers; trees, sample, seed), "+
			"mad (one feature: robust z-score, reason: median and z, scored 1 − 1/(1 + log2(1 + |z|/3.5)): 0.5 at |z| = 3.5, 0.89 at 1000, keeping the order of |z|), "+
			"lof (Local Outlier Factor as scikit-learn: local outliers, a sparse spot beside a dense cluster; n_neighbors=20; scored LOF/(LOF + 1.5), 0.5 at LOF 1.5; a saved model scores new rows by novelty against the fitted ones; exact KD-tree, at most 2^24 rows × k), "+
			"ocsvm (One-Class SVM, RBF kernel, as scikit-learn: a smooth boundary round the normal rows; nu=0.5, gamma=scale (1/(features · variance)) or a number; exact SMO up to 5,000 rows, random Fourier features beyond; scored 1/(1 + e^(4f/ρ)), 0.5 on the boundary); "+
			"decompose (a time series, e.g. after timechart span=1h: each listed numeric field, or every one, for each value of by, is a series over _time, split as trend (moving median over a period) + season (per hour of day or day of week: the median of each phase) + residual, as KQL's series_decompose_anomalies; "+
			"period=auto (default: a day or a week of points, whichever repeats best, else none), none, or a duration that is a whole number of steps; "+
			"is_anomaly: residual outside Tukey's fences on the 10th–90th percentile range of the residuals, k=1.5; adds expected, lower and upper (the band; expected_F, lower_F, upper_F with several fields), which --format chart and --plot draw round the series; "+
			"anomaly_score 1 − 1/(1 + log2(1 + u/k)) of u, the residual's distance beyond that range in widths of it: 0.5 on the fence; reason: count 412 above expected 120 (band 80–160); "+
			"rows must be evenly spaced (a missing step is a missing point, not a zero: timechart fills zeros), one per time per series; a series needs two periods, at least 4 points; no model is saved), "+
			"lof and ocsvm reasons name up to 3 features furthest outside their typical range; every method works by entity; all but decompose save: save=NAME stores the model (replace=true replaces one of that name), model=NAME scores new rows with it without refitting (list them with loghunt models); holds the rows",
		"anomalies attempts, users by src_ip contamination=0.01"),
	stage("patterns", "patterns [field=F]", "mine log templates (Drain) from the text of _raw or F and add pattern (the template, variables as <*>) and pattern_id (a hash of it, the same in every query) to every row, in order; "+
		"numbers, IPv4 with port, dates and times, 0x hex, UUIDs, hex ids, MAC/IPv6, host names (www.example.com:443) and month/day names count as variables; "+
		"after mining, templates that differ only at one position holding many names (com.apple.A.daily:, ...), or in a variable of several tokens or none ((87.5 KB), <1 sec, a list), are one; holds the rows; for messages only, rex them into a field first",
		`"error" | patterns | stats count by pattern | sort -count`),
	stage("context", "context by f [span=10m] [limit=100] [summary=true] [host=true]",
		"replace each finding row by the events around it: the events of the store whose f (a field of the events, not one eval or rex made) is the row's f (exactly, as text) within span before or after the row's _time, in time order, at most limit per finding (the nearest in time), "+
			"each with context_of (the finding's f and _time, e.g. 203.0.113.77 @ 2025-03-06T03:10:00Z) and all its fields; rows without f or _time are left out with a warning, and so are findings with no events in their window; "+
			"a bucket's _time (bin, timechart) is its start, so give a span of at least the bucket's; "+
			"overlapping windows of one entity are read by one search of the store narrowed to the window and f=value, so only the chunks that may hold them are read; "+
			"host=true keeps only the events of the finding row's host too (rows without host are left out); "+
			"summary=true gives one row per finding instead, over every event of its window: context_of, events (how many), first and last (their times), actions, sourcetypes and patterns "+
			"(the commonest 3 values with their counts, e.g. failure 180; success 2, then how many others; patterns are Drain templates of message, else of _raw), "+
			"and then, what came next: at or after the finding's _time, the first success (action=success) when success is not the window's commonest action, else the first event of another action than the commonest that the window had not seen before the finding (without actions: of such a pattern), "+
			"or nothing else within SPAN; holds the findings",
		`| where is_anomaly | context by src_ip span=10m limit=50`),
	stage("iplocation", "iplocation f [prefix=P]",
		"add where the address in f is, from MaxMind-format databases (.mmdb) given with --geoip FILE (repeatable) or LOGHUNT_GEOIP: "+
			"country, country_code, region, city, lat, lon (from a City or Country database: GeoLite2, DB-IP lite) and asn, asn_org (from an ASN database), each named with the prefix P; "+
			"the first database that knows a field gives it; an address none knows (a private one), or a value that is no address, gets null; nothing is downloaded",
		`| iplocation src_ip | stats dc(country) as countries, values(country) by user | where countries > 1`),
	stage("firstseen", "firstseen f [by e] (train=DUR | model=NAME) [save=NAME [replace=true]]",
		"mark the rows whose f (for their e, with by) never occurred in a baseline: the rows of the first DUR of event time the stage receives (train=6d), or a saved first-seen model (model=NAME, every row scored); "+
			"adds anomaly_score (1 new, 0 not), is_anomaly and anomaly_reason (new f=v for e=x (N other values in the first 6d); first seen TIME), as anomalies does; every row with a new value is marked, not only the first (dedup f, e keeps the first); "+
			"rows of the baseline, and rows without f, get is_anomaly false; values compare as text, exactly; save=NAME stores the baseline's values (all rows when there is no train=) as a model that loghunt models lists; "+
			"a user's new source country, a host's new process, a new log template after patterns; holds the rows",
		`| firstseen src_ip by user train=6d | where is_anomaly | table _time, user, src_ip, anomaly_reason`),
	stage("explain", "explain [by f] [llm=true [show_prompt=true]]",
		"add explanation, a plain-language account, to each finding (a row with is_anomaly true, or every row when none has is_anomaly; others get null): "+
			"the count that stands out (the first count field anomaly_reason names, else the one furthest above its median) against its usual value, the median of that field over the rows explain received "+
			"(over the rows of the same f when f has at least 8 of them; after anomalies method=decompose the expected value for that time), the time and bucket span of the row, the total of its run (flagged rows of the same f at consecutive buckets: 180 in all over 3 minutes from 03:12), the anomaly score and the features that drove it (anomaly_reason), "+
			"for failed logins by f whether a successful login (action=success) by the same f followed, from the run's start to an hour after its end (looked up in the store), and what to check next for that kind of count "+
			"(failed logins, by a field name with fail, attempt, login or password, or a count of a search for action=failure or \"failed password\"; web errors, by a name with error, 4xx, 5xx or 404, or a count of a search for status>=400; other counts); "+
			"put it after anomalies and before where is_anomaly so that the usual values come from every row; holds the rows; "+
			"llm=true also asks the configured language model (loghunt llm set, or LOGHUNT_LLM_URL and LOGHUNT_LLM_MODEL) about each finding and adds its answer as llm_explanation, beside explanation: "+
			"it sends the finding, the computed explanation and the events of the same f within 10 minutes (counts by action, sourcetype and status, and the 20 nearest), "+
			"only fields on the allow-list, addresses, user and host names as pseudonyms (ip-1, user-1, host-1) that are mapped back in the answer; "+
			"without a configured model it fails saying how to configure one; show_prompt=true (or loghunt query --show-prompt) prints each request as it would be sent and sends nothing",
		`| anomalies attempts by src_ip | explain by src_ip | where is_anomaly | table _time, src_ip, explanation`),
}
