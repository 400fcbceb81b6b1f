package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"loghunt/ingest"
)

// progressBar draws ingest progress on one terminal line, at most five
// times a second.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	last  time.Time
	drawn bool
}

func (b *progressBar) update(p ingest.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if time.Since(b.last) < 200*time.Millisecond {
		return
	}
	b.last = time.Now()
	frac := 0.0
	if p.Total > 0 {
		frac = min(float64(p.Done)/float64(p.Total), 1)
	}
	const width = 30
	fill := int(frac * width)
	rate := float64(p.Lines) / max(p.Elapsed.Seconds(), 1e-3)
	name := p.File
	if len(name) > 40 {
		name = "…" + name[len(name)-39:]
	}
	fmt.Fprintf(b.w, "\r\x1b[K[%s%s] %3.0f%% %s/%s  %s lines  %s lines/s  file %d/%d %s",
		strings.Repeat("=", fill), strings.Repeat(" ", width-fill), frac*100,
		humanBytes(p.Done), humanBytes(p.Total), humanCount(float64(p.Lines)), humanCount(rate),
		p.FileIndex, p.NFiles, name)
	b.drawn = true
}

func (b *progressBar) clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.drawn = false
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func humanCount(f float64) string {
	switch {
	case f >= 1e6:
		return fmt.Sprintf("%.2fM", f/1e6)
	case f >= 1e3:
		return fmt.Sprintf("%.1fk", f/1e3)
	}
	return fmt.Sprintf("%.0f", f)
}
