package sigma

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// specChain is the specification's example: multiple failed logins
// followed by a successful login, chained through names.
const specChain = `title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
status: experimental
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - User
    timespan: 10m
level: high
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_login
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - User
    timespan: 10m
    condition:
        gte: 10
---
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 529
            - 4625
    condition: selection
---
title: Successful login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
name: successful_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 528
            - 4624
    condition: selection
`

type timedEvent struct {
	t time.Time
	e mapEvent
}

func feedAll(t *testing.T, set *Set, evs []timedEvent) []Hit {
	t.Helper()
	eng := NewEngine(set)
	hits := feed(t, eng, set, evs)
	hits = append(hits, eng.Flush()...)
	sortHits(hits)
	return hits
}

// feed gives eng every event a rule it correlates matches and returns
// the hits that came out.
func feed(t *testing.T, eng *Engine, set *Set, evs []timedEvent) []Hit {
	t.Helper()
	var hits []Hit
	for i, te := range evs {
		for _, r := range set.Rules {
			if r.CanRun() && r.Match(te.e) && eng.Correlated(r) {
				h, err := eng.Feed(r, te.t, te.e, i)
				if err != nil {
					t.Fatal(err)
				}
				hits = append(hits, h...)
			}
		}
	}
	return hits
}

// TestSpecChainExample runs the specification's chained example: ten
// failures then a success by the same user is a hit, also when more
// failures follow the success within the window (the failures' hit
// enters the chain at the time its condition was met, the 10th failure).
func TestSpecChainExample(t *testing.T) {
	set := NewSet(Parse("chain.yml", []byte(specChain), Options{}))
	if ps := set.Check(); len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	top := set.Lookup("b180ead8-d58f-40b2-ae54-c8940995b9b6").(*Correlation)
	mid := set.Lookup("multiple_failed_login").(*Correlation)
	if !top.Standalone || mid.Standalone {
		t.Fatalf("standalone: top %v, intermediate %v", top.Standalone, mid.Standalone)
	}
	for _, r := range set.Rules {
		if r.Standalone {
			t.Errorf("rule %s used only by a correlation without generate is standalone", r.Name)
		}
	}
	var evs []timedEvent
	at := func(sec int, id, user string) {
		evs = append(evs, timedEvent{t0.Add(time.Duration(sec) * time.Second), ev("EventID", id, "User", user)})
	}
	for i := 0; i < 10; i++ {
		at(i*10, "4625", "alice") // 10 failures in 90 s
	}
	at(95, "4624", "alice") // then success
	for i := 0; i < 5; i++ {
		at(100+i, "4625", "alice") // more failures after the success
	}
	for i := 0; i < 9; i++ {
		at(i, "4625", "bob") // only 9 failures
	}
	at(50, "4624", "bob")
	at(200, "4624", "carol") // success first ...
	for i := 0; i < 12; i++ {
		at(210+i, "4625", "carol") // ... then failures: wrong order
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].t.Before(evs[j].t) })
	hits := feedAll(t, set, evs)
	if len(hits) != 1 || hits[0].Correlation != top || hits[0].Group[0] != "alice" || hits[0].Count != 2 {
		for _, h := range hits {
			t.Log(h.Correlation.Title, fmtHit(h))
		}
		t.Fatalf("%d hits", len(hits))
	}
	inner := hits[0].Refs[0].(Hit)
	if inner.Count != 15 || !inner.Trigger.Equal(t0.Add(90*time.Second)) {
		t.Errorf("inner hit %s", fmtHit(inner))
	}

	// generate: true makes the used rules report their own matches too
	set = NewSet(Parse("chain.yml", []byte(specChain+"---\ntitle: g\ncorrelation:\n    type: event_count\n    rules: [successful_login]\n    group-by: [User]\n    timespan: 1m\n    condition: {gte: 1}\n    generate: true\n"), Options{}))
	if r := set.Lookup("successful_login").(*Rule); !r.Standalone {
		t.Error("generate: true did not make the rule standalone")
	}
}

const aliasChain = `title: error then connection
correlation:
    type: temporal
    rules:
        - internal_error
        - new_network_connection
    group-by:
        - internal_ip
        - remote_ip
    timespan: 10s
    aliases:
        internal_ip:
            internal_error: destination.ip
            new_network_connection: source.ip
        remote_ip:
            internal_error: source.ip
            new_network_connection: destination.ip
---
title: internal error
name: internal_error
logsource:
    category: webserver
detection:
    selection:
        http.response.status_code: 500
    condition: selection
---
title: new connection
name: new_network_connection
logsource:
    category: network
detection:
    selection:
        event.type: connection
    condition: selection
`

// TestAliases runs the specification's alias example.
func TestAliases(t *testing.T) {
	set := NewSet(Parse("alias.yml", []byte(aliasChain), Options{}))
	if ps := set.Check(); len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	evs := []timedEvent{
		{t0, ev("http.response.status_code", "500", "destination.ip", "10.0.0.1", "source.ip", "192.0.2.9")},
		{t0.Add(3 * time.Second), ev("event.type", "connection", "source.ip", "10.0.0.1", "destination.ip", "192.0.2.9")},
		{t0.Add(4 * time.Second), ev("event.type", "connection", "source.ip", "10.0.0.2", "destination.ip", "192.0.2.9")},
		{t0.Add(30 * time.Second), ev("http.response.status_code", "500", "destination.ip", "10.0.0.2", "source.ip", "192.0.2.9")},
		{t0.Add(50 * time.Second), ev("event.type", "connection", "source.ip", "10.0.0.2", "destination.ip", "192.0.2.9")},
	}
	hits := feedAll(t, set, evs)
	if len(hits) != 1 || fmt.Sprint(hits[0].Group) != "[10.0.0.1 192.0.2.9]" || hits[0].Count != 2 {
		for _, h := range hits {
			t.Log(fmtHit(h))
		}
		t.Fatalf("%d hits", len(hits))
	}
}

// TestEngineChainBruteForce compares the engine on a chain (an
// event_count used by a temporal_ordered with a plain rule) with the
// brute-force evaluation of each level, on random streams.
func TestEngineChainBruteForce(t *testing.T) {
	total := 0
	for seed := 1; seed <= 200; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		span1 := time.Duration(5+r.IntN(60)) * time.Second
		span2 := time.Duration(5+r.IntN(120)) * time.Second
		need := 2 + r.IntN(5)
		doc := fmt.Sprintf(`title: top
id: top
correlation:
    type: temporal_ordered
    rules: [many_fail, success]
    group-by: [User]
    timespan: %ds
---
title: many
name: many_fail
correlation:
    type: event_count
    rules: [fail]
    group-by: [User]
    timespan: %ds
    condition:
        gte: %d
---
title: fail
name: fail
logsource: {product: test}
detection:
    s:
        Outcome: fail
    condition: s
---
title: success
name: success
logsource: {product: test}
detection:
    s:
        Outcome: ok
    condition: s
`, int(span2/time.Second), int(span1/time.Second), need)
		set := NewSet(Parse("chain.yml", []byte(doc), Options{}))
		if ps := set.Check(); len(ps) > 0 {
			t.Fatalf("problems: %v", ps)
		}
		var evs []timedEvent
		tm := t0
		for i := 0; i < 300; i++ {
			tm = tm.Add(time.Duration(r.IntN(8)) * time.Second)
			outcome := "fail"
			if r.IntN(6) == 0 {
				outcome = "ok"
			}
			evs = append(evs, timedEvent{tm, ev("Outcome", outcome, "User", fmt.Sprintf("u%d", r.IntN(3)))})
		}
		got := feedAll(t, set, evs)

		mid := set.Lookup("many_fail").(*Correlation)
		top := set.Lookup("top").(*Correlation)
		var fails []Input
		var succ []pendingInput
		for i, te := range evs {
			in := Input{Time: te.t, Group: []string{te.e.f["User"]}, Ref: i}
			if te.e.f["Outcome"] == "fail" {
				fails = append(fails, in)
			} else {
				in.Source = 1
				succ = append(succ, pendingInput{in: in, seq: uint64(i)})
			}
		}
		var topIns []pendingInput
		for _, h := range bruteHits(mid, fails) {
			topIns = append(topIns, pendingInput{in: Input{Source: 0, Time: h.Trigger, Group: h.Group, Ref: h},
				isHit: true, hitKey: groupKey(h.Group), hitFirst: h.First})
		}
		topIns = append(topIns, succ...)
		sort.SliceStable(topIns, func(i, j int) bool { return pendingLess(&topIns[i], &topIns[j]) })
		ins := make([]Input, len(topIns))
		for i, p := range topIns {
			ins[i] = p.in
		}
		want := bruteHits(top, ins)
		total += len(want)
		if d := sameHits(got, want); d != "" {
			t.Fatalf("seed %d (spans %s %s, need %d): %s", seed, span1, span2, need, d)
		}
	}
	t.Logf("200 seeds, %d chained hits, all equal to brute force", total)
	if total == 0 {
		t.Error("no hits: the test checks nothing")
	}
}

// TestEngineAdvance: a watch's engine is never flushed; Advance with the
// time of later events (none of them matches) gives the hits Flush would,
// once the windows are over, and none before; an Advance to the past
// changes nothing.
func TestEngineAdvance(t *testing.T) {
	set := NewSet(Parse("chain.yml", []byte(specChain), Options{}))
	var evs []timedEvent
	for i := 0; i < 10; i++ {
		evs = append(evs, timedEvent{t0.Add(time.Duration(i*10) * time.Second), ev("EventID", "4625", "User", "alice")})
	}
	evs = append(evs, timedEvent{t0.Add(95 * time.Second), ev("EventID", "4624", "User", "alice")})
	want := feedAll(t, set, evs)
	if len(want) != 1 {
		t.Fatalf("flushed: %d hits", len(want))
	}
	eng := NewEngine(set)
	got := feed(t, eng, set, evs)
	if h, _ := eng.Advance(t0); len(h)+len(got) != 0 {
		t.Fatalf("hits before the windows ended: %d", len(h)+len(got))
	}
	if h, _ := eng.Advance(t0.Add(2 * time.Minute)); len(h) != 0 {
		t.Fatalf("hit while the 10m window is open: %s", fmtHit(h[0]))
	}
	h, err := eng.Advance(t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, h...)
	sortHits(got)
	if len(got) != len(want) || fmtHit(got[0]) != fmtHit(want[0]) {
		t.Fatalf("advanced: %d hits, flushed %d (%v vs %v)", len(got), len(want), got, want)
	}
	if h := eng.Flush(); len(h) != 0 {
		t.Errorf("flush after advance: %d more hits", len(h))
	}
}
