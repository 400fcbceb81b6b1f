package action

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// maxOutput bounds what a command's output adds to its record.
const maxOutput = 2048

// capped keeps the first maxOutput bytes written to it.
type capped struct {
	b    []byte
	more bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := maxOutput - len(c.b); room > 0 {
		if len(p) > room {
			c.b = append(c.b, p[:room]...)
			c.more = true
		} else {
			c.b = append(c.b, p...)
		}
	} else if len(p) > 0 {
		c.more = true
	}
	return len(p), nil
}

func (c *capped) String() string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(c.b), "?"))
	if c.more {
		s += " ..."
	}
	return s
}

// runProcess runs argv (no shell) with stdin empty, killing it and every
// process it started (its process group) at timeout or when ctx ends. It
// returns the start of its output (stdout and stderr).
func runProcess(ctx context.Context, argv []string, timeout time.Duration) (string, error) {
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, argv[0], argv[1:]...)
	var out capped
	cmd.Stdout, cmd.Stderr = &out, &out
	ownGroup(cmd)
	// After the kill, do not wait for grandchildren holding the output
	// pipe open.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	switch {
	case err == nil:
		return out.String(), nil
	case errors.Is(tctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		return out.String(), fmt.Errorf("killed at its %s timeout", timeout)
	case ctx.Err() != nil:
		return out.String(), fmt.Errorf("killed: loghunt was stopping (%v)", ctx.Err())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), fmt.Errorf("%v", ee.ProcessState)
	}
	return out.String(), fmt.Errorf("cannot start: %v", err)
}
