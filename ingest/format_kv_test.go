package ingest

import (
	"slices"
	"testing"
)

func TestKVParse(t *testing.T) {
	p := newTestParser(t, "kv", nil)
	tests := []struct {
		line   string
		time   string
		fields map[string]any
		absent []string
	}{
		{"2025-03-06 08:00:00, INFO, User login success, user: admin", "2025-03-06T08:00:00Z",
			map[string]any{"level": "INFO", "message": "User login success", "user": "admin"}, nil},
		{"2025-03-06 08:00:05, WARN, Failed login, user: bob, ip=203.0.113.5, attempts: 3", "2025-03-06T08:00:05Z",
			map[string]any{"level": "WARN", "message": "Failed login", "user": "bob", "ip": "203.0.113.5", "attempts": 3}, nil},
		{"2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster", "2015-10-18T18:01:47.978Z",
			map[string]any{"level": "INFO", "message": "[main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster"}, nil},
		{"2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200", "2015-07-29T17:41:44.747Z",
			map[string]any{"level": "INFO"}, nil},
		{"081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating", "2008-11-09T20:36:15Z",
			map[string]any{"level": "INFO", "message": "dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating"}, nil},
		{"2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505", "2016-09-28T04:30:30Z",
			map[string]any{"level": "Info", "message": "CBS    Loaded Servicing Stack v6.1.7601.23505"}, nil},
		{"03-17 16:13:38.819  1702  8671 D PowerManagerService: acquire lock=233570404, flags=0x1, tag=\"View Lock\", name=com.android.systemui", "2025-03-17T16:13:38.819Z",
			map[string]any{"level": "D", "lock": 233570404, "flags": "0x1", "tag": "View Lock", "name": "com.android.systemui"}, nil},
		{"[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6", "2005-12-04T04:47:44Z",
			map[string]any{"level": "error", "message": "mod_jk child workerEnv in error state 6"}, nil},
		{"2025-03-06T08:00:00Z ERROR boom\n\tat a.b.C(C.java:1)\r", "2025-03-06T08:00:00Z",
			map[string]any{"level": "ERROR", "message": "boom\n\tat a.b.C(C.java:1)"}, nil},
		{"2025-03-06T08:00:00Z just text a=b=c", "2025-03-06T08:00:00Z",
			map[string]any{"message": "just text a=b=c", "a": "b=c"}, []string{"level"}},
	}
	for _, tc := range tests {
		ev, hasTime, err := parseLine(p, tc.line)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
		}
		checkTime(t, ev, hasTime, tc.time)
		checkFields(t, ev, tc.fields, tc.absent...)
	}
	if _, _, err := parseLine(p, "no time here"); err == nil {
		t.Error("no timestamp: no error")
	}
	got := classifyAll(p, "2025-03-06 08:00:00, INFO, x", "\tat a.b.C(C.java:1)", "Caused by: x", "Traceback (most recent call last):", "...", "")
	want := []LineKind{LineEvent, LineContinue, LineContinue, LineContinue, LineContinue, LineSkip}
	if !slices.Equal(got, want) {
		t.Errorf("Classify = %v, want %v", got, want)
	}
}

func TestKVFixture(t *testing.T) {
	lines := fixtureLines(t, "hadoop.log")
	if f := Detect(lines); f.Name() != "kv" {
		t.Errorf("Detect = %s, want kv", f.Name())
	}
}
