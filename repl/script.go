package repl

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"loghunt/query"
)

// RunScript reads queries from in as they come, the way `loghunt run`
// reads a .lhq script: a blank line or a ';' at the end of a line ends a
// query, a line ending in '|' continues it, '#' starts a comment. A line
// starting with '.' between queries is a dot-command. Each result is
// printed under a '# stdin:LINE' header and the query. Unlike `run`, a
// failed query does not stop the rest: RunScript goes on to the end and
// then returns an error saying how many failed (exit status 1).
func (r *REPL) RunScript(ctx context.Context, in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	s := &scriptState{r: r}
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, ".") && !s.continued() {
			s.flush(ctx, true)
			s.total++
			r.where = fmt.Sprintf("stdin:%d", n)
			if r.Exec(ctx, t) {
				return s.result()
			}
			continue
		}
		if len(s.pending) == 0 {
			s.start = n
		}
		s.pending = append(s.pending, line)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasSuffix(t, ";") {
			s.flush(ctx, false)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	s.flush(ctx, true)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return s.result()
}

// scriptState is the input read but not yet run.
type scriptState struct {
	r       *REPL
	pending []string // lines of an unfinished query
	start   int      // the input line of pending[0]
	total   int      // queries and commands run
}

// flush runs the complete queries of pending and keeps an unfinished one
// (ending in '|' or inside a quote), unless at the end of the input.
func (s *scriptState) flush(ctx context.Context, atEOF bool) {
	if len(s.pending) == 0 {
		return
	}
	r := s.r
	qs, err := query.SplitScript(strings.Join(s.pending, "\n"))
	if err != nil {
		if atEOF {
			s.total++
			r.failed++
			fmt.Fprintf(r.cfg.Stderr, "stdin:%d: %v\n", s.start, err)
		}
		return
	}
	keep := -1
	if !atEOF && len(qs) > 0 && strings.HasSuffix(strings.TrimSpace(qs[len(qs)-1].Text), "|") {
		keep = qs[len(qs)-1].Line
		qs = qs[:len(qs)-1]
	}
	for _, sq := range qs {
		if ctx.Err() != nil {
			return
		}
		line := s.start + sq.Line - 1
		if s.total > 0 {
			fmt.Fprintln(r.cfg.Stdout)
		}
		s.total++
		fmt.Fprintf(r.cfg.Stdout, "# stdin:%d\n# %s\n", line, strings.ReplaceAll(sq.Text, "\n", "\n# "))
		r.where = fmt.Sprintf("stdin:%d", line)
		r.Exec(ctx, sq.Text)
	}
	r.where = ""
	if keep >= 0 {
		s.pending = s.pending[keep-1:]
		s.start += keep - 1
		return
	}
	s.pending = nil
}

// continued reports whether the pending query ends in '|'.
func (s *scriptState) continued() bool {
	for i := len(s.pending) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(s.pending[i]); t != "" {
			return strings.HasSuffix(t, "|")
		}
	}
	return false
}

func (s *scriptState) result() error {
	if s.r.failed > 0 {
		return fmt.Errorf("%d of %d queries and commands failed", s.r.failed, s.total)
	}
	return nil
}
