package repl

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/peterh/liner"
	"golang.org/x/term"
)

// Run starts a session on cfg.DB: at a terminal an interactive one with
// line editing, history and completion; otherwise it reads cfg.Stdin as a
// script (RunScript).
func Run(ctx context.Context, cfg Config) error {
	r, err := New(cfg)
	if err != nil {
		return err
	}
	if f, ok := cfg.Stdin.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		return r.RunScript(ctx, cfg.Stdin)
	}
	return r.runTerminal(ctx)
}

// runTerminal runs the interactive session on the process's terminal.
// Ctrl-C during a query cancels just that query, so the session's context
// does not end on SIGINT.
func (r *REPL) runTerminal(ctx context.Context) error {
	ln := liner.NewLiner()
	defer ln.Close() // restores the terminal, also after a panic
	ln.SetCtrlCAborts(true)
	ln.SetMultiLineMode(true) // long queries wrap instead of scrolling sideways
	ln.SetTabCompletionStyle(liner.TabPrints)
	ln.SetWordCompleter(r.WordCompleter)
	h := &history{historyStore: ln, stderr: r.cfg.Stderr}
	if path, err := HistoryPath(); err != nil {
		fmt.Fprintf(r.cfg.Stderr, "warning: no history: %v\n", err)
	} else {
		h.path = path
		h.load()
	}
	r.interrupt = notifyInterrupt
	fmt.Fprintf(r.cfg.Stderr, "loghunt on %s: %d fields. .help for help, Tab completes, Ctrl-D quits.\n", r.cfg.DB, len(r.fields))
	return r.Loop(context.WithoutCancel(ctx), h)
}

// notifyInterrupt calls cancel on SIGINT (Ctrl-C while a query runs: the
// terminal is not in raw mode then) until stop is called.
func notifyInterrupt(cancel context.CancelFunc) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			cancel()
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// HistoryPath is $XDG_STATE_HOME/loghunt/history, else
// ~/.local/state/loghunt/history; it creates the directory (mode 0700).
func HistoryPath() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".local", "state")
	}
	dir = filepath.Join(dir, "loghunt")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return filepath.Join(dir, "history"), nil
}

// historyStore is what history needs of liner.State.
type historyStore interface {
	AppendHistory(item string)
	ReadHistory(r io.Reader) (int, error)
	WriteHistory(w io.Writer) (int, error)
	Prompt(p string) (string, error)
}

// history is a LineReader that saves the history file (mode 0600) after
// every entry, so a killed session loses nothing.
type history struct {
	historyStore
	path   string
	stderr io.Writer
	warned bool
}

func (h *history) load() {
	f, err := os.Open(h.path)
	if err != nil {
		return
	}
	defer f.Close()
	h.ReadHistory(f)
}

// AppendHistory adds item and writes the file.
func (h *history) AppendHistory(item string) {
	h.historyStore.AppendHistory(item)
	if h.path == "" {
		return
	}
	if err := h.save(); err != nil && !h.warned {
		h.warned = true
		fmt.Fprintf(h.stderr, "warning: history not saved: %v\n", err)
	}
}

func (h *history) save() error {
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := h.WriteHistory(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
