package ingest

import (
	"strings"
	"testing"
	"unicode/utf8"

	"loghunt/store"
)

// fuzzParser checks that a format's parser survives any line: Classify
// and Parse must not panic, field names must not be reserved, and
// fields must hold valid kinds.
func fuzzParser(f *testing.F, format string, head []string, seeds ...string) {
	for _, s := range append(seeds, "", "\x00", "\r", strings.Repeat("[", 300), "\xff\xfe", "a\nb\n c") {
		f.Add(s)
	}
	p := newTestParser(f, format, head)
	f.Fuzz(func(t *testing.T, line string) {
		kind := p.Classify([]byte(line))
		if kind > LineSkip {
			t.Fatalf("Classify(%q) = %d", line, kind)
		}
		ev := store.Event{Raw: line}
		p.Parse(line, &ev)
		for _, fld := range ev.Fields {
			switch fld.Name {
			case "_time", "_raw", "source", "sourcetype", "":
				t.Fatalf("Parse(%q): reserved field name %q", line, fld.Name)
			}
			if fld.Value.K > store.KindTime {
				t.Fatalf("Parse(%q): field %s has kind %d", line, fld.Name, fld.Value.K)
			}
			if fld.Value.K == store.KindString && utf8.ValidString(line) && !utf8.ValidString(fld.Value.S) {
				t.Fatalf("Parse(%q): field %s = %q is not valid UTF-8", line, fld.Name, fld.Value.S)
			}
		}
	})
}

func FuzzParseSyslog(f *testing.F) {
	fuzzParser(f, "syslog", nil,
		"Mar  6 08:00:01 web01 sshd[4242]: Failed password for root from 203.0.113.5 port 52311 ssh2",
		"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\"] An application event",
		"Jul  1 09:29:02 calvisitor sandboxd[129] ([31211]): deny",
		"<34>1 - - - - - [a b=\"]\"][c] msg")
}

func FuzzParseApache(f *testing.F) {
	fuzzParser(f, "apache", nil,
		`83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 200 203023 "http://x/" "Mozilla/5.0 (X; Y)"`,
		`"192.168.4.25 - - [22/Dec/2016:16:30:52 +0300] "POST /i.php HTTP/1.1" 303 382 "http://x" "M""`,
		`1.2.3.4 - - [06/Mar/2025:08:00:01 +0000] "GET /a "q" b HTTP/1.1" 200 5 "-" "A "x" y" "1.2.3.4" 0.005`)
}

func FuzzParseJSON(f *testing.F) {
	fuzzParser(f, "json", nil,
		`{"ts":"2025-03-06T08:00:01Z","user":{"name":"bob","id":7},"tags":["a","b"],"ok":true,"n":null}`,
		`{"msg":"a \"q\" \u00e9\ud83d\ude00 \ud800","big":123456789012345678901234,"f":-1.5e-3}`,
		`{"a":{"b":{"c":{"d":[{"e":"]"}]}}}}`, `{"_time":1741248001}`)
}

func FuzzParseCSV(f *testing.F) {
	fuzzParser(f, "csv", []string{"id,when,user,score", "1,2025-03-06 08:00:01,bob,1.5"},
		`1,2025-03-06 08:00:01,bob,1.5`, `2,"a, ""b""",c`, `"unterminated,1`, `1,2,3,4,5,6`)
}

func FuzzParseTSV(f *testing.F) {
	fuzzParser(f, "tsv", []string{"ts\tmsg", "2025-03-06 08:00:01\thi"}, "2025-03-06 08:00:01\thello, world", "\t\t")
}

func FuzzParseLogfmt(f *testing.F) {
	fuzzParser(f, "logfmt", nil,
		`ts=2025-03-06T08:00:01Z level=warn user=bob msg="login \"failed\"" n=3`, `a= b="" c "d" =e`, `msg="\u00e9\x`)
}

func FuzzParseZeek(f *testing.F) {
	head := []string{
		`#separator \x09`, "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-",
		"#fields\tts\tuid\tn\tok\tnames\td", "#types\ttime\tstring\tcount\tbool\tset[string]\tinterval",
	}
	fuzzParser(f, "zeek", head, "1521911799.739898\tC2Mu\t2\tT\t(empty)\t0.5", "#close\t2024", "-\t-\t-\t-\t-\t-")
}

func FuzzParseKV(f *testing.F) {
	fuzzParser(f, "kv", nil,
		"2025-03-06 08:00:00, INFO, User login success, user: admin",
		"2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:2181:FastLeaderElection@774] - Notification time out: 3200",
		"03-17 16:13:38.819  1702  8671 D PowerManagerService: acquire lock=233570404, tag=\"View Lock\"",
		"2025-03-06T08:00:00Z ERROR boom\n\tat a.b.C(C.java:1)")
}

func FuzzParseText(f *testing.F) {
	fuzzParser(f, "text", []string{"- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: x"},
		"- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02 RAS KERNEL INFO x",
		"134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component",
		"nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO x")
}

func TestParseHugeLine(t *testing.T) {
	huge := strings.Repeat("a=b ", 1<<18) + "\r"
	for _, f := range Formats() {
		p, err := f.NewParser([]string{"h1,h2", "#fields\ta"}, testOpt)
		if err != nil {
			continue
		}
		p.Classify([]byte(huge))
		ev := store.Event{Raw: huge}
		p.Parse(huge, &ev)
	}
}
