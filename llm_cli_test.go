package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// noLLMEnv clears the language model's environment and points the config
// file into the test's directory, so the user's own is never read.
func noLLMEnv(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "llm.yml")
	t.Setenv("LOGHUNT_LLM_CONFIG", path)
	for _, e := range []string{"LOGHUNT_LLM_URL", "LOGHUNT_LLM_MODEL", "LOGHUNT_LLM_KEY", "LOGHUNT_LLM_TIMEOUT"} {
		t.Setenv(e, "")
	}
	return path
}

// TestLLMSetShow: llm set writes the file mode 0600 whatever the umask,
// keeps what a later set does not name, reads the key from stdin; show
// says where it came from and never prints the key.
func TestLLMSetShow(t *testing.T) {
	path := noLLMEnv(t)
	run := func(stdin string, args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := cli(context.Background(), args, strings.NewReader(stdin), &out, &errb)
		return out.String() + errb.String(), err
	}
	out, err := run("", "llm", "show")
	if err != nil || out != "not configured (config file "+path+"); nothing is sent anywhere\n" {
		t.Fatalf("show before set: %q %v", out, err)
	}
	if out, err := run("", "llm", "set", "--url", "http://127.0.0.1:8080"); err == nil || !strings.Contains(out+err.Error(), "ending in /v1") {
		t.Errorf("set without /v1: %q %v", out, err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Errorf("a refused set wrote %s", path)
	}
	if out, err := run("", "llm", "set", "--url", "http://127.0.0.1:8080/v1", "--model", "qwen"); err != nil || out != "wrote "+path+" (mode 0600)\n" {
		t.Fatalf("set: %q %v", out, err)
	}
	if out, err := run("sk-very-secret\n", "llm", "set", "--key-stdin", "--timeout", "45s"); err != nil {
		t.Fatalf("set key: %q %v", out, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode().Perm(), err)
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), "model: qwen") || !strings.Contains(string(raw), "key: sk-very-secret") {
		t.Errorf("file:\n%s", raw)
	}
	out, err = run("", "llm", "show")
	want := "url      http://127.0.0.1:8080/v1\nmodel    qwen\nkey      set (not shown)\ntimeout  45s\n" +
		"fields   default: _time,sourcetype,action,status,method,path,uri,uri_path,auth_method,event_id,eventid,process,pattern,count,is_anomaly,anomaly_score,anomaly_reason,explanation,context_of\n" +
		"         and addresses, user and host names as pseudonyms (ip-1, user-1, host-1)\nfrom     " + path + "\n"
	if err != nil || out != want {
		t.Errorf("show:\n%s\nwant\n%s (%v)", out, want, err)
	}
	t.Setenv("LOGHUNT_LLM_MODEL", "llama")
	if out, _ := run("", "llm", "show"); !strings.Contains(out, "model    llama\n") || !strings.Contains(out, "from     "+path+" and the environment\n") {
		t.Errorf("show with the environment:\n%s", out)
	}
	os.Chmod(path, 0o640)
	if out, err := run("", "llm", "show"); err == nil || !strings.Contains(err.Error(), "readable by others (mode 0640); loghunt will not use it: chmod 600") {
		t.Errorf("group-readable: %q %v", out, err)
	}
}
