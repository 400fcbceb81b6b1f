// Package llm talks to an OpenAI-compatible chat endpoint (llama.cpp's
// server, Ollama, vLLM or a hosted one) for loghunt's explanations and
// questions in words, and keeps what it sends private: only fields on an
// allow-list, with addresses, user names and host names replaced by
// pseudonyms that are mapped back in the answer.
//
// Nothing is sent unless an endpoint is configured: by the environment
// (LOGHUNT_LLM_URL, LOGHUNT_LLM_MODEL, LOGHUNT_LLM_KEY) or by the config
// file that 'loghunt llm set' writes, mode 0600.
//
// It imports nothing of loghunt, and is with loghunt/action the only
// package of loghunt that reaches net/http.
package llm

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The environment variables of the configuration; each one set overrides
// the file's value.
const (
	EnvURL     = "LOGHUNT_LLM_URL"     // the base URL, ending in /v1
	EnvModel   = "LOGHUNT_LLM_MODEL"   // the model name the server knows
	EnvKey     = "LOGHUNT_LLM_KEY"     // the API key, if the server wants one
	EnvTimeout = "LOGHUNT_LLM_TIMEOUT" // the total deadline of one question, e.g. 2m
	EnvConfig  = "LOGHUNT_LLM_CONFIG"  // another config file than the default
)

// DefaultTimeout is the total deadline of one question (retries
// included): a local model on a laptop may need a minute.
const DefaultTimeout = 2 * time.Minute

// DefaultMaxRetryWait is the longest Retry-After loghunt honours on a 429.
const DefaultMaxRetryWait = 30 * time.Second

// HowToConfigure says how to configure an endpoint, for the errors of
// commands that need one.
const HowToConfigure = "no language model is configured: set LOGHUNT_LLM_URL (the base URL ending in /v1, " +
	"e.g. http://127.0.0.1:8080/v1 for llama.cpp's server or http://127.0.0.1:11434/v1 for Ollama) and LOGHUNT_LLM_MODEL " +
	"(and LOGHUNT_LLM_KEY if the server wants a key), or run 'loghunt llm set --url URL --model NAME'"

// ErrNotConfigured is returned when no endpoint is configured.
var ErrNotConfigured = errors.New(HowToConfigure)

// Config is where and how to ask.
type Config struct {
	URL     string        `yaml:"url"`               // base URL ending in /v1
	Model   string        `yaml:"model"`             // model name
	Key     string        `yaml:"key,omitempty"`     // bearer token, or ""
	Timeout time.Duration `yaml:"timeout,omitempty"` // total deadline; 0 means DefaultTimeout
	// Fields replaces the default allow-list of fields sent (DefaultFields).
	Fields []string `yaml:"fields,omitempty"`
	// From says where the configuration came from, for messages.
	From string `yaml:"-"`
}

// Configured reports whether there is an endpoint to send to.
func (c *Config) Configured() bool { return c != nil && c.URL != "" }

// DefaultPath is the config file: $LOGHUNT_LLM_CONFIG, else llm.yml in
// loghunt's directory of the user's config ($XDG_CONFIG_HOME/loghunt or
// ~/.config/loghunt on Linux).
func DefaultPath() (string, error) {
	if p := os.Getenv(EnvConfig); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("the config file's directory: %w", err)
	}
	return filepath.Join(dir, "loghunt", "llm.yml"), nil
}

// Load reads the config file (if it exists) and the environment over it.
// A file that holds a key and that the group or others may read is
// refused. With no URL anywhere, the Config is returned unconfigured.
func Load() (*Config, error) {
	path, err := DefaultPath()
	if err != nil {
		return nil, err
	}
	c, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	var from []string
	if c.From != "" {
		from = append(from, c.From)
	}
	env := false
	for _, v := range []struct {
		name string
		dst  *string
	}{{EnvURL, &c.URL}, {EnvModel, &c.Model}, {EnvKey, &c.Key}} {
		if s, ok := os.LookupEnv(v.name); ok && s != "" {
			*v.dst, env = s, true
		}
	}
	if s := os.Getenv(EnvTimeout); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%s=%q: want a duration such as 90s or 2m", EnvTimeout, s)
		}
		c.Timeout, env = d, true
	}
	if env {
		from = append(from, "the environment")
	}
	c.From = strings.Join(from, " and ")
	return c, c.check()
}

// ReadFile reads a config file; a missing one is an empty Config.
func ReadFile(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, err
	}
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %s", path, yamlMessage(err))
	}
	if c.Key != "" {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("%s holds an API key but is readable by others (mode %04o); loghunt will not use it: chmod 600 %s",
				path, fi.Mode().Perm(), path)
		}
	}
	c.From = path
	return &c, nil
}

// yamlMessage is a YAML error on one line, without the Go type names.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	msg = strings.ReplaceAll(msg, " in type llm.Config", "")
	return strings.Join(strings.Fields(msg), " ")
}

// check validates a configuration that names a URL.
func (c *Config) check() error {
	if c.URL == "" {
		if c.Model != "" || c.Key != "" {
			return fmt.Errorf("the language model configuration (%s) has a model or key but no URL: set %s or 'loghunt llm set --url'", c.From, EnvURL)
		}
		return nil
	}
	if !strings.HasPrefix(c.URL, "http://") && !strings.HasPrefix(c.URL, "https://") {
		return fmt.Errorf("the language model URL %q (%s) must start with http:// or https://", c.URL, c.From)
	}
	if !strings.HasSuffix(strings.TrimRight(c.URL, "/"), "/v1") {
		return fmt.Errorf("the language model URL %q (%s) must be the base URL ending in /v1 (loghunt adds /chat/completions)", c.URL, c.From)
	}
	if c.Model == "" {
		return fmt.Errorf("the language model URL is set (%s) but not the model: set %s or 'loghunt llm set --model'", c.From, EnvModel)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("the language model timeout %v (%s) is negative", c.Timeout, c.From)
	}
	return nil
}

// Save writes c to path with mode 0600 (its directory 0700), replacing
// the file atomically.
func Save(path string, c *Config) error {
	if err := c.check(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	out := *c
	out.From = ""
	raw, err := yaml.Marshal(&out)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".llm-*.yml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// timeout is the total deadline of one question.
func (c *Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// Endpoint is the chat completions URL.
func (c *Config) Endpoint() string {
	return strings.TrimRight(c.URL, "/") + "/chat/completions"
}
