package ingest

import (
	"testing"

	"loghunt/store"
)

// BenchmarkParse measures Classify + Parse of one typical line per format.
func BenchmarkParse(b *testing.B) {
	cases := []struct {
		format string
		head   []string
		line   string
	}{
		{"syslog", nil, "Mar  6 08:00:01 web01 sshd[4242]: Failed password for root from 203.0.113.5 port 52311 ssh2"},
		{"apache", nil, benchAccessLine(7)},
		{"json", nil, `{"ts":"2018-03-24T17:16:39.739898Z","uid":"C2MugGdsn3ZVI1wn6","id.orig_h":"10.0.0.227","id.orig_p":59849,"id.resp_h":"10.47.8.50","id.resp_p":22,"version":2,"auth_success":true,"auth_attempts":1,"client":"SSH-2.0-OpenSSH_7.6"}`},
		{"csv", []string{"ts,user,src,port,msg"}, `2025-03-06T08:00:01Z,bob,203.0.113.5,52311,"Failed password, again"`},
		{"logfmt", nil, `ts=2025-03-06T08:00:01Z level=warn user=bob src=203.0.113.5 msg="login failed" attempts=3`},
		{"zeek", []string{"#separator \\x09", "#fields\tts\tuid\tid.orig_h\tid.orig_p\tproto", "#types\ttime\tstring\taddr\tport\tenum"}, "1521911799.739898\tC2MugGdsn3ZVI1wn6\t10.0.0.227\t59849\ttcp"},
		{"kv", nil, "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster for application appattempt_1445144423722_0020_000001"},
		{"text", nil, "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected"},
	}
	for _, tc := range cases {
		b.Run(tc.format, func(b *testing.B) {
			p := newTestParser(b, tc.format, tc.head)
			line := []byte(tc.line)
			ev := store.Event{Fields: make([]store.Field, 0, 32)}
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				p.Classify(line)
				ev.Fields = ev.Fields[:0]
				if _, err := p.Parse(tc.line, &ev); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
