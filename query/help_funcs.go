package query

func function(name, syntax, summary, example string) HelpEntry {
	return HelpEntry{Name: name, Kind: "function", Syntax: syntax, Summary: summary, Example: example}
}

func aggregate(name, syntax, summary, example string) HelpEntry {
	return HelpEntry{Name: name, Kind: "aggregate", Syntax: syntax, Summary: summary, Example: example}
}

var functionHelp = []HelpEntry{
	function("if", "if(cond, then, else)", "then when cond is true, else otherwise (null counts as false)", `eval level = if(status >= 500, "error", "ok")`),
	function("case", "case(c1, v1, c2, v2, ...)", "the value after the first true condition, null when none is (use true as a last catch-all)", `eval class = case(status < 300, "ok", status < 500, "client", true, "server")`),
	function("coalesce", "coalesce(a, b, ...)", "the first argument that is not null", "eval who = coalesce(user, src_ip)"),
	function("isnull", "isnull(x)", "whether x is null (a missing field)", "where isnull(user)"),
	function("isnotnull", "isnotnull(x)", "whether x is not null", "where isnotnull(referer)"),
	function("typeof", "typeof(x)", "the type of x: null, string, int, float, bool or time", "eval t = typeof(bytes)"),
	function("len", "len(s)", "the number of characters of s", "where len(path) > 200"),
	function("lower", "lower(s)", "s in lower case", "eval u = lower(user)"),
	function("upper", "upper(s)", "s in upper case", "eval m = upper(method)"),
	function("substr", "substr(s, start[, n])", "n characters of s from start (1-based; negative counts from the end)", "eval prefix = substr(path, 1, 8)"),
	function("replace", `replace(s, "regex", "repl")`, `s with every match of regex replaced; \1 or $1 is a group`, `eval masked = replace(ip, "\d+$", "x")`),
	function("split", `split(s, "sep"[, n])`, "the n-th part of s split at sep (1-based, negative from the end); without n the parts one per line", `eval first = split(path, "/", 2)`),
	function("trim", `trim(s[, "chars"])`, "s without leading and trailing whitespace (or chars)", "eval u = trim(user)"),
	function("ltrim", `ltrim(s[, "chars"])`, "s without leading whitespace (or chars)", `eval p = ltrim(path, "/")`),
	function("rtrim", `rtrim(s[, "chars"])`, "s without trailing whitespace (or chars)", `eval p = rtrim(path, "/")`),
	function("match", `match(s, "regex")`, "whether the regex matches somewhere in s", `where match(useragent, "(?i)curl|python")`),
	function("cidrmatch", `cidrmatch("cidr", ip)`, "whether ip is in the CIDR block (IPv4 or IPv6)", `where NOT cidrmatch("10.0.0.0/8", clientip)`),
	function("tonumber", "tonumber(s[, base])", "s as a number: decimal number text (not nan, inf or 0x1f), or digits in base 2 to 36 (\"0x\" allowed with 16); null when it is not one", `eval n = tonumber(hex, 16)`),
	function("tostring", `tostring(x[, "hex"|"commas"|"duration"])`, "x as a string; hex, thousands separators, or seconds as [D+]HH:MM:SS (of x's whole part: null for a float past the int64 range)", `eval took = tostring(secs, "duration")`),
	function("round", "round(x[, n])", "x rounded half away from zero to n decimals (default 0)", "eval kb = round(bytes / 1024, 2)"),
	function("floor", "floor(x)", "the largest whole number <= x", "eval b = floor(bytes / 1000)"),
	function("ceil", "ceil(x)", "the smallest whole number >= x", "eval pages = ceil(n / 50)"),
	function("abs", "abs(x)", "the absolute value of x", "eval d = abs(a - b)"),
	function("ln", "ln(x)", "the natural logarithm of x (null for x <= 0)", "eval l = ln(bytes)"),
	function("log10", "log10(x)", "the base-10 logarithm of x (null for x <= 0)", "eval mag = floor(log10(bytes))"),
	function("exp", "exp(x)", "e to the power x", "eval g = exp(-t / 60)"),
	function("sqrt", "sqrt(x)", "the square root of x (null for x < 0)", "eval s = sqrt(var)"),
	function("pow", "pow(x, y)", "x to the power y", "eval kib = pow(2, 10)"),
	function("min", "min(a, b, ...)", "the smallest argument (numbers as numbers), ignoring nulls", "eval lo = min(a, b)"),
	function("max", "max(a, b, ...)", "the largest argument (numbers as numbers), ignoring nulls", "eval hi = max(a, b, 0)"),
	function("now", "now()", "the time the query started (the same for every row)", "where _time > relative_time(now(), \"-1h\")"),
	function("strftime", `strftime(t, "fmt")`, "t formatted in UTC with % directives: %Y %m %d %H %M %S %b %a %j %z %s %F %T %3N ...", `eval day = strftime(_time, "%Y-%m-%d")`),
	function("strptime", `strptime(s, "fmt")`, "the time s holds, read with the % directives of strftime (UTC unless %z); null when it does not match", `eval t = strptime(ts, "%d/%b/%Y:%H:%M:%S %z")`),
	function("relative_time", `relative_time(t, "spec")`, "t moved by a relative time spec as earliest= takes (-1d, @d, -1d@d, +8h)", `where _time >= relative_time(now(), "-1d@d")`),
}

var aggregateHelp = []HelpEntry{
	aggregate("count", "count | count(f)", "the number of rows, or of rows where f is not null", "stats count by status"),
	aggregate("dc", "dc(f)", "the number of distinct non-null values of f, as text as values() lists them (also distinct_count)", "stats dc(src_ip) as ips by user"),
	aggregate("sum", "sum(f)", "the sum of the numeric values of f, added exactly (the same in every run)", "stats sum(bytes) by clientip"),
	aggregate("avg", "avg(f)", "the mean of the numeric values of f (also mean)", "stats avg(bytes)"),
	aggregate("mean", "mean(f)", "the same as avg", "stats mean(latency)"),
	aggregate("min", "min(f)", "the smallest value of f (numbers as numbers)", "stats min(_time) as first_seen by user"),
	aggregate("max", "max(f)", "the largest value of f (numbers as numbers)", "stats max(bytes) by clientip"),
	aggregate("median", "median(f)", "the 50th percentile of f, interpolated linearly between the closest ranks", "stats median(bytes)"),
	aggregate("percN", "percN(f) | pN(f)", "the N-th percentile of f (0 to 100, decimals allowed), interpolated linearly between the closest ranks like numpy's default and Splunk's exactperc", "stats perc95(latency) as p95, p99(latency)"),
	aggregate("stdev", "stdev(f)", "the sample standard deviation of f (n - 1); stdevp is the population one", "stats stdev(bytes) by host"),
	aggregate("var", "var(f)", "the sample variance of f (n - 1); varp is the population one", "stats var(bytes)"),
	aggregate("stdevp", "stdevp(f)", "the population standard deviation of f (n)", "stats stdevp(bytes)"),
	aggregate("varp", "varp(f)", "the population variance of f (n)", "stats varp(bytes)"),
	aggregate("values", "values(f)", "every distinct value of f as text, sorted by bytes as in Splunk (\"10\" before \"9\"), joined by \", \"; they count toward the aggregation's memory bound", "stats values(user) by src_ip"),
	aggregate("earliest", "earliest(f)", "the value of f in the row with the earliest _time (also first); of rows at that time, the smallest value", "stats earliest(path) by session"),
	aggregate("latest", "latest(f)", "the value of f in the row with the latest _time (also last); of rows at that time, the largest value", "stats latest(status) by host"),
	aggregate("range", "range(f)", "max(f) - min(f)", "stats range(_time) as duration by session"),
}
