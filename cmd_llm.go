package main

import (
	"bufio"
	"flag"
	"fmt"
	"strings"
	"time"

	"loghunt/llm"
)

const llmUsage = `usage: loghunt llm set [--url URL] [--model NAME] [--key-stdin] [--timeout D] [--fields F,F...]
       loghunt llm show

Configures the language model that 'explain llm=true' and 'loghunt ask'
use: any OpenAI-compatible chat endpoint (llama.cpp's server, Ollama,
vLLM, a hosted one). 'set' writes the config file, mode 0600:
$LOGHUNT_LLM_CONFIG, else ~/.config/loghunt/llm.yml ($XDG_CONFIG_HOME);
the flags not given keep their value. The environment overrides the file:
LOGHUNT_LLM_URL (the base URL ending in /v1), LOGHUNT_LLM_MODEL,
LOGHUNT_LLM_KEY, LOGHUNT_LLM_TIMEOUT. Nothing is sent anywhere unless a
URL is configured. 'show' prints the configuration (never the key).

  loghunt llm set --url http://127.0.0.1:8080/v1 --model qwen2.5-7b-instruct
  echo "$KEY" | loghunt llm set --key-stdin

flags of set:
`

func (e *env) llm(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, llmUsage)
		return usagef("llm needs set or show")
	}
	switch args[0] {
	case "show":
		if len(args) > 1 {
			return usagef("llm show takes no arguments")
		}
		return e.llmShow()
	case "set":
		return e.llmSet(args[1:])
	case "-h", "--help", "-help":
		fmt.Fprint(e.stderr, llmUsage)
		return flag.ErrHelp
	}
	fmt.Fprint(e.stderr, llmUsage)
	return usagef("unknown llm command %q (set or show)", args[0])
}

func (e *env) llmSet(args []string) error {
	fs := flag.NewFlagSet("llm set", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	url := fs.String("url", "", "the base URL of the OpenAI-compatible API, ending in /v1")
	model := fs.String("model", "", "the model's name, as the server knows it")
	keyStdin := fs.Bool("key-stdin", false, "read the API key from the first line of stdin (an empty line removes it)")
	timeout := fs.Duration("timeout", 0, "the total deadline of one question, retries included (default 2m)")
	fields := fs.String("fields", "", "the allow-list of fields sent, comma-separated, replacing the default; 'default' restores it")
	fs.Usage = func() { fmt.Fprint(e.stderr, llmUsage); fs.PrintDefaults() }
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return usagef("llm set takes flags only, not %q", pos[0])
	}
	path, err := llm.DefaultPath()
	if err != nil {
		return err
	}
	c, err := llm.ReadFile(path)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if len(set) == 0 {
		fs.Usage()
		return usagef("llm set needs at least one flag")
	}
	if set["url"] {
		c.URL = *url
	}
	if set["model"] {
		c.Model = *model
	}
	if set["timeout"] {
		if *timeout < 0 {
			return usagef("--timeout must not be negative")
		}
		c.Timeout = *timeout
	}
	if set["fields"] {
		c.Fields = nil
		if *fields != "default" {
			for _, f := range strings.Split(*fields, ",") {
				if f = strings.TrimSpace(f); f != "" {
					c.Fields = append(c.Fields, f)
				}
			}
		}
	}
	if *keyStdin {
		if e.stdin == nil {
			return usagef("--key-stdin: no stdin")
		}
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" && err.Error() != "EOF" {
			return fmt.Errorf("--key-stdin: %v", err)
		}
		c.Key = strings.TrimSpace(line)
	}
	c.From = path
	if err := llm.Save(path, c); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (mode 0600)\n", path)
	return nil
}

func (e *env) llmShow() error {
	c, err := llm.Load()
	if err != nil {
		return err
	}
	path, _ := llm.DefaultPath()
	if !c.Configured() {
		fmt.Fprintf(e.stdout, "not configured (config file %s); nothing is sent anywhere\n", path)
		return nil
	}
	key := "none"
	if c.Key != "" {
		key = "set (not shown)"
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = llm.DefaultTimeout
	}
	fields := strings.Join(c.Fields, ",")
	if fields == "" {
		fields = "default: " + strings.Join(llm.DefaultFields, ",")
	}
	fmt.Fprintf(e.stdout, "url      %s\nmodel    %s\nkey      %s\ntimeout  %v\nfields   %s\n         and addresses, user and host names as pseudonyms (ip-1, user-1, host-1)\nfrom     %s\n",
		c.URL, c.Model, key, timeout.Round(time.Second), fields, c.From)
	return nil
}
