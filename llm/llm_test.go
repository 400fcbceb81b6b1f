package llm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// stub is an OpenAI-compatible server on 127.0.0.1 whose answers the test
// scripts; it keeps the bodies it received.
type stub struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	auth   []string
}

func newStub(t *testing.T, handle func(n int, w http.ResponseWriter, r *http.Request)) *stub {
	s := &stub{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, body)
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		n := len(s.bodies)
		s.mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
			return
		}
		handle(n, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// received is the bodies so far.
func (s *stub) received() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...)
}

func (s *stub) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies, s.auth = nil, nil
}

func (s *stub) client(t *testing.T, key string, timeout time.Duration) *Client {
	c, err := New(&Config{URL: s.URL + "/v1", Model: "test-model", Key: key, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func completion(text string) string {
	b, _ := json.Marshal(map[string]any{"id": "x", "object": "chat.completion",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": "stop"}}})
	return string(b)
}

func TestChatRequestShape(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, completion("<think>hmm</think>\n  The answer.  "))
	})
	c := s.client(t, "sk-secret", 5*time.Second)
	req := NewRequest(c.Config(), "json_object", Message{"system", "be brief"}, Message{"user", "why?"})
	got, err := c.Chat(context.Background(), req)
	if err != nil || got != "The answer." {
		t.Fatalf("Chat: %q %v", got, err)
	}
	var sent struct {
		Model          string            `json:"model"`
		Messages       []Message         `json:"messages"`
		Temperature    *float64          `json:"temperature"`
		ResponseFormat map[string]string `json:"response_format"`
	}
	bodies := s.received()
	s.mu.Lock()
	auth := s.auth[0]
	s.mu.Unlock()
	if err := json.Unmarshal(bodies[0], &sent); err != nil {
		t.Fatal(err)
	}
	if sent.Model != "test-model" || len(sent.Messages) != 2 || sent.Messages[0] != (Message{"system", "be brief"}) ||
		sent.Messages[1] != (Message{"user", "why?"}) || sent.Temperature == nil || *sent.Temperature != 0 ||
		sent.ResponseFormat["type"] != "json_object" {
		t.Errorf("sent %s", bodies[0])
	}
	if string(bodies[0]) != string(Body(req)) {
		t.Errorf("the body sent is not Body(req):\n%s\n%s", bodies[0], Body(req))
	}
	if auth != "Bearer sk-secret" {
		t.Errorf("Authorization %q", auth)
	}
	// Text requests have no response_format; --show-prompt never shows the key.
	text := NewRequest(c.Config(), "", Message{"user", "hi"})
	if strings.Contains(string(Body(text)), "response_format") {
		t.Errorf("text request: %s", Body(text))
	}
	shown := ShowRequest(c.Config(), text)
	if strings.Contains(shown, "sk-secret") || !strings.HasPrefix(shown, "POST "+s.URL+"/v1/chat/completions\n") ||
		!strings.HasSuffix(shown, string(Body(text))) {
		t.Errorf("ShowRequest:\n%s", shown)
	}
}

// TestChatMisbehaviour: every way a server can fail ends in a clear error
// within the deadline.
func TestChatMisbehaviour(t *testing.T) {
	cases := []struct {
		name   string
		handle func(n int, w http.ResponseWriter, r *http.Request)
		want   string
	}{
		{"hangs", func(n int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			"did not answer within 300ms (the total deadline"},
		{"hangs in the body", func(n int, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"choices": [`)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, "did not answer within 300ms"},
		{"500", func(n int, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			io.WriteString(w, `{"error": {"message": "model not loaded", "type": "server_error"}}`)
		}, "failed: 500 Internal Server Error: model not loaded"},
		{"502 html", func(n int, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			io.WriteString(w, "<html>\n<body>Bad gateway</body></html>")
		}, `failed: 502 Bad Gateway: "<html> <body>Bad gateway</body></html>"`},
		{"malformed", func(n int, w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"choices": [{"message": `) },
			`is not the JSON of a chat completion (unexpected end of JSON input): "{\"choices\": [{\"message\":"`},
		{"not json", func(n int, w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") },
			"is not the JSON of a chat completion"},
		{"empty choices", func(n int, w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"choices": []}`) },
			"has no choices"},
		{"no content", func(n int, w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"choices": [{"message": {"role": "assistant"}}]}`)
		}, "has no message content"},
		{"empty content", func(n int, w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"choices": [{"message": {"content": "  "}, "finish_reason": "length"}]}`)
		}, `answer is empty (finish_reason "length")`},
		{"error object", func(n int, w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"error": {"message": "context length exceeded"}}`)
		}, "answered with an error: context length exceeded"},
		{"401", func(n int, w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(401)
			io.WriteString(w, `{"error": "bad key"}`)
		}, "refused the request: 401 Unauthorized: bad key (check LOGHUNT_LLM_KEY)"},
		{"429 too long", func(n int, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(429)
		}, "is busy (429 Too Many Requests) and asks to wait 2m0s, longer than the 30s loghunt waits"},
		{"429 for ever", func(n int, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
		}, "is busy (429 Too Many Requests); still so after 3 retries, giving up"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, tc.handle)
			c := s.client(t, "", 300*time.Millisecond)
			start := time.Now()
			got, err := c.Chat(context.Background(), NewRequest(c.Config(), "", Message{"user", "hi"}))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, %v\nwant an error with %q", got, err, tc.want)
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
}

// TestChatRetryAfter: a 429 asking for 1s is waited out (and the 503
// with Retry-After too), then the answer comes.
func TestChatRetryAfter(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
		case 2:
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(503)
		default:
			io.WriteString(w, completion("ok"))
		}
	})
	c := s.client(t, "", 5*time.Second)
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	got, err := c.Chat(context.Background(), NewRequest(c.Config(), "", Message{"user", "hi"}))
	if err != nil || got != "ok" || len(s.received()) != 3 {
		t.Fatalf("%q %v after %d requests", got, err, len(s.received()))
	}
	if len(waits) != 2 || waits[0] != time.Second || waits[1] != 2*time.Second {
		t.Errorf("waited %v", waits)
	}
	// A wait past the deadline is not started.
	c = s.client(t, "", 500*time.Millisecond)
	s.reset()
	if _, err := c.Chat(context.Background(), NewRequest(c.Config(), "", Message{"user", "hi"})); err == nil ||
		!strings.Contains(err.Error(), "asks to wait 1s, past the total deadline of 500ms") {
		t.Errorf("wait past the deadline: %v", err)
	}
	// A real wait: 1s.
	s.reset()
	c = s.client(t, "", 10*time.Second)
	start := time.Now()
	if _, err := c.Chat(context.Background(), NewRequest(c.Config(), "", Message{"user", "hi"})); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 3*time.Second || el > 6*time.Second {
		t.Errorf("the waits of 1s and 2s took %v", el)
	}
}

func TestChatUnreachable(t *testing.T) {
	s := newStub(t, nil)
	url := s.URL
	s.Close()
	c, err := New(&Config{URL: url + "/v1", Model: "m", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Chat(context.Background(), NewRequest(c.Config(), "", Message{"user", "hi"}))
	if err == nil || !strings.Contains(err.Error(), "cannot reach the model server at "+url+"/v1: ") ||
		!strings.Contains(err.Error(), "refused") {
		t.Errorf("%v", err)
	}
}

func TestNotConfigured(t *testing.T) {
	if _, err := New(&Config{}); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("New without URL: %v", err)
	}
	if _, err := New(nil); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("New(nil): %v", err)
	}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{URL: "http://127.0.0.1:8080", Model: "m"}, "must be the base URL ending in /v1"},
		{Config{URL: "127.0.0.1:8080/v1", Model: "m"}, "must start with http://"},
		{Config{URL: "http://127.0.0.1:8080/v1"}, "but not the model"},
	} {
		if _, err := New(&c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
	shown := ShowRequest(&Config{}, NewRequest(&Config{}, "", Message{"user", "hi"}))
	if !strings.HasPrefix(shown, "POST (no endpoint configured)/chat/completions\n") || !strings.Contains(shown, `"model": "(no model configured)"`) {
		t.Errorf("%s", shown)
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "llm.yml")
	t.Setenv(EnvConfig, path)
	for _, e := range []string{EnvURL, EnvModel, EnvKey, EnvTimeout} {
		t.Setenv(e, "")
	}
	c, err := Load()
	if err != nil || c.Configured() {
		t.Fatalf("no file, no environment: %+v %v", c, err)
	}
	if err := Save(path, &Config{URL: "http://127.0.0.1:8080/v1", Model: "qwen", Key: "sk-1", Timeout: 90 * time.Second}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode().Perm(), err)
	}
	c, err = Load()
	if err != nil || c.URL != "http://127.0.0.1:8080/v1" || c.Model != "qwen" || c.Key != "sk-1" || c.Timeout != 90*time.Second || c.From != path {
		t.Fatalf("%+v %v", c, err)
	}
	t.Setenv(EnvModel, "llama")
	t.Setenv(EnvTimeout, "5s")
	c, err = Load()
	if err != nil || c.Model != "llama" || c.Key != "sk-1" || c.Timeout != 5*time.Second || c.From != path+" and the environment" {
		t.Fatalf("environment over the file: %+v %v", c, err)
	}
	os.Chmod(path, 0o644)
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "holds an API key but is readable by others (mode 0644)") {
		t.Errorf("world-readable key: %v", err)
	}
	os.WriteFile(path, []byte("url: http://x/v1\nmodle: m\n"), 0o600)
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), path+": line 2: field modle not found") {
		t.Errorf("misspelt key: %v", err)
	}
	t.Setenv(EnvTimeout, "soon")
	os.WriteFile(path, nil, 0o600)
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), `LOGHUNT_LLM_TIMEOUT="soon"`) {
		t.Errorf("bad timeout: %v", err)
	}
}

func TestPrivacy(t *testing.T) {
	p := NewPrivacy(nil)
	p.Register("src_ip", "203.0.113.77")
	p.Register("user", "root")
	p.Register("host", "bastion")
	p.Register("user", "-")
	p.Register("path", "/index.html")
	cases := []struct {
		field, value string
		numeric      bool
		want         string
		sent         bool
	}{
		{"src_ip", "203.0.113.77", false, "ip-1", true},
		{"clientip", "10.0.0.5", false, "ip-2", true},
		{"src_ip", "203.0.113.77", false, "ip-1", true},
		{"TargetUserName", "root", false, "user-1", true},
		{"host", "bastion", false, "host-1", true},
		{"user", "-", false, "-", true},
		{"user_agent", "curl/8", false, "", false},
		{"_raw", "anything", false, "", false},
		{"source", "/var/log/auth.log", false, "", false},
		{"attempts", "60", true, "60", true},
		{"pattern", "Failed password for root from 198.51.100.9 port <*> ssh2", false, "Failed password for user-1 from ip-3 port <*> ssh2", true},
		{"explanation", "203.0.113.77 had 60 failed logins at 03:12 on 2025-03-06; 203.0.113.770 and xroot stay", false,
			"ip-1 had 60 failed logins at 03:12 on 2025-03-06; 203.0.113.770 and xroot stay", true},
		{"path", "/x?a=fe80::1&b=2001:db8::7", false, "/x?a=ip-4&b=ip-5", true},
	}
	for _, c := range cases {
		got, sent := p.Value(c.field, c.value, c.numeric)
		if got != c.want || sent != c.sent {
			t.Errorf("%s=%q: %q %v, want %q %v", c.field, c.value, got, sent, c.want, c.sent)
		}
	}
	answer := "ip-1 tried user-1 on host-1; ip-10 and user-9 are not ours."
	if got := p.Restore(answer); got != "203.0.113.77 tried root on bastion; ip-10 and user-9 are not ours." {
		t.Errorf("Restore: %q", got)
	}
	if got := strings.Join(p.Mapping(), " "); got != "ip-1=203.0.113.77 ip-2=10.0.0.5 ip-3=198.51.100.9 ip-4=fe80::1 ip-5=2001:db8::7 user-1=root host-1=bastion" {
		t.Errorf("Mapping: %s", got)
	}
	// A longer value is replaced before a shorter one inside it.
	p.Register("host", "web01")
	p.Register("host", "web01.example.com")
	if got := p.Text("web01.example.com and web01"); got != "host-3 and host-2" {
		t.Errorf("longest first: %q", got)
	}
	q := NewPrivacy(&Config{Fields: []string{"_time", "status"}})
	if _, sent := q.Value("action", "failure", false); sent {
		t.Errorf("action sent with an allow-list of _time and status")
	}
	if v, sent := q.Value("status", "404", false); !sent || v != "404" {
		t.Errorf("status: %q %v", v, sent)
	}
}

// TestPseudonymsOnTheWire: what the server receives has the pseudonyms
// and none of the real values; the answer shown has them back.
func TestPseudonymsOnTheWire(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, completion("ip-1 guessed user-1's password on host-1."))
	})
	c := s.client(t, "", 5*time.Second)
	p := NewPrivacy(c.Config())
	real := map[string]string{"src_ip": "203.0.113.77", "user": "root", "host": "bastion"}
	for f, v := range real {
		p.Register(f, v)
	}
	var lines []string
	for _, f := range []string{"src_ip", "user", "host"} {
		v, _ := p.Value(f, real[f], false)
		lines = append(lines, f+"="+v)
	}
	lines = append(lines, p.Text("Failed password for root from 203.0.113.77 on bastion"))
	answer, err := c.Chat(context.Background(), NewRequest(c.Config(), "", Message{"user", strings.Join(lines, "\n")}))
	if err != nil {
		t.Fatal(err)
	}
	body := s.received()[0]
	for _, v := range real {
		if strings.Contains(string(body), v) {
			t.Errorf("the server received %q:\n%s", v, body)
		}
	}
	if !strings.Contains(string(body), `src_ip=ip-1\nuser=user-1\nhost=host-1\nFailed password for user-1 from ip-1 on host-1`) {
		t.Errorf("sent:\n%s", body)
	}
	if got := p.Restore(answer); got != "203.0.113.77 guessed root's password on bastion." {
		t.Errorf("shown: %q", got)
	}
}
