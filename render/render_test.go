package render

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCutKeepsTheEndOfPaths: a path cut for a table keeps its end, which
// names the file (or the member of an archive); other text keeps its
// start.
func TestCutKeepsTheEndOfPaths(t *testing.T) {
	long := "/work/shared/datasets/windows_otrf/empire_mimikatz_logonpasswords.zip!empire_mimikatz_logonpasswords_2020.json"
	if got := cut(long, 30); !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "_2020.json") || utf8.RuneCountInString(got) != 30 {
		t.Errorf("path cut to %q", got)
	}
	text := "Accepted password for root from 10.0.0.1 port 22 ssh2 and more words here"
	if got := cut(text, 20); got != "Accepted password f…" {
		t.Errorf("text cut to %q", got)
	}
	if got := cut("https://example.com/a/very/long/path/of/a/web/page.html", 20); !strings.HasSuffix(got, "…") {
		t.Errorf("URL cut to %q", got)
	}
}
