package main

import (
	"bufio"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"loghunt/query"
)

// TestAskCLI runs the real binary on a real bbolt database of the demo's
// logs against a stub model that first answers a query that does not
// parse and then, given the caret error, a correct one; the question's
// address goes out as a pseudonym and comes back real in the query run.
func TestAskCLI(t *testing.T) {
	bin := buildLoghunt(t)
	dir := t.TempDir()
	paths, err := writeDemoLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "demo.db")
	if out, err := exec.Command(bin, append([]string{"--db", db, "ingest", "--year", "2025"}, paths...)...).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	// The stub's queries name the address by the pseudonym the question
	// came with.
	pseudonym := regexp.MustCompile(`\bip-\d+\b`)
	broken := func(ip string) string {
		return `src_ip="` + ip + `" action=failure | bin _time span=1m | stats count as attempts by _time, src_ip | wher attempts > 20`
	}
	good := func(ip string) string {
		return `src_ip="` + ip + `" action=failure auth_method=password | bin _time span=1m | stats count as attempts by _time, src_ip | where attempts > 20 | stats count as minutes, max(attempts) as per_minute by src_ip`
	}
	stub := newChatStub(t, func(n int, body []byte) (int, string) {
		c := decodeChat(t, body)
		ip := pseudonym.FindString(c.Messages[1].Content)
		if n%2 == 1 {
			return 200, `{"query": "` + strings.ReplaceAll(broken(ip), `"`, `\"`) + `", "explanation": "typo"}`
		}
		return 200, "```\n" + good(ip) + "\n```"
	})
	env := append(os.Environ(), "LOGHUNT_LLM_CONFIG="+filepath.Join(dir, "none.yml"),
		"LOGHUNT_LLM_URL="+stub.URL+"/v1", "LOGHUNT_LLM_MODEL=stub-model", "LOGHUNT_LLM_KEY=", "LOGHUNT_LLM_TIMEOUT=")
	question := "In which minutes did 203.0.113.77 try more than 20 passwords?"
	cmd := exec.Command(bin, "--db", db, "ask", "--yes", "--format", "csv", question)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ask: %v\n%s", err, stderr.String())
	}
	bodies := stub.received()
	if len(bodies) != 2 {
		t.Fatalf("%d requests, want 2 (a retry after the syntax error)", len(bodies))
	}
	askedAs := pseudonym.FindString(decodeChat(t, bodies[0]).Messages[1].Content)
	if askedAs == "" {
		t.Fatalf("the question went out without a pseudonym for its address:\n%s", bodies[0])
	}
	for i, b := range bodies {
		if strings.Contains(string(b), "203.0.113.77") {
			t.Errorf("request %d carries the address", i+1)
		}
		c := decodeChat(t, b)
		if c.Model != "stub-model" || c.ResponseFormat == nil || c.ResponseFormat.Type != "json_object" || c.Messages[0].Role != "system" {
			t.Errorf("request %d shape: model %q, response_format %v", i+1, c.Model, c.ResponseFormat)
		}
	}
	first, second := decodeChat(t, bodies[0]), decodeChat(t, bodies[1])
	sys := first.Messages[0].Content
	for _, want := range []string{"- stats AGG [as name], ... [by f, g]: ", "Sourcetypes: apache (40360 events), syslog (9240 events).",
		"- src_ip string, 5602: ip-", "- user string, 9240: user-", "# Success after failures: an address that failed at least three times for an account, then got in\n",
		"Aggregates (in stats, eventstats, streamstats, timechart): count | count(f), dc(f)"} {
		if !strings.Contains(sys, want) {
			t.Errorf("the system message lacks %q", want)
		}
	}
	if first.Messages[1].Content != strings.ReplaceAll(question, "203.0.113.77", askedAs) {
		t.Errorf("question sent: %q", first.Messages[1].Content)
	}
	// The retry: the same conversation, the model's answer, and the
	// parser's caret message for it.
	_, perr := query.Parse(broken(askedAs))
	if perr == nil {
		t.Fatal("the broken query parses")
	}
	wantRetry := "loghunt's parser rejects that query:\n" + perr.Error() + "\nAnswer again with the JSON object, the query corrected."
	if len(second.Messages) != 4 || second.Messages[0] != first.Messages[0] || second.Messages[1] != first.Messages[1] ||
		second.Messages[2].Role != "assistant" || second.Messages[3].Role != "user" || second.Messages[3].Content != wantRetry {
		t.Errorf("the retry's messages: %+v\nwant last %q", second.Messages[2:], wantRetry)
	}
	if !strings.Contains(wantRetry, "unknown stage") || !strings.Contains(wantRetry, "^") {
		t.Errorf("the caret message: %q", wantRetry)
	}
	t.Logf("stderr of ask --yes:\n%s\nthe retry's last message:\n%s", stderr.String(), second.Messages[3].Content)
	if want := "the model's query (on try 2):\n  " + good("203.0.113.77") + "\n"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr:\n%s\nwant %q", stderr.String(), want)
	}

	// The result, against the log: minutes with more than 20 failed
	// passwords from 203.0.113.77, and the most in one.
	rows, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "auth.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	perMinute := map[string]int{}
	line := regexp.MustCompile(`^Mar  6 (\d\d:\d\d):\d\d \S+ sshd\[\d+\]: Failed password for .* from 203\.0\.113\.77 port`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			perMinute[m[1]]++
		}
	}
	minutes, most := 0, 0
	for _, n := range perMinute {
		if n > 20 {
			minutes++
		}
		most = max(most, n)
	}
	want := [][]string{{"src_ip", "minutes", "per_minute"}, {"203.0.113.77", itoa(minutes), itoa(most)}}
	if !slices.EqualFunc(rows, want, slices.Equal) || minutes != 3 || most != 60 {
		t.Errorf("ask's result:\n got %q\nwant %q", rows, want)
	}

	// Without --yes the query runs only on y.
	for _, c := range []struct{ stdin, want string }{{"n\n", "not run (answer y to run it, or give --yes)\n"}, {"", "not run"}, {"y\n", ""}} {
		cmd := exec.Command(bin, "--db", db, "ask", "--format", "csv", question)
		cmd.Env, cmd.Stdin = env, strings.NewReader(c.stdin)
		var errb strings.Builder
		cmd.Stderr = &errb
		out, err := cmd.Output()
		ran := strings.HasPrefix(string(out), "src_ip,minutes,per_minute\n203.0.113.77,")
		if err != nil || !strings.Contains(errb.String(), "run it? [y/N] ") || ran != (c.stdin == "y\n") || !strings.Contains(errb.String(), c.want) {
			t.Errorf("stdin %q: ran %v, %v\n%s", c.stdin, ran, err, errb.String())
		}
	}

	// Three answers that do not parse: two retries, then an error.
	stub2 := newChatStub(t, func(n int, body []byte) (int, string) { return 200, `{"query": "* | stats count by"}` })
	cmd = exec.Command(bin, "--db", db, "ask", "--yes", question)
	cmd.Env = append(env, "LOGHUNT_LLM_URL="+stub2.URL+"/v1")
	msg, err := cmd.CombinedOutput()
	if err == nil || len(stub2.received()) != 3 || !strings.Contains(string(msg), "loghunt: the model's query does not parse after 2 retries:\n") {
		t.Errorf("never parses: %d requests, %v\n%s", len(stub2.received()), err, msg)
	}

	// Without a model: how to configure one.
	cmd = exec.Command(bin, "--db", db, "ask", "--yes", question)
	cmd.Env = append(os.Environ(), "LOGHUNT_LLM_CONFIG="+filepath.Join(dir, "none.yml"), "LOGHUNT_LLM_URL=", "LOGHUNT_LLM_MODEL=")
	msg, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(msg), "loghunt: no language model is configured: set LOGHUNT_LLM_URL") {
		t.Errorf("no model: %v\n%s", err, msg)
	}
}
