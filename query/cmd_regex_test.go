package query

import (
	"regexp"
	"testing"
)

// TestRegexOnRealLog: regex keeps the rows of a real web log that Go's
// regexp matches in the field (or _raw), != the others, rows without the
// field included.
func TestRegexOnRealLog(t *testing.T) {
	s := excerptDB(t, webExcerpt, windowsExcerpt)
	all := s.run(`* | table _time, path, _raw`)
	for _, c := range []struct{ q, field, re string }{
		{`regex path="\.(php|cgi)"`, "path", `\.(php|cgi)`},
		{`regex path!="^/(blog|images)/"`, "path", `^/(blog|images)/`},
		{`regex "(?i)googlebot"`, "_raw", `(?i)googlebot`},
		{`regex _raw!="HTTP/1\.1"`, "_raw", `HTTP/1\.1`},
	} {
		re := regexp.MustCompile(c.re)
		neg := regexp.MustCompile(`!=`).MatchString(c.q)
		var want []string
		for r := 1; r < len(all); r++ {
			v := cell(all, r, c.field)
			has := v != ""
			if has && re.MatchString(v) != neg || !has && neg {
				want = append(want, cell(all, r, "_raw"))
			}
		}
		got := column(t, s.run(`* | `+c.q+` | table _time, path, _raw`), "_raw")
		if len(got) != len(want) || len(want) == 0 {
			t.Errorf("%s: %d rows, want %d", c.q, len(got), len(want))
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: row %d %q, want %q", c.q, i, got[i], want[i])
				break
			}
		}
	}
	stageErrors(t, map[string]string{
		`* | regex path="("`: "bad regex",
		`* | regex path=x`:   "expected a value after '='",
		`* | regex path<"x"`: "unexpected",
		`* | regex`:          "unexpected",
	})
}
