package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Message is one message of a chat.
type Message struct {
	Role    string `json:"role"` // system, user or assistant
	Content string `json:"content"`
}

// ResponseFormat asks for JSON ("json_object") instead of text.
type ResponseFormat struct {
	Type string `json:"type"`
}

// Request is the body of a chat completion request, as sent.
type Request struct {
	Model          string          `json:"model"`
	Messages       []Message       `json:"messages"`
	Temperature    float64         `json:"temperature"`
	ResponseFormat *ResponseFormat `json:"response_format,omitempty"`
}

// maxAnswer bounds the bytes of an answer read.
const maxAnswer = 4 << 20

// maxRetries bounds the retries after a 429 (or a 503 with Retry-After).
const maxRetries = 3

// Client asks one endpoint.
type Client struct {
	cfg  Config
	http *http.Client
	// MaxRetryWait is the longest Retry-After honoured; a longer one is an
	// error at once.
	MaxRetryWait time.Duration
	// sleep waits d or until ctx ends; tests shorten it.
	sleep func(ctx context.Context, d time.Duration) error
}

// New makes a client of a configured endpoint; without one it returns
// ErrNotConfigured.
func New(cfg *Config) (*Client, error) {
	if !cfg.Configured() {
		return nil, ErrNotConfigured
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return &Client{cfg: *cfg, http: &http.Client{}, MaxRetryWait: DefaultMaxRetryWait, sleep: sleepCtx}, nil
}

// Config is the client's configuration.
func (c *Client) Config() *Config { return &c.cfg }

// NewRequest is the request of messages to cfg's model; format is
// "json_object" to ask for JSON, or "" for text.
func NewRequest(cfg *Config, format string, msgs ...Message) Request {
	model := "(no model configured)"
	if cfg != nil && cfg.Model != "" {
		model = cfg.Model
	}
	req := Request{Model: model, Messages: msgs}
	if format != "" {
		req.ResponseFormat = &ResponseFormat{Type: format}
	}
	return req
}

// Body is the request's body exactly as it is sent: indented JSON.
func Body(req Request) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(req) // strings and numbers only: it cannot fail
	return buf.Bytes()
}

// ShowRequest is what would be sent for req, for --show-prompt: the
// method and URL, whether a key goes with it (never the key), and the
// body. cfg may be unconfigured.
func ShowRequest(cfg *Config, req Request) string {
	url := "(no endpoint configured)/chat/completions"
	key := "no key"
	if cfg.Configured() {
		url = cfg.Endpoint()
		if cfg.Key != "" {
			key = "Authorization: Bearer (the key, not shown)"
		}
	}
	return fmt.Sprintf("POST %s\nContent-Type: application/json\n%s\n\n%s", url, key, Body(req))
}

// Chat sends req and returns the answer's text. The whole exchange,
// retries included, ends within the configured timeout; a 429 (or a 503
// with Retry-After) is retried after the wait it asks for, if that is at
// most MaxRetryWait, up to 3 times.
func (c *Client) Chat(ctx context.Context, req Request) (string, error) {
	timeout := c.cfg.timeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body := Body(req)
	for attempt := 0; ; attempt++ {
		answer, wait, err := c.once(ctx, body)
		if err == nil {
			return answer, nil
		}
		if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
			if errors.Is(ctx.Err(), context.Canceled) {
				return "", ctx.Err()
			}
			return "", fmt.Errorf("the model server at %s did not answer within %v (the total deadline: %s, or timeout: in the config file)",
				c.cfg.URL, timeout, EnvTimeout)
		}
		if wait < 0 {
			return "", err
		}
		if attempt >= maxRetries {
			return "", fmt.Errorf("%v; still so after %d retries, giving up", err, maxRetries)
		}
		if wait > c.MaxRetryWait {
			return "", fmt.Errorf("%v and asks to wait %v, longer than the %v loghunt waits; try again later", err, wait, c.MaxRetryWait)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return "", fmt.Errorf("%v and asks to wait %v, past the total deadline of %v", err, wait, timeout)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return "", fmt.Errorf("the model server at %s did not answer within %v (the total deadline)", c.cfg.URL, timeout)
		}
	}
}

// once sends body once. On a response to retry it returns the wait
// (>= 0) with the error; otherwise the wait is -1.
func (c *Client) once(ctx context.Context, body []byte) (string, time.Duration, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.Endpoint(), bytes.NewReader(body))
	if err != nil {
		return "", -1, fmt.Errorf("the language model URL %q: %v", c.cfg.URL, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	if c.cfg.Key != "" {
		hreq.Header.Set("Authorization", "Bearer "+c.cfg.Key)
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		if ctx.Err() != nil {
			return "", -1, ctx.Err()
		}
		return "", -1, fmt.Errorf("cannot reach the model server at %s: %v", c.cfg.URL, unwrapURLError(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		if ctx.Err() != nil {
			return "", -1, ctx.Err()
		}
		return "", -1, fmt.Errorf("reading the model server's answer: %v", err)
	}
	if len(raw) > maxAnswer {
		return "", -1, fmt.Errorf("the model server's answer is longer than %d MiB", maxAnswer>>20)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests,
		resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
		wait := retryAfter(resp.Header.Get("Retry-After"))
		return "", wait, fmt.Errorf("the model server at %s is busy (%s%s)", c.cfg.URL, resp.Status, serverMessage(raw))
	case resp.StatusCode >= 500:
		return "", -1, fmt.Errorf("the model server at %s failed: %s%s", c.cfg.URL, resp.Status, serverMessage(raw))
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return "", -1, fmt.Errorf("the model server at %s refused the request: %s%s (check %s)", c.cfg.URL, resp.Status, serverMessage(raw), EnvKey)
	case resp.StatusCode != http.StatusOK:
		return "", -1, fmt.Errorf("the model server at %s answered %s%s", c.cfg.URL, resp.Status, serverMessage(raw))
	}
	answer, err := parseAnswer(raw)
	return answer, -1, err
}

// parseAnswer takes the first choice's text out of a chat completion.
func parseAnswer(raw []byte) (string, error) {
	var resp struct {
		Choices []struct {
			Message *struct {
				Content *string `json:"content"`
			} `json:"message"`
			FinishReason string `json:"finish_reason"`
		} `json:"choices"`
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return "", fmt.Errorf("the model server's answer is not the JSON of a chat completion (%v): %s", err, excerpt(raw))
	}
	if len(resp.Error) > 0 && string(resp.Error) != "null" {
		return "", fmt.Errorf("the model server answered with an error%s", serverMessage(raw))
	}
	if len(resp.Choices) == 0 {
		return "", fmt.Errorf("the model server's answer has no choices: %s", excerpt(raw))
	}
	ch := resp.Choices[0]
	if ch.Message == nil || ch.Message.Content == nil {
		return "", fmt.Errorf("the model server's first choice has no message content: %s", excerpt(raw))
	}
	text := strings.TrimSpace(thinking.ReplaceAllString(*ch.Message.Content, ""))
	if text == "" {
		return "", fmt.Errorf("the model's answer is empty (finish_reason %q)", ch.FinishReason)
	}
	return text, nil
}

// thinking is the reasoning some local models put before their answer.
var thinking = regexp.MustCompile(`(?s)^\s*<think>.*?</think>`)

// retryAfter reads a Retry-After header: seconds or an HTTP date; absent
// or unreadable means one second.
func retryAfter(h string) time.Duration {
	h = strings.TrimSpace(h)
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := time.Until(t); d > 0 {
			return d.Round(time.Second)
		}
		return 0
	}
	return time.Second
}

// serverMessage is the error message of an answer, ": message", from
// OpenAI's {"error":{"message":...}} or {"error":"..."}, else its text.
func serverMessage(raw []byte) string {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && len(e.Error) > 0 {
		var obj struct {
			Message string `json:"message"`
		}
		var s string
		if json.Unmarshal(e.Error, &obj) == nil && obj.Message != "" {
			return ": " + obj.Message
		}
		if json.Unmarshal(e.Error, &s) == nil && s != "" {
			return ": " + s
		}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return ""
	}
	return ": " + excerpt(raw)
}

// excerpt is the start of raw on one line.
func excerpt(raw []byte) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if s == "" {
		return "(empty)"
	}
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "..."
	}
	return strconv.Quote(s)
}

// unwrapURLError drops the "Post URL:" net/http adds, which the message
// already says.
func unwrapURLError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
