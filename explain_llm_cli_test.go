package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"loghunt/query"
)

// chatStub is an OpenAI-compatible chat server on 127.0.0.1 whose answer
// to the n-th request (from 1) the test gives; it keeps every body.
type chatStub struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
}

func newChatStub(t *testing.T, answer func(n int, body []byte) (status int, text string)) *chatStub {
	s := &chatStub{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, body)
		n := len(s.bodies)
		s.mu.Unlock()
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		status, text := answer(n, body)
		if status != http.StatusOK {
			http.Error(w, text, status)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "chat.completion",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": text}}}})
	}))
	t.Cleanup(s.Close)
	return s
}

// configure points the language model's environment at the stub.
func (s *chatStub) configure(t *testing.T) {
	noLLMEnv(t)
	t.Setenv("LOGHUNT_LLM_URL", s.URL+"/v1")
	t.Setenv("LOGHUNT_LLM_MODEL", "stub-model")
}

func (s *chatStub) received() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.bodies)
}

// sentChat is a request body as the stub received it.
type sentChat struct {
	Model    string `json:"model"`
	Messages []struct {
		Role, Content string
	} `json:"messages"`
	ResponseFormat *struct {
		Type string `json:"type"`
	} `json:"response_format"`
}

func decodeChat(t *testing.T, body []byte) sentChat {
	t.Helper()
	var c sentChat
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	return c
}

// runCLI runs loghunt in the process and returns stdout, stderr, error.
func runCLI(args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	err := cli(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

const demoBruteForce = `action=failure auth_method=password | bin _time span=1m | stats count as attempts by _time, src_ip | anomalies attempts contamination=0.01 | explain by src_ip llm=true | where is_anomaly | table _time, src_ip, explanation, llm_explanation`

// TestExplainLLMDemo: explain llm=true on the demo's brute force asks the
// stub once per finding with the finding, the computed account and the
// events around it, pseudonymised, word for word; shows the answer, its
// pseudonyms mapped back, beside the computed account; --show-prompt
// prints those very bytes and sends nothing; without an endpoint it says
// how to configure one and sends nothing.
func TestExplainLLMDemo(t *testing.T) {
	dir, db := demoDB(t)

	stub := newChatStub(t, func(n int, body []byte) (int, string) {
		return 200, "ip-1 guessed passwords for user-1 on host-1, 60 a minute: a brute force. Check whether ip-1 ever logged in."
	})
	stub.configure(t)
	out, stderr, err := runCLI("--db", db, "query", "--format", "csv", demoBruteForce)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"_time", "src_ip", "explanation", "llm_explanation"}}
	for _, m := range []string{"12", "13", "14"} {
		want = append(want, []string{"2025-03-06T03:" + m + ":00Z", "203.0.113.77",
			"203.0.113.77 had 60 failed logins in one minute at 03:" + m + " on 2025-03-06, about 60 times the usual 1 (the median of all rows); 180 in all over 3 minutes from 03:12. " +
				"Anomaly score 0.88, driven by attempts=60 (typical 1). No successful login by 203.0.113.77 followed within an hour. Next: check whether the same users were tried from other addresses (password spraying).",
			"203.0.113.77 guessed passwords for root on bastion, 60 a minute: a brute force. Check whether 203.0.113.77 ever logged in."})
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("explain llm=true:\n got %q\nwant %q", rows, want)
	}

	bodies := stub.received()
	if len(bodies) != 3 {
		t.Fatalf("%d requests for 3 findings", len(bodies))
	}
	// No real address, user or host of the demo reaches the server.
	secret := regexp.MustCompile(`203\.0\.113\.77|\b10\.[01]\.\d+\.\d+|\broot\b|\b(bastion|web0[12]|db01)\b|\b(` + strings.Join(demoUsers, "|") + `)\b`)
	for i, b := range bodies {
		if m := secret.Find(b); m != nil {
			t.Errorf("request %d carries %q:\n%s", i+1, m, b)
		}
	}
	chat := decodeChat(t, bodies[0])
	wantUser := "Finding:\n_time=2025-03-06T03:12:00Z src_ip=ip-1 attempts=60 anomaly_score=0.8781 is_anomaly=true anomaly_reason=\"attempts=60 (typical 1)\"\n\n" +
		"loghunt's account (computed):\nip-1 had 60 failed logins in one minute at 03:12 on 2025-03-06, about 60 times the usual 1 (the median of all rows); 180 in all over 3 minutes from 03:12. " +
		"Anomaly score 0.88, driven by attempts=60 (typical 1). No successful login by ip-1 followed within an hour. Next: check whether the same users were tried from other addresses (password spraying).\n\n" +
		"Events with src_ip=ip-1 from 2025-03-06T03:02:00Z to 2025-03-06T03:22:00Z (10 minutes either side of the finding): 180.\n" +
		"By action: failure 180.\nBy sourcetype: syslog 180.\nFirst 2025-03-06T03:12:00Z, last 2025-03-06T03:14:59Z.\n" +
		"The 20 nearest the finding, in time order (a run of events alike but for _time on one line):\n" +
		"_time=2025-03-06T03:12:00Z..2025-03-06T03:12:19Z (20 events) host=host-1 action=failure auth_method=password user=user-1 src_ip=ip-1 sourcetype=syslog\n"
	if chat.Model != "stub-model" || len(chat.Messages) != 2 || chat.Messages[0].Role != "system" || chat.Messages[0].Content != query.ExplainSystemPrompt ||
		chat.Messages[1].Role != "user" || chat.ResponseFormat != nil {
		t.Errorf("request shape: %s", bodies[0])
	} else if chat.Messages[1].Content != wantUser {
		t.Errorf("request 1's user message:\n%s\nwant\n%s", chat.Messages[1].Content, wantUser)
	}
	// The counts sent, from the file: 180 events of 203.0.113.77 from
	// 03:02 to 03:22, all failed passwords for root on bastion, the first
	// 20 within 03:12:00-03:12:19.
	f, err := os.Open(filepath.Join(dir, "auth.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var inWindow, failed, first20 int
	line := regexp.MustCompile(`^Mar  6 (\d\d:\d\d:\d\d) (\S+) .*203\.0\.113\.77`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil || m[1] < "03:02:00" || m[1] > "03:22:00" {
			continue
		}
		inWindow++
		if m[2] == "bastion" && strings.Contains(sc.Text(), "Failed password for root from") {
			failed++
		}
		if m[1] >= "03:12:00" && m[1] <= "03:12:19" {
			first20++
		}
	}
	if inWindow != 180 || failed != 180 || first20 != 20 {
		t.Errorf("auth.log has %d events of 203.0.113.77 in the window, %d failed passwords for root on bastion, %d in 03:12:00-19; the request says 180, 180, 20", inWindow, failed, first20)
	}

	// --show-prompt: the same bytes, printed, and nothing sent.
	out, stderr, err = runCLI("--db", db, "query", "--show-prompt", "--format", "csv", demoBruteForce)
	if err != nil {
		t.Fatalf("--show-prompt: %v\n%s", err, stderr)
	}
	if len(stub.received()) != 3 {
		t.Errorf("--show-prompt sent %d requests", len(stub.received())-3)
	}
	for i, b := range bodies {
		shown := "POST " + stub.URL + "/v1/chat/completions\nContent-Type: application/json\nno key\n\n" + string(b)
		if !strings.Contains(out, shown) {
			t.Errorf("--show-prompt does not show request %d as sent:\n%s", i+1, out)
		}
	}
	if !strings.Contains(out, "\n_time,src_ip,explanation,llm_explanation\n2025-03-06T03:12:00Z,203.0.113.77,\"203.0.113.77 had 60") {
		t.Errorf("--show-prompt: the rows:\n%s", out)
	}
	// show_prompt=true in the query does the same.
	out2, _, err := runCLI("--db", db, "query", "--format", "csv", strings.Replace(demoBruteForce, "llm=true", "llm=true show_prompt=true", 1))
	if err != nil || out2 != out || len(stub.received()) != 3 {
		t.Errorf("show_prompt=true: %v, same output as --show-prompt: %v", err, out2 == out)
	}

	// Without an endpoint: how to configure one, and nothing sent.
	noLLMEnv(t)
	_, _, err = runCLI("--db", db, "query", "--format", "csv", demoBruteForce)
	if err == nil || !strings.Contains(err.Error(), "explain llm=true: no language model is configured: set LOGHUNT_LLM_URL") ||
		!strings.Contains(err.Error(), "loghunt llm set --url URL --model NAME") {
		t.Errorf("no endpoint: %v", err)
	}
	if len(stub.received()) != 3 {
		t.Errorf("a request was sent without an endpoint configured")
	}
	// --show-prompt needs no endpoint.
	if out, _, err := runCLI("--db", db, "query", "--show-prompt", "--format", "csv", demoBruteForce); err != nil ||
		!strings.Contains(out, "POST (no endpoint configured)/chat/completions\n") {
		t.Errorf("--show-prompt without an endpoint: %v\n%s", err, out)
	}
}

// TestExplainLLMFails: a model that fails fails the query with a message
// that says so.
func TestExplainLLMFails(t *testing.T) {
	_, db := demoDB(t)
	stub := newChatStub(t, func(n int, body []byte) (int, string) { return 502, "upstream model crashed" })
	stub.configure(t)
	_, _, err := runCLI("--db", db, "query", "--format", "csv", demoBruteForce)
	if err == nil || err.Error() != "explain llm=true: the model server at "+stub.URL+"/v1 failed: 502 Bad Gateway: \"upstream model crashed\"" {
		t.Errorf("%v", err)
	}
	if exitCode(err, io.Discard) != 1 {
		t.Errorf("exit code %d", exitCode(err, io.Discard))
	}
}

// TestReadmeShowPrompt runs the README's --show-prompt example on the
// demo's data and compares the first request it prints with the README's.
func TestReadmeShowPrompt(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)\n\\$ LOGHUNT_LLM_URL=(\\S+) LOGHUNT_LLM_MODEL=(\\S+) loghunt --db demo/demo\\.db query --show-prompt --format csv '([^\n]*)'\n(.*?)\n```\n")
	m := re.FindStringSubmatch(string(raw))
	if m == nil {
		t.Fatal("README has no --show-prompt example")
	}
	_, db := demoDB(t)
	noLLMEnv(t)
	t.Setenv("LOGHUNT_LLM_URL", m[1])
	t.Setenv("LOGHUNT_LLM_MODEL", m[2])
	out, stderr, err := runCLI("--db", db, "query", "--show-prompt", "--format", "csv", m[3])
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	first := m[4] + "\n"
	if !strings.HasPrefix(out, first) || !strings.HasPrefix(out[len(first):], "\nPOST "+m[1]+"/chat/completions\n") {
		t.Errorf("README:\n%s\ngot:\n%s", first, out)
	}
}
