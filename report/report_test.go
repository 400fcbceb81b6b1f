package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestWrite: both formats escape what would be markup, embed the chart,
// and keep the order of the parts.
func TestWrite(t *testing.T) {
	d := &Doc{Title: "a <b> & c_d", Generated: time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC),
		Summary:     []Pair{{Label: "Entity", Value: "src_ip=1.2.3.4 | x"}},
		Explanation: []string{"It *was* [here]."},
		Chart:       []byte{0x89, 'P', 'N', 'G'},
		Tables:      []Table{{Title: "T", Fields: []string{"a", "b"}, Rows: [][]string{{"1|2", "line\nbreak"}}, Note: "n"}},
		Queries:     []Pair{{Label: "Q", Value: `x | where y == "<z>"`}}}
	var h, m bytes.Buffer
	if err := Write(&h, d, HTML); err != nil {
		t.Fatal(err)
	}
	if err := Write(&m, d, Markdown); err != nil {
		t.Fatal(err)
	}
	html, md := h.String(), m.String()
	for _, want := range []string{"<h1>a &lt;b&gt; &amp; c_d</h1>", "data:image/png;base64,iVBORw", "<td>1|2</td>", "x | where y == &#34;&lt;z&gt;&#34;"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, want := range []string{"# a &lt;b&gt; & c\\_d", "| **Entity** | src\\_ip=1.2.3.4 \\| x |", "It \\*was\\* \\[here\\].", "| 1\\|2 | line break |", "(data:image/png;base64,iVBORw", "```\nx | where y == \"<z>\"\n```"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Index(html, "Summary") > strings.Index(html, "Explanation") || strings.Index(md, "## Activity") > strings.Index(md, "## T") {
		t.Error("parts out of order")
	}
	for name, want := range map[string]Format{"r.html": HTML, "R.HTM": HTML, "r.md": Markdown, "x.markdown": Markdown} {
		if f, err := FormatOf(name); err != nil || f != want {
			t.Errorf("FormatOf(%s) = %v, %v", name, f, err)
		}
	}
	if _, err := FormatOf("r.pdf"); err == nil {
		t.Error("r.pdf: no error")
	}
}
